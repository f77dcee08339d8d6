/** A container as kubectl shows it, the one shape every kubectl reader here produces, and its memory quantities. */

/** A container as kubectl shows it. */
export interface ContainerView {
  pod: string;
  namespace: string | null;
  container: string;
  qosClass: string | null;
  limitBytes: number | null;
  requestBytes: number | null;
  restarts: number | null;
  /** The termination that is an OOM kill (Last State or State), if any. */
  terminated: { reason: string; exitCode: number | null; finishedAt: string | null } | null;
  waitingReason: string | null;
}

const SUFFIX: ReadonlyMap<string, number> = new Map([
  ['Ki', 1024],
  ['Mi', 1024 ** 2],
  ['Gi', 1024 ** 3],
  ['Ti', 1024 ** 4],
  ['Pi', 1024 ** 5],
  ['k', 1e3],
  ['M', 1e6],
  ['G', 1e9],
  ['T', 1e12],
  ['P', 1e15],
  ['m', 1e-3],
  ['', 1],
]);

/** A Kubernetes quantity (`512Mi`, `1Gi`, `500M`, `1073741824`) in bytes, or null. */
export function quantityBytes(q: string | null | undefined): number | null {
  if (!q) return null;
  const s = q.trim();
  let i = 0;
  while (i < s.length && ((s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) || s[i] === '.')) i++;
  const num = Number(s.slice(0, i));
  const mult = SUFFIX.get(s.slice(i));
  if (i === 0 || !Number.isFinite(num) || mult === undefined) return null;
  return Math.round(num * mult);
}
