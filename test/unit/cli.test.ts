import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const sim = (...args: string[]) => exec(process.execPath, ['--import', 'tsx', 'server/cli/sim.ts', ...args], { cwd: process.cwd() });

describe('npm run sim', () => {
  it('prints NDJSON events with t, type, pod; oom_kill and restart fields', async () => {
    const { stdout } = await sim('worked-example', '--format', 'ndjson', '--duration', '30');
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l));
    for (const e of events) expect(e).toEqual(expect.objectContaining({ t: expect.any(Number), type: expect.any(String) }));
    const kill = events.find((e) => e.type === 'oom_kill');
    expect(kill).toMatchObject({ constraint: 'memcg', exitCode: 137, reason: 'OOMKilled', pod: expect.stringMatching(/^api-/) });
    expect(kill.candidates.length).toBe(1);
    const restart = events.filter((e) => e.type === 'restarted');
    expect(restart.map((r) => [r.restartCount, r.backoffSec])).toEqual([[1, 0], [2, 10]]);
  });

  it('prints a text timeline like dmesg and kubectl get pods -w', async () => {
    const { stdout } = await sim('worked-example', '--duration', '20', '--seed', '3');
    expect(stdout).toContain('Memory cgroup out of memory: Killed process');
    expect(stdout).toMatch(/pods -w +api-\w{5} +0\/1 +CrashLoopBackOff/);
  });

  it.each([
    [['no-such-scenario'], /neither a built-in scenario nor a \.json file/],
    [['worked-example', '--seed', 'abc'], /--seed must be an integer/],
    [['worked-example', '--seed', '-1'], /--seed must be an integer from 0 to 4294967295/],
    [['worked-example', '--at', '5', 'get', 'secrets'], /is not one of: get pods, get nodes, get events, describe pod <name>/],
    [['worked-example', '--at', '5'], /--at needs a kubectl command/],
    [['worked-example', '--at', '5', 'describe', 'pod', 'nope'], /no pod "nope" at t=5s/],
    [['worked-example', '--format', 'xml'], /--format is text or ndjson/],
    [[], /give exactly one scenario/],
  ])('rejects %j with a message and a non-zero exit', async (args, message) => {
    await expect(sim(...args)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
  });

  it('V2 (item 13): prints kubectl get pods and describe pod at a chosen moment, in the real formats', async () => {
    const { stdout: get } = await sim('worked-example', '--at', '16.2', 'get', 'pods');
    expect(get.split('\n')[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE$/);
    expect(get.split('\n')[1]).toMatch(/^api-\w{5} +0\/1 +CrashLoopBackOff +1 \(0s ago\) +16s$/);
    const { stdout: describe } = await sim('worked-example', '--at', '20', 'describe', 'pod', 'api');
    expect(describe).toContain('    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n');
    expect(describe).toMatch(/\n {2}Warning +BackOff +3s +kubelet +Back-off restarting failed container app in pod api-\w{5}_default/);
    const { stdout: nodes } = await sim('worked-example', '--at', '1', 'get', 'nodes');
    expect(nodes.split('\n')[1]).toMatch(/^node-1 +Ready +<none> +60m +v1\.33\.0$/);
  });

  it('rejects a bad scenario file naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', durationSec: 5, node: { memoryMiB: 1024 }, pods: [{ name: 'a', oomScoreAdj: 5000, workload: {} }] }));
    await expect(sim(file)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('pods[0].oomScoreAdj') });
  });
});
