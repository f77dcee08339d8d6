/**
 * A student's frame is built as text from the part the room shares and their own part (shared/protocol/frames.ts):
 * whatever the parts hold, the text must parse to the same frame the object form describes, and match the schema.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedFrameText, studentFrameSchema, studentFrameText, type StudentFrame } from '../../shared/protocol/frames.ts';

const tick = fc.integer({ min: 0, max: 1e9 });
const value = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.constant(null));
const nodePatch = fc.dictionary(fc.constantFrom('u', 'a', 'mp', 'tm', 'pc'), value, { minKeys: 1 });
const podPatch = fc.dictionary(fc.constantFrom('r', 'c', 'ca', 'st', 'rs', 'os', 'lm'), value, { minKeys: 1 });

describe('a student frame as text', () => {
  it('parses to the frame its shared and own parts describe', () => {
    fc.assert(
      fc.property(
        tick,
        fc.option(nodePatch, { nil: undefined }),
        fc.option(podPatch, { nil: undefined }),
        fc.option(fc.record({ name: fc.string(), rssPages: fc.integer() }), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.oneof(fc.constant(0 as const), fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer())), { nil: undefined }),
        (t, n, p, P, g, y) => {
          const shared: StudentFrame = n ? { t, s: t - 1, n } : { t, s: t - 1 };
          const own = { ...(P && { P: P as never }), ...(g !== undefined && { g }), ...(y !== undefined && { y }) };
          const parsed = JSON.parse(studentFrameText(sharedFrameText(shared), { ...own, ...(p && { pText: JSON.stringify(p) }) })) as unknown;
          expect(parsed).toEqual(JSON.parse(JSON.stringify({ ...shared, ...(p && { p }), ...own })));
          expect(studentFrameSchema.safeParse(parsed).success).toBe(true);
        },
      ),
    );
  });
});
