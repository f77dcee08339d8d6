/**
 * A student's frame is written as JSON bytes from the part the room shares and their own part
 * (server/room/frameBytes.ts): whatever the parts hold, the bytes must parse to the same frame the object
 * form describes, and match the schema. The numbers are written digit by digit, so every kind of number is tried.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonBytes } from '../../server/room/JsonBytes.ts';
import { bytesOf } from '../../server/room/JsonBytes.ts';
import {
  writePodPatch,
  writeSharedFrame,
  ownFrameBytes,
  writeStudentFrame,
  writeViewerDelta,
  writeViewerPod,
  viewerPodKey,
} from '../../server/room/frameBytes.ts';
import { POD_KEYS, studentFrameSchema, type StudentFrame } from '../../shared/protocol/frames.ts';
import type { Delta, PodView } from '../../shared/protocol/views.ts';
import { dict } from '../../shared/util/dict.ts';

const tick = fc.integer({ min: 0, max: 1e9 });
const value = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  fc.constantFrom(0, -0, 2 ** 31 - 1, -(2 ** 31) + 1, 2 ** 31, -(2 ** 31), 10, 99, 100, 1e21, NaN, Infinity),
  fc.double(),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.constant(null),
  fc.record({ leakMiBps: fc.double({ noNaN: true }), kind: fc.string({ unit: 'grapheme' }) }),
);
const nodePatch = fc.dictionary(fc.constantFrom('u', 'a', 'mp', 'tm', 'pc'), value, { minKeys: 1 });
/** Changed view fields: some on the wire, some derived (never on it). */
const podChange = fc.dictionary(fc.constantFrom('rssPages', 'cachePages', 'oomScore', 'state', 'reason', 'workload', 'usagePages', 'name'), value, {
  minKeys: 1,
});

describe('a student frame as bytes', () => {
  it('parses to the frame its shared and own parts describe', () => {
    fc.assert(
      fc.property(
        tick,
        fc.option(nodePatch, { nil: undefined }),
        fc.option(podChange, { nil: undefined }),
        fc.option(fc.record({ name: fc.string({ unit: 'grapheme' }), rssPages: fc.integer() }), { nil: undefined }),
        fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
        fc.option(fc.oneof(fc.constant(0 as const), fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer())), { nil: undefined }),
        fc.option(fc.array(fc.record({ tick: fc.nat(), type: fc.constantFrom('started', 'terminated', 'oom_kill'), slot: fc.string({ unit: 'grapheme' }) }), { minLength: 1, maxLength: 3 }), {
          nil: undefined,
        }),
        (t, n, change, P, g, y, e) => {
          const shared: StudentFrame = n ? { t, s: t - 1, n } : { t, s: t - 1 };
          const sharedBytes = new JsonBytes(8);
          writeSharedFrame(sharedBytes, shared);
          // The pod's patch is written after some other pod's, as a room writes them one after another.
          const wires = new JsonBytes(8);
          wires.text('{"r":1}');
          const at = wires.len;
          const len = change ? writePodPatch(wires, change as unknown as PodView, Object.keys(change) as (keyof PodView)[]) : 0;
          const own = { ...(P && { P: P as never }), ...(g !== undefined && { g }), ...(y !== undefined && { y }), ...(e && { e }) };
          const out = new JsonBytes(8);
          out.text('garbage before');
          const from = out.len;
          writeStudentFrame(out, sharedBytes, {
            ...ownFrameBytes(),
            P: (P as never) ?? null,
            g: g ?? null,
            y: y ?? null,
            e: e ? JSON.stringify(e) : null,
            ...(len > 0 && { patch: wires.buf, patchAt: at, patchLen: len }),
          });
          const parsed = JSON.parse(out.toString(from)) as unknown;

          // What the object form would say: the changed fields that have a short key, under it.
          const shortKeys: Record<string, string> = POD_KEYS;
          const p = change ? Object.fromEntries(Object.entries(change).flatMap(([k, v]) => (k in shortKeys ? [[shortKeys[k]!, v]] : []))) : {};
          const expected = { ...shared, ...(Object.keys(p).length > 0 && { p }), ...own };
          expect(parsed).toEqual(JSON.parse(JSON.stringify(expected)));
          expect(studentFrameSchema.safeParse(parsed).success).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('copies any run of bytes from any offset, short (a byte loop) or long (the typed array’s copy), across growth', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300, size: 'max' }), fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 40, size: 'max' }), (src, a, b, key) => {
        const from = src.length === 0 ? 0 : a % src.length;
        const len = src.length === 0 ? 0 : b % (src.length - from + 1);
        const out = new JsonBytes(1);
        out.raw(key);
        out.copy(src, from, len);
        out.raw(key);
        expect([...out.buf.subarray(0, out.len)]).toEqual([...key, ...src.subarray(from, from + len), ...key]);
      }),
      { numRuns: 300 },
    );
  });

  it('writes integers as JSON does, across the digit counts and signs', () => {
    const out = new JsonBytes(1);
    const samples = [0, -0, 1, -1, 9, 10, 11, 99, 100, 101, 4096, 123456789, 2 ** 31 - 1, -(2 ** 31 - 1), 2 ** 31, -(2 ** 31), 2 ** 53, 1e21];
    for (const n of samples) {
      out.len = 0;
      out.value(n);
      expect(out.toString()).toBe(JSON.stringify(n));
    }
  });

  it('keeps a key in bytes of its own, not in a slice of the shared Buffer pool (a kept slice keeps its 8 KB alive)', () => {
    const keys = ['"web-ada-1":', '"ünïcode-pod":', ','].map((text) => [text, bytesOf(text)] as const);
    for (const [text, key] of keys) {
      expect(Buffer.from(key).toString('utf8')).toBe(text);
      expect(key.byteOffset).toBe(0);
      expect(key.buffer.byteLength).toBe(Buffer.byteLength(text));
    }
  });
});

