import { kubeletCanRunContainers, restartDaemons, updateNodeReady } from './agents.ts';
import type { TickContext } from './charge.ts';
import { cloneState } from './clone.ts';
import { applyCommand, deployReadyChanges } from './commands.ts';
import { EVICTION_INTERVAL_TICKS, evictionCheck } from './eviction.ts';
import { kubeletSync } from './kubelet.ts';
import { nodeUsedPages, podUsagePages, releaseAllMemory } from './memory.ts';
import { terminateContainer } from './podLifecycle.ts';
import { randomInt } from './random.ts';
import type { Command, PodState, SimState } from './types.ts';
import { runWorkload } from './workload.ts';

/** T2: the pure step: a new state one tick on; the input state is untouched. */
export function step(state: SimState, commands: readonly Command[] = []): SimState {
  const next = cloneState(state);
  advance(next, commands);
  return next;
}

/**
 * The same tick, in place, for an owner that keeps no other reference to `state` (the server's room loop).
 * Order within a tick (T3): reap → systemd restarts node agents → node Ready condition → commands → rollouts →
 * kubelet → workloads and kernel → eviction check (only while the kubelet and containerd run: N3).
 */
export function advance(state: SimState, commands: readonly Command[] = []): void {
  state.tick += 1;
  state.events = [];
  reap(state);
  restartDaemons(state);
  updateNodeReady(state);
  for (const cmd of commands) {
    const r = applyCommand(state, cmd);
    if (!r.ok) {
      state.events.push({ tick: state.tick, type: 'command_rejected', code: r.error.code, message: r.error.message, command: cmd.type });
    }
  }
  deployReadyChanges(state);
  kubeletSync(state);
  runWorkloads(state);
  if (state.tick % EVICTION_INTERVAL_TICKS === 0 && kubeletCanRunContainers(state)) evictionCheck(state);
}

/** K7: processes that ended last tick are reaped: their memory returns to the node. */
function reap(state: SimState): void {
  for (const p of state.pods) {
    if (p.cState === 'Running') continue;
    p.dying = false;
    if (p.anonPages + p.fileRssPages + p.cacheInactivePages + p.cacheActivePages + p.swapPages > 0) {
      releaseAllMemory(state, p);
    }
  }
}

const onOomKill = (state: SimState) => (victim: PodState) => terminateContainer(state, victim, 'OOMKilled', 137, 9);

/** W0: running containers allocate in an order shuffled by the seeded PRNG each tick (who asks first varies). */
function runWorkloads(state: SimState): void {
  const running: PodState[] = [];
  for (const p of state.pods) if (p.cState === 'Running' && !p.dying) running.push(p);
  for (let i = running.length - 1; i > 0; i--) {
    const j = randomInt(state, i + 1);
    const t = running[i]!;
    running[i] = running[j]!;
    running[j] = t;
  }
  let kubepods = 0;
  for (const p of state.pods) kubepods += podUsagePages(p);
  const ctx: TickContext = { usedPages: nodeUsedPages(state), kubepodsPages: kubepods };
  const kill = onOomKill(state);
  for (const p of running) if (p.cState === 'Running' && !p.dying) runWorkload(state, ctx, p, kill);
}
