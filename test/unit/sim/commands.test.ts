import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../shared/sim/commandCheck.ts';
import { applyCommand } from '../../../shared/sim/commands.ts';
import { stateHash } from '../../../shared/sim/hash.ts';
import { SimErrorCode } from '../../../shared/sim/result.ts';
import type { Command } from '../../../shared/sim/types.ts';
import { mibToPages } from '../../../shared/sim/units.ts';
import { ofType, pod, run, sim } from './helpers.ts';

function running() {
  const s = sim({
    pods: [
      { name: 'a', requestMiB: 128, limitMiB: 256, workload: { baselineMiB: 100, leakMiBps: 1 } },
      { name: 'b', workload: { baselineMiB: 50 } },
    ],
  });
  run(s, 30);
  return s;
}

describe('C1 bad input returns a coded error and changes nothing', () => {
  it.each<[string, Command, string]>([
    ['unknown pod', { type: 'kill', pod: 'nobody' }, SimErrorCode.UNKNOWN_POD],
    ['limit below request', { type: 'set_resources', pod: 'a', requestMiB: 300, limitMiB: 200 }, SimErrorCode.LIMIT_BELOW_REQUEST],
    ['negative limit', { type: 'set_resources', pod: 'a', requestMiB: null, limitMiB: -1 }, SimErrorCode.INVALID_VALUE],
    ['NaN request', { type: 'set_resources', pod: 'a', requestMiB: Number.NaN, limitMiB: 512 }, SimErrorCode.INVALID_VALUE],
    ['huge limit', { type: 'set_resources', pod: 'a', requestMiB: null, limitMiB: 1e12 }, SimErrorCode.INVALID_VALUE],
    ['same resources', { type: 'set_resources', pod: 'a', requestMiB: 128, limitMiB: 256 }, SimErrorCode.NOTHING_TO_CHANGE],
    ['adj out of range', { type: 'set_oom_score_adj', pod: 'a', value: 1001 }, SimErrorCode.INVALID_VALUE],
    ['adj not an integer', { type: 'set_oom_score_adj', pod: 'a', value: 1.5 }, SimErrorCode.INVALID_VALUE],
    ['negative leak', { type: 'set_workload', pod: 'a', workload: { leakMiBps: -3 } }, SimErrorCode.INVALID_VALUE],
    ['infinite traffic', { type: 'set_workload', pod: 'a', workload: { requestsPerSec: Infinity } }, SimErrorCode.INVALID_VALUE],
    ['no leak to fix', { type: 'fix_leak', pod: 'b' }, SimErrorCode.NOTHING_TO_CHANGE],
    ['no batch to stream', { type: 'stream_batch', pod: 'a', chunkMiB: 32 }, SimErrorCode.NOTHING_TO_CHANGE],
    ['exit code 300', { type: 'exit', pod: 'a', code: 300 }, SimErrorCode.INVALID_VALUE],
    ['duplicate pod', { type: 'add_pod', pod: { slot: 'a', workload: {} } }, SimErrorCode.DUPLICATE_POD],
    ['bad pod name', { type: 'add_pod', pod: { slot: 'Bad Name!', workload: {} } }, SimErrorCode.INVALID_VALUE],
    ['spike too big', { type: 'traffic_spike', multiplier: 50, durationSec: 10 }, SimErrorCode.INVALID_VALUE],
    ['kill a pod not started yet', { type: 'kill', pod: 'stopped' }, SimErrorCode.POD_NOT_RUNNING],
    ['exit a pod not started yet', { type: 'exit', pod: 'stopped', code: 0 }, SimErrorCode.POD_NOT_RUNNING],
  ])('%s → %s', (_name, cmd, code) => {
    const s = running();
    // A pod added just now: its container has not started yet.
    expect(applyCommand(s, { type: 'add_pod', pod: { slot: 'stopped', workload: { baselineMiB: 20 } } }).ok).toBe(true);
    const before = stateHash(s);
    // The room judges a student's command on arrival with checkCommand alone: the same verdict, nothing changed.
    const checked = checkCommand(s, cmd);
    expect(checked.ok ? null : checked.error.code).toBe(code);
    expect(stateHash(s)).toBe(before);
    const r = applyCommand(s, cmd);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message.length).toBeGreaterThan(10);
    }
    expect(stateHash(s)).toBe(before);
  });

  it('a rejected command inside step() becomes a command_rejected event', () => {
    const s = running();
    const events = run(s, 1, { [s.tick + 1]: [{ type: 'kill', pod: 'ghost' }] });
    expect(ofType(events, 'command_rejected')[0]).toMatchObject({ code: 'UNKNOWN_POD', command: 'kill' });
  });

  it('a second code change while one is being built is refused', () => {
    const s = running();
    expect(applyCommand(s, { type: 'fix_leak', pod: 'a' }).ok).toBe(true);
    const r = applyCommand(s, { type: 'add_backpressure', pod: 'a', bufferCapMiB: 20 });
    expect(r.ok ? null : r.error.code).toBe(SimErrorCode.CHANGE_IN_PROGRESS);
  });
});

