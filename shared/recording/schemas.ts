/**
 * Runtime schemas for every line of a recording. An uploaded file is untrusted: a keyframe's state is checked field
 * by field before the simulation touches it, so a hand-edited file gets a coded error instead of a crash.
 */
import { z } from 'zod';
import { scenarioSchema } from '../scenario/schema.ts';
import { batchSchema, nodeCommandSchema, podCommandBodySchema, podNameSchema, slotSchema } from '../schemas/commands.ts';
import type { Command, SimState } from '../sim/types.ts';

const int = z
  .number()
  .int()
  .min(-(2 ** 53))
  .max(2 ** 53);
const tick = z.number().int().min(0).max(1_000_000_000);
const hash = z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits');
const text = z.string().max(2000);
const nullableText = text.nullable();

const workloadSpec = z.strictObject({
  comm: z.string().max(15),
  baselineMiB: z.number().finite(),
  leakMiBps: z.number().finite(),
  requestsPerSec: z.number().finite(),
  mibPerRequest: z.number().finite(),
  requestSec: z.number().finite().min(0.1).max(10),
  bufferCapMiB: z.number().finite().nullable(),
  batch: batchSchema.nullable(),
  fileReadMiBps: z.number().finite(),
  fileSetMiB: z.number().finite(),
});

const podSpec = z.strictObject({
  requestPages: int.nullable(),
  limitPages: int.nullable(),
  priority: int,
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']),
  oomScoreAdjOverride: int.nullable(),
  workload: workloadSpec,
});

const terminated = z.strictObject({
  reason: z.enum(['OOMKilled', 'Error', 'Completed']),
  exitCode: int,
  signal: int.nullable(),
  startedTick: int,
  finishedTick: int,
});

const pending = z.strictObject({
  kind: z.enum(['fix_leak', 'add_backpressure', 'stream_batch']),
  readyTick: int,
  valueMiB: z.number().finite().nullable(),
});

const podState = z.strictObject({
  uid: int,
  slot: slotSchema,
  name: podNameSchema,
  spec: podSpec,
  createdTick: int,
  scheduledTick: int,
  phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed']),
  phaseReason: nullableText,
  phaseMessage: nullableText,
  cState: z.enum(['Waiting', 'Running', 'Terminated']),
  cWaitingReason: z.enum(['ContainerCreating', 'CrashLoopBackOff']).nullable(),
  cTerminated: terminated.nullable(),
  pid: int,
  startedTick: int,
  restartCount: int,
  lastState: terminated.nullable(),
  backoffSec: int,
  backoffUpdatedTick: int,
  restartAtTick: int,
  lastWaitSec: int,
  dying: z.boolean(),
  failcnt: int,
  noVictimReported: z.boolean(),
  anonPages: int,
  fileRssPages: int,
  cacheInactivePages: int,
  cacheActivePages: int,
  swapPages: int,
  leakedPages: int,
  inflightPages: z.array(int).max(1000),
  inflightReqs: z.array(int).max(1000),
  arrivalMilli: int,
  batchWaitTicks: int,
  batchLoadedPages: int,
  batchRemainingPages: int,
  schedMessage: nullableText,
  requestsServed: int,
  requestsDropped: int,
  batchesDone: int,
  eventsMax: int,
  eventsOom: int,
  eventsOomKill: int,
  pending: pending.nullable(),
});

const daemon = z.strictObject({
  pid: int,
  comm: z.string().max(15),
  rssPages: int,
  oomScoreAdj: int,
  downUntilTick: int,
  downSinceTick: int,
  restartSec: z.number().finite(),
  restarts: int,
});

const nodeState = z.strictObject({
  name: z.string().max(60),
  capacityPages: int,
  reservedPages: int,
  kubepodsLimitPages: int.nullable(),
  nodeMonitorGraceSec: z.number().finite(),
  evictionThresholdPages: int,
  swapPages: int,
  inPlaceResize: z.boolean(),
  engineeringSec: z.strictObject({
    fix_leak: z.number().finite(),
    add_backpressure: z.number().finite(),
    stream_batch: z.number().finite(),
  }),
  daemons: z.array(daemon).max(20).readonly(),
  memoryPressure: z.boolean(),
  lastPressureTick: int,
  trafficMilli: int,
  trafficUntilTick: int,
  swapUsedPages: int,
  ready: z.enum(['True', 'False', 'Unknown']),
  kubepodsFailcnt: int,
  noVictimReported: z.boolean(),
});

/** A keyframe's state. Events are not kept in keyframes (an empty list). */
export const simStateSchema = z.strictObject({
  simVersion: int,
  tick,
  seed: int,
  rng: int,
  nextUid: int,
  nextPid: int,
  node: nodeState,
  pods: z.array(podState).max(5000),
  events: z.array(z.unknown()).max(0),
}) satisfies z.ZodType<unknown>;

/** Any command, pod field included: pod commands are validated as the timeline's body plus the pod's name. */
export const commandSchema = z.union([
  nodeCommandSchema,
  z.discriminatedUnion(
    'type',
    podCommandBodySchema.options.map((o) => o.extend({ pod: slotSchema })) as unknown as [
      typeof podCommandBodySchema,
    ],
  ),
]) as unknown as z.ZodType<Command>;

const participant = z.strictObject({
  id: z.string().min(1).max(80),
  name: z.string().max(80),
  role: z.enum(['student', 'host', 'bot']),
  slot: slotSchema.nullable().optional(),
});

export const headerSchema = z.strictObject({
  k: z.literal('header'),
  formatVersion: z.number().int(),
  simVersion: z.number().int(),
  id: z.string().regex(/^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/, 'letters, digits, dashes'),
  code: z.string().max(20),
  startedAt: z.string().max(40),
  scenario: scenarioSchema,
  seed: z.number().int().min(0).max(4294967295),
  options: z.record(z.string(), z.unknown()),
  participants: z.array(participant).max(1000),
  origin: z.strictObject({ recording: z.string().max(100), tick }).nullable(),
});

const at = z.string().max(40);

export const bodyLineSchema = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('k'), t: tick, hash, state: simStateSchema }),
  z.strictObject({ k: z.literal('c'), t: tick, by: z.string().min(1).max(80), cmd: commandSchema }),
  z.strictObject({ k: z.literal('h'), t: tick, hash }),
  z
    .strictObject({
      k: z.literal('a'),
      t: tick,
      action: z.string().min(1).max(40),
      detail: z.record(z.string(), z.unknown()).optional(),
    })
    .superRefine((l, ctx) => {
      // A seat's slot names a pod: the same DNS-1123 rule as everywhere a pod name enters (resume re-seats by it).
      const slot = l.detail?.['slot'];
      if (slot !== undefined && slot !== null && !slotSchema.safeParse(slot).success) {
        ctx.addIssue({ code: 'custom', path: ['detail', 'slot'], message: 'a slot is a DNS-1123 label (lower-case letters, digits, dashes)' });
      }
    }),
  z.strictObject({ k: z.literal('r'), t: tick, at }),
  z.strictObject({ k: z.literal('e'), t: tick, reason: z.enum(['ended', 'shutdown']), at }),
]);

// The schemas must accept what the types describe (a compile-time check that they have not drifted apart).
type StateShape = z.infer<typeof simStateSchema>;
const stateFits: (s: SimState) => Omit<StateShape, 'events'> = (s) => s;
void stateFits;
