import { z } from 'zod';

/**
 * Runtime schemas for simulation commands. Scenario timelines and the socket protocol both validate with these, so
 * the wire and the files cannot drift from the reducer's `Command` type. Shapes and ranges only: the reducer still
 * checks what depends on the state (a limit below usage, an unknown pod).
 */
const mib = z.number().finite().min(0).max(1024 * 1024);
const positiveMiB = mib.refine((v) => v > 0, 'must be above 0');
/** A memory limit is whole pages: at least one 4 KiB page (a smaller one would round to no memory at all). */
const limitMiB = mib.refine((v) => v * 256 >= 1, 'must be at least one 4 KiB page (0.00390625 MiB)');
/**
 * Kubernetes' DNS-1123 label rule (RFC 1123), which pod names follow: lower-case letters, digits and dashes, a letter
 * or digit at each end, at most 63 characters. Names checked against it where they enter (join, scenario file,
 * upload, resume) can never be `__proto__`, `toString` or `hasOwnProperty`; `constructor` is a valid label, which is
 * why every table keyed by names is prototype-free as well (shared/util/dict.ts).
 */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_LABEL_MAX = 63;
/** A slot (the student's stable pod name stem): 40 at most, so `<slot>-<5-char suffix>` stays a label too. */
export const SLOT_MAX = 40;

/** Whether `s` is a DNS-1123 label of at most `max` characters. */
export function isDnsLabel(s: unknown, max = DNS1123_LABEL_MAX): s is string {
  return typeof s === 'string' && s.length <= max && DNS1123_LABEL.test(s);
}

const labelMessage = (max: number) =>
  `a pod name is a DNS-1123 label: 1–${max} lower-case letters, digits or dashes, starting and ending with a letter or digit`;
/** A slot, as a schema (scenario pod names, pod templates, host injections, recordings). */
export const slotSchema = z.string().max(SLOT_MAX, labelMessage(SLOT_MAX)).regex(DNS1123_LABEL, labelMessage(SLOT_MAX));
/** A pod object's name (`<slot>-<suffix>`). */
export const podNameSchema = z
  .string()
  .max(DNS1123_LABEL_MAX, labelMessage(DNS1123_LABEL_MAX))
  .regex(DNS1123_LABEL, labelMessage(DNS1123_LABEL_MAX));
const slot = slotSchema;

export const batchSchema = z.strictObject({
  sizeMiB: positiveMiB,
  mode: z.enum(['load', 'stream']),
  rateMiBps: positiveMiB,
  chunkMiB: positiveMiB,
  everySec: z.number().finite().min(0).max(86_400),
});

export const workloadSchema = z.strictObject({
  comm: z.string().min(1).max(15).regex(/^[\w.-]+$/, 'letters, digits, dot, dash or underscore'),
  baselineMiB: mib,
  leakMiBps: mib,
  requestsPerSec: z.number().finite().min(0).max(100_000),
  mibPerRequest: mib,
  requestSec: z.number().finite().min(0.1).max(10),
  bufferCapMiB: positiveMiB.nullable(),
  batch: batchSchema.nullable(),
  fileReadMiBps: mib,
  fileSetMiB: mib,
});

export const workloadPatchSchema = workloadSchema
  .pick({ leakMiBps: true, requestsPerSec: true, mibPerRequest: true, bufferCapMiB: true, batch: true, fileReadMiBps: true, fileSetMiB: true })
  .partial();

const adj = z.number().int().min(-1000).max(1000);

export const podTemplateSchema = z.strictObject({
  slot,
  requestMiB: mib.nullable().optional(),
  limitMiB: limitMiB.nullable().optional(),
  oomScoreAdj: adj.nullable().optional(),
  priority: z.number().int().min(-2_000_000_000).max(2_000_000_000).optional(),
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
  /** Left out: the default small web service (docs/scenarios.md). */
  workload: workloadSchema.partial().default({}),
});

/** Commands that act on one pod, without the pod field (timelines and clients name the pod separately). */
export const podCommandBodySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('set_workload'), workload: workloadPatchSchema }),
  z.strictObject({ type: z.literal('set_resources'), requestMiB: mib.nullable(), limitMiB: limitMiB.nullable() }),
  z.strictObject({ type: z.literal('set_oom_score_adj'), value: adj.nullable() }),
  z.strictObject({ type: z.literal('fix_leak') }),
  z.strictObject({ type: z.literal('add_backpressure'), bufferCapMiB: positiveMiB }),
  z.strictObject({ type: z.literal('stream_batch'), chunkMiB: positiveMiB }),
  z.strictObject({ type: z.literal('start_batch'), sizeMiB: positiveMiB.optional() }),
  z.strictObject({ type: z.literal('kill') }),
  z.strictObject({ type: z.literal('exit'), code: z.number().int().min(0).max(255) }),
  z.strictObject({ type: z.literal('remove_pod') }),
]);
export type PodCommandBody = z.infer<typeof podCommandBodySchema>;

/** Commands for the whole node. */
export const nodeCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('traffic_spike'),
    multiplier: z.number().finite().min(0.1).max(20),
    durationSec: z.number().finite().min(1).max(3600),
  }),
  z.strictObject({ type: z.literal('add_pod'), pod: podTemplateSchema }),
]);

/** Turn a zod failure into one line that names each bad field, e.g. `pods[0].limitMiB: must be above 0`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path.reduce<string>(
        (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
        '',
      );
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}
