/**
 * Engineering time per remedy, in simulated seconds. The protocol does not send the scenario's figures yet, so the
 * console shows the simulation's defaults (shared/sim/create.ts DEFAULT_ENGINEERING_SEC, copied here because that
 * module pulls the scenario schema, and zod, into the student's bundle). Once a change starts, its real ready
 * tick comes with the pod (`pending.readyTick`).
 */
export const DEFAULT_ENGINEERING_SEC = { fix_leak: 60, add_backpressure: 20, stream_batch: 30 } as const;