describe('P2/P3 changing resources', () => {
  it('recreates the pod (new name, restart count 0) without in-place resize', () => {
    const s = running();
    const old = pod(s, 'a').name;
    const events = run(s, 5, { [s.tick + 1]: [{ type: 'set_resources', pod: 'a', requestMiB: 128, limitMiB: 512 }] });
    expect(ofType(events, 'pod_deleted')[0]!.pod).toBe(old);
    const p = pod(s, 'a');
    expect(p.name).not.toBe(old);
    expect(p.spec.limitPages).toBe(mibToPages(512));
    expect(p.restartCount).toBe(0);
  });

  it('resizes in place when the node allows it and the QoS class stays, but not below usage', () => {
    const s = sim({
      node: { memoryMiB: 4096, inPlaceResize: true },
      pods: [{ name: 'a', requestMiB: 128, limitMiB: 256, workload: { baselineMiB: 150, requestsPerSec: 0 } }],
    });
    run(s, 20);
    const name = pod(s, 'a').name;
    const low = applyCommand(s, { type: 'set_resources', pod: 'a', requestMiB: 64, limitMiB: 100 });
    expect(low.ok ? null : low.error.code).toBe(SimErrorCode.LIMIT_BELOW_USAGE);
    const events = run(s, 2, { [s.tick + 1]: [{ type: 'set_resources', pod: 'a', requestMiB: 128, limitMiB: 512 }] });
    expect(ofType(events, 'resized')).toHaveLength(1);
    expect(pod(s, 'a').name).toBe(name);
    // Changing the QoS class (to Guaranteed) still needs a new pod.
    run(s, 2, { [s.tick + 1]: [{ type: 'set_resources', pod: 'a', requestMiB: 512, limitMiB: 512 }] });
    expect(pod(s, 'a').name).not.toBe(name);
  });
});

describe('C5 code changes take engineering time, then roll out', () => {
  it('fix_leak: the leak continues until the fix is deployed as a new pod', () => {
    const s = running();
    const started = s.tick;
    const events = run(s, 700, { [s.tick + 1]: [{ type: 'fix_leak', pod: 'a' }] });
    const change = ofType(events, 'change_started')[0]!;
    expect(change.readyTick - started - 1).toBe(600); // 60 s by default
    const rollout = ofType(events, 'pod_deleted').find((d) => d.reason.startsWith('rollout'))!;
    expect(rollout.tick).toBe(change.readyTick);
    expect(pod(s, 'a').spec.workload.leakMiBps).toBe(0);
  });

  it('stream_batch: the peak drops from the whole batch to one chunk', () => {
    const batch = { sizeMiB: 400, mode: 'load' as const, rateMiBps: 100, chunkMiB: 32, everySec: 10 };
    const s = sim({ node: { memoryMiB: 4096, engineeringSec: { stream_batch: 5 } }, pods: [{ name: 'a', workload: { baselineMiB: 50, requestsPerSec: 0, batch } }] });
    let peakLoad = 0;
    for (let i = 0; i < 200; i++) {
      run(s, 1);
      peakLoad = Math.max(peakLoad, pod(s, 'a').anonPages);
    }
    run(s, 100, { [s.tick + 1]: [{ type: 'stream_batch', pod: 'a', chunkMiB: 32 }] });
    let peakStream = 0;
    for (let i = 0; i < 200; i++) {
      run(s, 1);
      peakStream = Math.max(peakStream, pod(s, 'a').anonPages);
    }
    expect(pagesToMiBRounded(peakLoad)).toBeGreaterThanOrEqual(440);
    expect(pagesToMiBRounded(peakStream)).toBeLessThanOrEqual(50 + 32 + 1);
    expect(pod(s, 'a').batchesDone).toBeGreaterThan(0);
  });

  it('W5 add_backpressure: memory is bounded and excess requests are dropped', () => {
    const s = sim({ node: { memoryMiB: 4096, engineeringSec: { add_backpressure: 1 } }, pods: [{ name: 'a', workload: { baselineMiB: 50, requestsPerSec: 100, mibPerRequest: 2, requestSec: 1 } }] });
    run(s, 50, { 10: [{ type: 'add_backpressure', pod: 'a', bufferCapMiB: 40 }] });
    const before = pod(s, 'a').requestsDropped;
    run(s, 100);
    const p = pod(s, 'a');
    expect(p.inflightPages.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(mibToPages(40));
    expect(p.requestsDropped).toBeGreaterThan(before);
    expect(p.requestsServed).toBeGreaterThan(0);
  });
});

function pagesToMiBRounded(p: number) {
  return Math.round(p / 256);
}
