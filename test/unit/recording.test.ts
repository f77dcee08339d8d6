import { describe, expect, it } from 'vitest';
import {
  FORMAT_VERSION,
  HASH_EVERY_TICKS,
  RecordingErrorCode,
  RecordingWriter,
  loadRecording,
  loadRecordingAsync,
  nextMarker,
  replayText,
  seek,
  stepReplay,
} from '../../shared/recording/index.ts';
import { SIM_VERSION } from '../../shared/sim/create.ts';
import { cloneState } from '../../shared/sim/clone.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { advance } from '../../shared/sim/step.ts';
import { recordSession } from './recordingHelpers.ts';

const session = recordSession({ students: 12, ticks: 3000, everyTicks: 60, keyframeEvery: 600 });
const lines = () => session.text.trimEnd().split('\n');
const join = (ls: string[]) => ls.join('\n') + '\n';

function load(text: string) {
  const r = loadRecording(text);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('recording format: round trip (RF1)', () => {
  it('replaying the recorded commands reproduces every recorded hash and the final state', () => {
    const { machine, result } = replayText(session.text);
    expect(machine.error).toBeNull();
    expect(machine.divergence).toBeNull();
    expect(result.ok && stateHash(result.value)).toBe(stateHash(session.final));
    expect(machine.commandCount).toBe(session.commands);
    expect(machine.end?.reason).toBe('ended');
    expect(session.kills).toBeGreaterThan(0);
  });

  it('has a header with both versions, a keyframe at the start and a hash every 10 ticks', () => {
    const ls = lines().map((l) => JSON.parse(l) as { k: string; t?: number });
    expect(ls[0]).toMatchObject({ k: 'header', formatVersion: FORMAT_VERSION, simVersion: SIM_VERSION });
    expect(ls[1]).toMatchObject({ k: 'k', t: 0 });
    const hashTicks = ls.filter((l) => l.k === 'h' || l.k === 'k').map((l) => l.t);
    expect(hashTicks.length).toBe(3000 / HASH_EVERY_TICKS + 1);
    expect(ls.filter((l) => l.k === 'k').map((l) => l.t)).toEqual([0, 600, 1200, 1800, 2400, 3000]);
    expect(ls.at(-1)).toMatchObject({ k: 'e', t: 3000 });
  });

  it('the sliced load of the view gives the same recording as the one-shot load', async () => {
    let pauses = 0;
    const progress: number[] = [];
    const sliced = await loadRecordingAsync(session.text, {
      sliceLines: 100,
      pause: async () => void pauses++,
      onProgress: (f) => progress.push(f),
    });
    const whole = loadRecording(session.text);
    expect(sliced.ok && whole.ok).toBe(true);
    if (!sliced.ok || !whole.ok) return;
    expect(sliced.value.markers).toEqual(whole.value.markers);
    expect(sliced.value.snapshots.map(stateHash)).toEqual(whole.value.snapshots.map(stateHash));
    expect(pauses).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('a keyframe state survives JSON with the same hash', () => {
    const s = cloneState(session.final);
    expect(stateHash(JSON.parse(JSON.stringify({ ...s, events: [] })))).toBe(stateHash(s));
  });
});

describe('seek (RF2)', () => {
  const rec = load(session.text);

  it('any tick sought equals the live state at that tick', () => {
    for (const t of [0, 1, 2, 299, 300, 301, 599, 600, 601, 1234, 2999, 3000]) {
      expect(stateHash(seek(rec, t)), `tick ${t}`).toBe(session.hashes[t]);
    }
  });

  it('seeks from file keyframes alone, too', () => {
    const onlyKeyframes = loadRecording(session.text, { snapshotEvery: 0 });
    expect(onlyKeyframes.ok).toBe(true);
    if (!onlyKeyframes.ok) return;
    expect(onlyKeyframes.value.snapshots.map((s) => s.tick)).toEqual([0, 600, 1200, 1800, 2400, 3000]);
    for (const t of [5, 1777, 3000]) expect(stateHash(seek(onlyKeyframes.value, t))).toBe(session.hashes[t]);
  });

  it('clamps out-of-range ticks and never mutates its snapshots', () => {
    const before = rec.snapshots.map(stateHash);
    expect(seek(rec, -50).tick).toBe(0);
    expect(seek(rec, 10_000).tick).toBe(3000);
    expect(rec.snapshots.map(stateHash)).toEqual(before);
  });

  it('the state sought to has the events of its own tick', () => {
    const kill = rec.markers.find((m) => m.kind === 'kill')!;
    expect(seek(rec, kill.tick).events.some((e) => e.type === 'oom_kill')).toBe(true);
  });

  it('stepping forward from a sought state follows the live run', () => {
    const s = seek(rec, 1500);
    for (let i = 0; i < 40; i++) stepReplay(rec, s);
    expect(stateHash(s)).toBe(session.hashes[1540]);
    const end = seek(rec, 3000);
    expect(stepReplay(rec, end)).toBe(false);
  });

  it('markers: kills, restarts in tick order; next and previous kill', () => {
    const kills = rec.markers.filter((m) => m.kind === 'kill');
    expect(kills.length).toBe(session.kills);
    expect(rec.markers.some((m) => m.kind === 'restart')).toBe(true);
    const ticks = rec.markers.map((m) => m.tick);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(nextMarker(rec, 0, 1)?.tick).toBe(kills[0]!.tick);
    expect(nextMarker(rec, kills[1]!.tick, -1)?.tick).toBe(kills[0]!.tick);
    expect(nextMarker(rec, 0, -1)).toBeNull();
  });
});

describe('crash safety: a torn last line (RF3)', () => {
  it('drops a torn final line and keeps everything before it', () => {
    const text = session.text;
    // Cut the file in the middle of the last command line.
    const lastCmd = text.lastIndexOf('{"k":"c"');
    const torn = text.slice(0, lastCmd + 20);
    const { machine, result } = replayText(torn);
    expect(result.ok).toBe(true);
    expect(machine.torn).toBe(true);
    expect(machine.commandCount).toBe(session.commands - 1);
    expect(machine.end).toBeNull();
  });

  it('never throws wherever the file is cut; a cut at a line boundary is a clean prefix', () => {
    const text = session.text;
    for (let cut = 0; cut < text.length; cut += Math.max(1, Math.floor(text.length / 80))) {
      const { result, machine } = replayText(text.slice(0, cut));
      if (!result.ok) expect(Object.values(RecordingErrorCode)).toContain(result.error.code);
      else expect(machine.divergence).toBeNull();
    }
  });

  it('a bad line that is not the last is an error with its line number', () => {
    const ls = lines();
    ls[5] = ls[5]!.slice(0, 10);
    const r = loadRecording(join(ls));
    expect(r.ok || r.error).toMatchObject({ code: RecordingErrorCode.INVALID_LINE, line: 6 });
  });
});

describe('versions and bad files (RF4)', () => {
  const withHeader = (patch: Record<string, unknown>) => {
    const ls = lines();
    ls[0] = JSON.stringify({ ...JSON.parse(ls[0]!), ...patch });
    return join(ls);
  };
  const codeOf = (text: string) => {
    const r = loadRecording(text);
    return r.ok ? 'ok' : r.error.code;
  };

  it('refuses a newer format version with a clear message, never a wrong replay', () => {
    const r = loadRecording(withHeader({ formatVersion: FORMAT_VERSION + 1 }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(RecordingErrorCode.FORMAT_TOO_NEW);
      expect(r.error.message).toMatch(/Update OOM Arena/);
    }
  });

  it('refuses other simulation rules', () => {
    expect(codeOf(withHeader({ simVersion: SIM_VERSION + 1 }))).toBe(RecordingErrorCode.SIM_VERSION_MISMATCH);
    expect(codeOf(withHeader({ simVersion: undefined }))).toBe(RecordingErrorCode.SIM_VERSION_MISMATCH);
  });

  it('refuses what is not a recording', () => {
    expect(codeOf('')).toBe(RecordingErrorCode.NOT_A_RECORDING);
    expect(codeOf('hello world\n')).toBe(RecordingErrorCode.NOT_A_RECORDING);
    expect(codeOf('{"k":"c"}\n')).toBe(RecordingErrorCode.NOT_A_RECORDING);
    expect(codeOf(withHeader({ formatVersion: 'one' }))).toBe(RecordingErrorCode.NOT_A_RECORDING);
    expect(codeOf(withHeader({ extra: 1 }))).toBe(RecordingErrorCode.INVALID_LINE);
  });

  it('a body with no keyframe first', () => {
    const ls = lines();
    ls.splice(1, 1);
    expect(codeOf(join(ls))).toBe(RecordingErrorCode.NO_KEYFRAME);
    expect(codeOf(lines()[0] + '\n')).toBe(RecordingErrorCode.NO_KEYFRAME);
  });

  it('lines out of tick order', () => {
    const ls = lines();
    const i = ls.findIndex((l, n) => n > 100 && l.startsWith('{"k":"c"'));
    const moved = ls.splice(i, 1)[0]!;
    ls.splice(ls.length - 1, 0, moved);
    expect(codeOf(join(ls))).toBe(RecordingErrorCode.OUT_OF_ORDER);
  });

  it('a keyframe with a malformed state is an invalid line, not a crash', () => {
    const ls = lines();
    const kf = JSON.parse(ls[1]!);
    kf.state.pods = 'many';
    ls[1] = JSON.stringify(kf);
    expect(codeOf(join(ls))).toBe(RecordingErrorCode.INVALID_LINE);
    kf.state.pods = [{ ...JSON.parse(lines()[1]!).state.pods[0], __proto__: null }];
    expect(() => loadRecording(join(ls))).not.toThrow();
  });

  it('an unknown command is an invalid line', () => {
    const ls = lines();
    const i = ls.findIndex((l) => l.startsWith('{"k":"c"'));
    ls[i] = JSON.stringify({
      k: 'c',
      t: JSON.parse(ls[i]!).t,
      by: 's1',
      cmd: { type: 'format_disk', pod: 's1' },
    });
    expect(codeOf(join(ls))).toBe(RecordingErrorCode.INVALID_LINE);
  });
});

describe('verification flags tampering (RF5)', () => {
  it('a changed command diverges at the next hash', () => {
    const ls = lines();
    const i = ls.findIndex((l) => l.startsWith('{"k":"c"') && l.includes('"set_resources"'));
    const line = JSON.parse(ls[i]!);
    line.cmd.limitMiB = 1024;
    ls[i] = JSON.stringify(line);
    const rec = load(join(ls));
    expect(rec.divergence).toMatchObject({ kind: 'hash' });
    expect(rec.divergence!.tick).toBeGreaterThanOrEqual(line.t);
    expect(rec.divergence!.tick).toBeLessThan(line.t + HASH_EVERY_TICKS + 1);
    expect(rec.markers.some((m) => m.kind === 'divergence')).toBe(true);
  });

  it('a deleted command diverges', () => {
    const ls = lines();
    ls.splice(
      ls.findIndex((l) => l.startsWith('{"k":"c"') && l.includes('"stream_batch"')),
      1,
    );
    expect(load(join(ls)).divergence).not.toBeNull();
  });

  it('a changed hash line diverges at that line', () => {
    const ls = lines();
    const i = ls.findIndex((l) => l.startsWith('{"k":"h"') && l.includes('"t":500,'));
    ls[i] = JSON.stringify({ k: 'h', t: 500, hash: '0123456789abcdef' });
    expect(load(join(ls)).divergence).toMatchObject({
      tick: 500,
      kind: 'hash',
      expected: '0123456789abcdef',
      line: i + 1,
    });
  });

  it('a keyframe whose state was edited does not match its own hash', () => {
    const ls = lines();
    const i = ls.findIndex((l) => l.startsWith('{"k":"k"') && l.includes('"t":1200,'));
    const kf = JSON.parse(ls[i]!);
    kf.state.pods[0].restartCount += 5;
    ls[i] = JSON.stringify(kf);
    expect(load(join(ls)).divergence).toMatchObject({ tick: 1200, kind: 'keyframe_content' });
    // Seeking never starts from the edited keyframe: only the replay's own states are used after a divergence.
    const r = loadRecording(join(ls), { snapshotEvery: 0 });
    expect(r.ok && r.value.snapshots.map((st) => st.tick)).toEqual([0]);
    if (r.ok) expect(stateHash(seek(r.value, 1300))).toBe(session.hashes[1300]);
  });

  it('an edited first keyframe is flagged too', () => {
    const ls = lines();
    const kf = JSON.parse(ls[1]!);
    kf.state.node.capacityPages *= 2;
    ls[1] = JSON.stringify(kf);
    expect(load(join(ls)).divergence).toMatchObject({ tick: 0, kind: 'keyframe_content' });
  });
});

describe('resume after an interruption (RF6)', () => {
  it('a recording cut off, resumed from its replayed state and continued, replays without divergence', () => {
    // The server died somewhere after tick 1500: keep the file up to a command line in the middle.
    const text = session.text;
    const cut = text.indexOf('\n', text.indexOf('{"k":"c","t":15')) + 1;
    const { machine, result } = replayText(text.slice(0, cut));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const state = result.value;
    expect(state.tick).toBe(machine.lastTick);
    const writer = new RecordingWriter({
      ...machine.header!,
      startedAt: machine.header!.startedAt,
      initialState: state,
    });
    let more = writer.resume(state, '2026-11-28T10:30:00.000Z');
    const live = cloneState(state);
    const until = live.tick + 700;
    for (let t = live.tick + 1; t <= until; t++) {
      const cmds = t % 50 === 0 ? [{ type: 'kill' as const, pod: 's3' }] : [];
      for (const c of cmds) more += writer.command(t, 'host', c);
      advance(live, cmds);
      more += writer.afterTick(live);
    }
    more += writer.end('ended', '2026-11-28T10:40:00.000Z');
    const rec = load(text.slice(0, cut) + more);
    expect(rec.divergence).toBeNull();
    expect(rec.markers.some((m) => m.kind === 'resume')).toBe(true);
    expect(stateHash(seek(rec, rec.lastTick))).toBe(stateHash(live));
  });

  it('a session stopped by a server shutdown can be resumed; nothing but a resume may follow an end', () => {
    const text = session.text.replace('"reason":"ended"', '"reason":"shutdown"');
    const { machine, result } = replayText(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const writer = new RecordingWriter({ ...machine.header!, initialState: result.value });
    const resumed =
      text +
      writer.resume(result.value, '2026-11-28T10:50:00.000Z') +
      writer.end('ended', '2026-11-28T10:51:00.000Z');
    const rec = load(resumed);
    expect(rec.end?.reason).toBe('ended');
    expect(rec.divergence).toBeNull();
    const after = text + '{"k":"h","t":3010,"hash":"0123456789abcdef"}\n';
    const r = loadRecording(after);
    expect(r.ok || r.error.code).toBe(RecordingErrorCode.INVALID_LINE);
  });
});
