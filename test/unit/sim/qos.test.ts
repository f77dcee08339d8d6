import { describe, expect, it } from 'vitest';
import { kubeletOomScoreAdj, qosClass } from '../../../shared/sim/qos.ts';
import { specFromTemplate } from '../../../shared/sim/podLifecycle.ts';
import { mibToPages } from '../../../shared/sim/units.ts';

const cap = mibToPages(4096);
const p = (mib: number | null) => (mib === null ? null : mibToPages(mib));

describe('Q1 QoS class from request and limit', () => {
  it.each([
    [null, null, 'BestEffort'],
    [512, 512, 'Guaranteed'],
    [256, 512, 'Burstable'],
    [256, null, 'Burstable'],
  ] as const)('request %s limit %s → %s', (req, lim, qos) => {
    expect(qosClass(p(req), p(lim))).toBe(qos);
  });

  it('P1: a limit alone defaults the request to the limit, so the pod is Guaranteed', () => {
    const spec = specFromTemplate({ slot: 'a', limitMiB: 512, workload: {} });
    expect(spec.requestPages).toBe(mibToPages(512));
    expect(qosClass(spec.requestPages, spec.limitPages)).toBe('Guaranteed');
  });
});

describe('Q2 the oom_score_adj the kubelet sets (policy.go)', () => {
  it.each([
    ['Guaranteed', 512, 512, -997],
    ['BestEffort', null, null, 1000],
    ['Burstable 1 GiB of 4 GiB', 1024, null, 750],
    ['Burstable 256 MiB of 4 GiB (integer division)', 256, 1024, 938],
    ['Burstable with a tiny request: 1000 becomes 999', 1, null, 999],
    ['Burstable requesting all the memory: floor is 3', 4096, null, 3],
    ['Burstable requesting more than capacity: floor is 3', 4095.9, 8192, 3],
  ] as const)('%s → %i', (_name, req, lim, adj) => {
    expect(kubeletOomScoreAdj(p(req), p(lim), cap)).toBe(adj);
  });
});
