import { describe, expect, it } from 'vitest';
import { KEYFRAME_EVERY_TICKS } from '../../shared/recording/index.ts';
import { recordSession } from './recordingHelpers.ts';

describe('recording size (RF7)', () => {
  it('one hour of 50 students, each changing a setting every 10 s, stays under 5 MB', () => {
    const hour = recordSession({ students: 50, ticks: 36_000, everyTicks: 100, noHashes: true });
    const bytes = Buffer.byteLength(hour.text);
    expect(hour.commands).toBeGreaterThan(17_000);
    expect(hour.text.split('\n').filter((l) => l.startsWith('{"k":"k"')).length).toBe(
      36_000 / KEYFRAME_EVERY_TICKS + 1,
    );
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  }, 30_000);
});