describe('the viewers’ delta as bytes', () => {
  it('parses to the Delta its node patch, new pods, pod patches and gone names describe', () => {
    // Names an Object.prototype has too are tried every few runs.
    const podName = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1 }), fc.constantFrom('__proto__', 'constructor', 'toString'));
    const anyChange = fc.dictionary(fc.constantFrom('name', 'owner', 'rssPages', 'usagePages', 'workingSetPages', 'oomScore', 'workload', 'pending', 'dying'), value);
    const shortKeys: Record<string, string> = POD_KEYS;
    fc.assert(
      fc.property(
        tick,
        fc.option(fc.dictionary(fc.constantFrom('usedPages', 'availablePages', 'memoryPressure'), value, { minKeys: 1 }), { nil: undefined }),
        fc.uniqueArray(fc.tuple(podName, anyChange), { selector: ([name]) => name, maxLength: 6 }),
        fc.array(podName, { maxLength: 3 }),
        (t, node, pods, gone) => {
          const news = new JsonBytes(8);
          const changes = new JsonBytes(8);
          // The students' patches, as the frame differ writes them while a viewer watches: each after its pod's key in
          // the delta's changes, a change of no wire field taken back.
          // Keyed by any name, `__proto__` included: null-prototype objects.
          const expectedPods = dict<object>();
          const expectedPatches = dict<object>();
          // Alternately a pod new to the delta (its whole view, readable keys) and a known one (its student patch).
          pods.forEach(([name, change], i) => {
            const key = bytesOf(JSON.stringify(name) + ':');
            if (i % 2 === 0) {
              writeViewerPod(news, key, change as unknown as PodView);
              expectedPods[name] = change;
              return;
            }
            const mark = changes.len;
            viewerPodKey(changes, key);
            const len = writePodPatch(changes, change as unknown as PodView, Object.keys(change) as (keyof PodView)[]);
            if (len === 0) {
              changes.len = mark;
              return;
            }
            expectedPatches[name] = Object.fromEntries(Object.entries(change).flatMap(([k, v]) => (k in shortKeys ? [[shortKeys[k]!, v]] : [])));
          });
          const out = new JsonBytes(8);
          out.text('before');
          const from = out.len;
          writeViewerDelta(out, { t, since: t - 1, nodePatch: node ?? null, gone }, news, changes);
          const expected: Delta = { t, since: t - 1 };
          if (node) expected.node = node as Delta['node'];
          if (Object.keys(expectedPods).length > 0) expected.pods = expectedPods as unknown as Delta['pods'];
          if (Object.keys(expectedPatches).length > 0) expected.p = expectedPatches as unknown as Delta['p'];
          if (gone.length > 0) expected.gone = gone;
          expect(JSON.parse(out.toString(from))).toEqual(JSON.parse(JSON.stringify(expected)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
