import type { InjectKind } from '../../shared/protocol/schemas.ts';
import type { Command } from '../../shared/sim/types.ts';

/** What the host's "inject" buttons do, in simulation commands. Figures follow the seed's worked example. */
export const INJECT = {
  /** The seed's 700 MB request batch, loaded at once. */
  batchMiB: 700,
  trafficMultiplier: 3,
  trafficSec: 30,
  /** A BestEffort pod with a fast leak: the node fills and the global OOM killer must choose. */
  noisyLeakMiBps: 40,
} as const;

/**
 * The commands for one injection. `studentSlots` are the targets of a batch when no slot is named;
 * `takenSlot` tells whether a pod name is in use (the noisy neighbour gets a fresh one).
 */
export function injectionCommands(kind: InjectKind, target: string | undefined, studentSlots: readonly string[], takenSlot: (s: string) => boolean): Command[] {
  switch (kind) {
    case 'batch':
      return (target ? [target] : studentSlots).map((pod) => ({ type: 'start_batch', pod, sizeMiB: INJECT.batchMiB }));
    case 'traffic_spike':
      return [{ type: 'traffic_spike', multiplier: INJECT.trafficMultiplier, durationSec: INJECT.trafficSec }];
    case 'noisy_neighbour': {
      let slot = 'noisy-neighbour';
      for (let n = 2; takenSlot(slot); n++) slot = `noisy-neighbour-${n}`;
      return [
        {
          type: 'add_pod',
          pod: {
            slot,
            requestMiB: null,
            limitMiB: null,
            workload: { comm: 'stress', baselineMiB: 64, leakMiBps: INJECT.noisyLeakMiBps, requestsPerSec: 0, batch: null, fileReadMiBps: 0 },
          },
        },
      ];
    }
  }
}
