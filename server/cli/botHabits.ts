import type { PodCommandBody } from '../../shared/schemas/commands.ts';
import type { PodView } from '../../shared/protocol/views.ts';

/**
 * The habits of the client bots (`npm run bots`, the load benchmark's students, the server's warm-up): what a student
 * of each kind does next, looking at their own pod. Pure, and free of sockets, so the server can use it too.
 */
export type Strategy = 'leaky' | 'greedy' | 'careful' | 'random';
export const STRATEGIES: readonly Strategy[] = ['leaky', 'greedy', 'careful', 'random'];

const MiB = 256;

/** A bot's next move: its habit's, or (`alwaysAct`) a random student's when the habit has nothing sensible to do. */
export function nextCommand(strategy: Strategy, pod: PodView | null, rand: () => number, alwaysAct: boolean): PodCommandBody | null {
  return chooseCommand(strategy, pod, rand) ?? (alwaysAct ? chooseCommand('random', pod, rand) : null);
}

/** What a student with this habit would do next, looking at their pod. Pure, so it is easy to test. */
export function chooseCommand(strategy: Strategy, pod: PodView | null, rand: () => number): PodCommandBody | null {
  if (!pod) return null;
  const limitMiB = pod.limitPages === null ? null : Math.round(pod.limitPages / MiB);
  const requestMiB = pod.requestPages === null ? null : Math.round(pod.requestPages / MiB);
  const oomKilled = pod.lastReason === 'OOMKilled' || pod.reason === 'OOMKilled';
  switch (strategy) {
    case 'leaky':
      // Never fixes anything; after a kill, raises the limit a bit ("just give it more memory").
      if (oomKilled && limitMiB !== null && limitMiB < 2048) return { type: 'set_resources', requestMiB, limitMiB: limitMiB + 128 };
      return rand() < 0.3 ? { type: 'set_workload', workload: { requestsPerSec: 10 + Math.round(rand() * 30) } } : null;
    case 'greedy':
      // Asks for a lot, protects itself with a low oom_score_adj, and pushes traffic.
      if (pod.adjOverride === null) return { type: 'set_oom_score_adj', value: -900 };
      if (limitMiB !== null && limitMiB < 1024) return { type: 'set_resources', requestMiB: requestMiB ?? 64, limitMiB: 1024 };
      return { type: 'set_workload', workload: { requestsPerSec: 40 } };
    case 'careful':
      // Does the durable fixes in order: fix the leak, stream the batch, add backpressure, then right-size.
      if (pod.pending) return null;
      if (pod.workload.leakMiBps > 0) return { type: 'fix_leak' };
      if (pod.workload.batch && pod.workload.batch.mode === 'load') return { type: 'stream_batch', chunkMiB: 32 };
      if (pod.workload.bufferCapMiB === null) return { type: 'add_backpressure', bufferCapMiB: 64 };
      if (limitMiB !== null && requestMiB !== limitMiB) return { type: 'set_resources', requestMiB: limitMiB, limitMiB };
      return null;
    case 'random': {
      const options: PodCommandBody[] = [
        { type: 'set_workload', workload: { requestsPerSec: Math.round(rand() * 40) } },
        { type: 'set_oom_score_adj', value: Math.round(rand() * 2000 - 1000) },
        { type: 'start_batch' },
        { type: 'set_workload', workload: { leakMiBps: Math.round(rand() * 3) } },
      ];
      if (limitMiB !== null) options.push({ type: 'set_resources', requestMiB: null, limitMiB: Math.max(128, limitMiB + (rand() < 0.5 ? -64 : 64)) });
      if (!pod.pending) options.push({ type: 'fix_leak' });
      return options[Math.floor(rand() * options.length)]!;
    }
  }
}
