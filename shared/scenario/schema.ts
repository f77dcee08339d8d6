import { z } from 'zod';
import { describeIssues, nodeCommandSchema, podCommandBodySchema, podTemplateSchema, slotSchema, workloadSchema } from '../schemas/commands.ts';

const engineering = z.strictObject({
  fix_leak: z.number().finite().min(0).max(3600).optional(),
  add_backpressure: z.number().finite().min(0).max(3600).optional(),
  stream_batch: z.number().finite().min(0).max(3600).optional(),
});

const seconds = (max: number) => z.number().finite().min(0).max(max);

export const nodeConfigSchema = z.strictObject({
  memoryMiB: z.number().int().min(256).max(1024 * 1024),
  /** system-reserved + kube-reserved in one figure (older files); or give them apart below. */
  reservedMiB: z.number().int().min(0).max(1024 * 1024).optional(),
  systemReservedMiB: z.number().int().min(0).max(1024 * 1024).optional(),
  kubeReservedMiB: z.number().int().min(0).max(1024 * 1024).optional(),
  /** The kubelet's enforceNodeAllocatable: ["pods"] (default) limits /kubepods.slice; ["none"] or [] does not. */
  enforceNodeAllocatable: z.array(z.enum(['pods', 'none'])).max(2).optional(),
  nodeMonitorGracePeriodSec: z.number().finite().min(1).max(3600).optional(),
  containerdRestartSec: seconds(3600).optional(),
  kubeletRestartSec: seconds(3600).optional(),
  evictionThresholdMiB: z.number().int().min(0).max(1024 * 1024).optional(),
  swapMiB: z.number().int().min(0).max(1024 * 1024).optional(),
  inPlaceResize: z.boolean().optional(),
  engineeringSec: engineering.optional(),
});

const timelineEntry = z.union([
  z.strictObject({ atSec: z.number().finite().min(0), pod: slotSchema, command: podCommandBodySchema }),
  z.strictObject({ atSec: z.number().finite().min(0), command: nodeCommandSchema }),
]);

/** A scenario file, as a teacher writes it (docs/scenarios.md). */
export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][-a-z0-9]{0,39}$/, 'lower-case letters, digits and dashes'),
    title: z.string().max(120).optional(),
    description: z.string().max(4000).optional(),
    durationSec: z.number().finite().min(1).max(24 * 3600),
    seed: z.number().int().min(0).max(4294967295).optional(),
    node: nodeConfigSchema,
    pods: z.array(podTemplateSchema.omit({ slot: true }).extend({ name: podTemplateSchema.shape.slot })).max(500),
    timeline: z.array(timelineEntry).max(10_000).default([]),
    /** For live sessions: the pod each joining student gets, and how many fit. */
    student: z
      .strictObject({
        requestMiB: z.number().min(0).nullable().optional(),
        limitMiB: z.number().min(1).nullable().optional(),
        workload: workloadSchema.partial().default({}),
        maxPods: z.number().int().min(1).max(300),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    s.pods.forEach((p, i) => {
      if (names.has(p.name)) ctx.addIssue({ code: 'custom', path: ['pods', i, 'name'], message: `duplicate pod name "${p.name}"` });
      names.add(p.name);
      if (p.requestMiB != null && p.limitMiB != null && p.limitMiB < p.requestMiB) {
        ctx.addIssue({ code: 'custom', path: ['pods', i, 'limitMiB'], message: 'must be at least requestMiB' });
      }
    });
    s.timeline.forEach((e, i) => {
      if ('pod' in e && !names.has(e.pod)) {
        ctx.addIssue({ code: 'custom', path: ['timeline', i, 'pod'], message: `no pod named "${e.pod}" in pods` });
      }
    });
    const st = s.student;
    if (st?.requestMiB != null && st.limitMiB != null && st.limitMiB < st.requestMiB) {
      ctx.addIssue({ code: 'custom', path: ['student', 'limitMiB'], message: 'must be at least requestMiB' });
    }
    checkNode(s.node, ctx);
  });

/**
 * N2: the kubelet refuses a configuration whose reservations (system + kube reserved + the hard eviction threshold)
 * exceed the node's capacity (`validateNodeAllocatable`), so such a file is refused too, naming the field.
 */
function checkNode(n: z.infer<typeof nodeConfigSchema>, ctx: z.RefinementCtx): void {
  if (n.reservedMiB !== undefined && (n.systemReservedMiB !== undefined || n.kubeReservedMiB !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['node', 'reservedMiB'],
      message: 'give either reservedMiB or systemReservedMiB/kubeReservedMiB, not both',
    });
  }
  const reserved = (n.reservedMiB ?? 0) + (n.systemReservedMiB ?? 0) + (n.kubeReservedMiB ?? 0);
  const threshold = n.evictionThresholdMiB ?? 100;
  if (n.evictionThresholdMiB !== undefined && n.evictionThresholdMiB >= n.memoryMiB) {
    ctx.addIssue({ code: 'custom', path: ['node', 'evictionThresholdMiB'], message: 'must be less than memoryMiB' });
  } else if (reserved >= n.memoryMiB || reserved + threshold > n.memoryMiB) {
    const field = n.reservedMiB !== undefined ? 'reservedMiB' : n.kubeReservedMiB !== undefined ? 'kubeReservedMiB' : 'systemReservedMiB';
    ctx.addIssue({
      code: 'custom',
      path: ['node', field],
      message: `reserved memory (${reserved} MiB) plus the eviction threshold (${threshold} MiB) must not exceed memoryMiB (${n.memoryMiB} MiB): allocatable would be negative`,
    });
  }
  const enforce = n.enforceNodeAllocatable;
  if (enforce && enforce.includes('none') && enforce.length > 1) {
    ctx.addIssue({ code: 'custom', path: ['node', 'enforceNodeAllocatable'], message: '"none" cannot be combined with other values' });
  }
}

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** Parse a teacher's scenario file (already JSON-decoded): the scenario, or a message naming the bad field. */
export function parseScenario(raw: unknown): { ok: true; scenario: Scenario } | { ok: false; message: string } {
  const r = scenarioSchema.safeParse(raw);
  return r.success ? { ok: true, scenario: r.data } : { ok: false, message: describeIssues(r.error) };
}
