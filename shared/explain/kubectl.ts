import type { Kill } from './explanation.ts';
import { parseUInt } from './input.ts';
import { readKilled } from './kernelLines.ts';
import { parseMiniYaml, type YamlMap, type YamlValue } from './miniYaml.ts';
import { adjMeaning } from './qosReading.ts';
import { remediesFor } from './remedies.ts';

/**
 * Kubernetes' views of an OOM kill: `kubectl describe pod`, `kubectl get events`, `kubectl get pod -o yaml|json`.
 * They name the container and its limit but not the kernel's scan, so their kills carry no candidates.
 */

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

const isMap = (v: YamlValue | unknown): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
const get = (v: unknown, ...path: string[]): unknown => {
  let cur = v;
  for (const k of path) {
    if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Containers of a Pod object (from JSON or the mini YAML reader); a List's items too. */
export function containersOfPodObject(obj: unknown): ContainerView[] {
  if (str(get(obj, 'kind')) === 'List') return list(get(obj, 'items')).flatMap(containersOfPodObject);
  const out: ContainerView[] = [];
  const pod = str(get(obj, 'metadata', 'name')) ?? '(pod)';
  const namespace = str(get(obj, 'metadata', 'namespace'));
  const qos = str(get(obj, 'status', 'qosClass'));
  const specs = new Map<string, unknown>();
  for (const c of list(get(obj, 'spec', 'containers'))) {
    const name = str(get(c, 'name'));
    if (name) specs.set(name, c);
  }
  for (const s of list(get(obj, 'status', 'containerStatuses'))) {
    const name = str(get(s, 'name')) ?? '(container)';
    const spec = specs.get(name);
    const term = [get(s, 'lastState', 'terminated'), get(s, 'state', 'terminated')].find(
      (t) => isMap(t) || (typeof t === 'object' && t !== null),
    );
    const reason = str(get(term, 'reason'));
    out.push({
      pod,
      namespace,
      container: name,
      qosClass: qos,
      limitBytes: quantityBytes(str(get(spec, 'resources', 'limits', 'memory'))),
      requestBytes: quantityBytes(str(get(spec, 'resources', 'requests', 'memory'))),
      restarts: parseUInt(str(get(s, 'restartCount')) ?? undefined),
      terminated: reason
        ? {
            reason,
            exitCode: parseUInt(str(get(term, 'exitCode')) ?? undefined),
            finishedAt: str(get(term, 'finishedAt')),
          }
        : null,
      waitingReason: str(get(s, 'state', 'waiting', 'reason')),
    });
  }
  return out;
}

/** `kubectl get pod -o json` or `-o yaml`; null when the text is neither. */
export function readPodObject(text: string, rawLines: readonly string[]): ContainerView[] | null {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    try {
      return containersOfPodObject(JSON.parse(t));
    } catch {
      return null;
    }
  }
  if (
    !rawLines.some(
      (l) =>
        l.startsWith('kind: Pod') || l.startsWith('kind: List') || l.trim().startsWith('containerStatuses:'),
    )
  )
    return null;
  return containersOfPodObject(parseMiniYaml(rawLines));
}

/** `kubectl describe pod`: the pod's header and each container's block (kubectl/pkg/describe/describe.go). */
export function readDescribe(rawLines: readonly string[]): ContainerView[] {
  const out: ContainerView[] = [];
  let pod: string | null = null;
  let namespace: string | null = null;
  let qos: string | null = null;
  let inContainers = false;
  let podStart = 0;
  let cur: ContainerView | null = null;
  let block: 'state' | 'last' | 'limits' | 'requests' | null = null;
  let state: { reason: string | null; exit: number | null; finished: string | null; name: string | null } = {
    reason: null,
    exit: null,
    finished: null,
    name: null,
  };
  let last = { ...state };
  const flush = () => {
    if (!cur) return;
    const t =
      last.name === 'Terminated' && last.reason
        ? last
        : state.name === 'Terminated' && state.reason
          ? state
          : null;
    cur.terminated = t ? { reason: t.reason!, exitCode: t.exit, finishedAt: t.finished } : null;
    cur.waitingReason = state.name === 'Waiting' ? state.reason : null;
    out.push(cur);
    cur = null;
  };
  for (const raw of rawLines) {
    let n = 0;
    while (n < raw.length && raw.charCodeAt(n) === 32) n++;
    const line = raw.slice(n);
    const colon = line.indexOf(':');
    const key = colon > 0 ? line.slice(0, colon) : line;
    const value = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (n === 0) {
      if (key === 'Name') {
        // `kubectl describe pods` prints one block per pod: a new Name starts the next.
        flush();
        for (let i = podStart; i < out.length; i++) out[i]!.qosClass = qos;
        podStart = out.length;
        pod = value;
        namespace = null;
        qos = null;
      } else if (key === 'Namespace') namespace = value;
      else if (key === 'QoS Class') qos = value;
      if (key === 'Containers' || key === 'Init Containers') {
        flush();
        inContainers = true;
      } else if (colon > 0) {
        flush();
        inContainers = false;
      }
      continue;
    }
    if (!inContainers) continue;
    if (n === 2 && colon === line.length - 1) {
      flush();
      cur = {
        pod: pod ?? '(pod)',
        namespace,
        container: key,
        qosClass: null,
        limitBytes: null,
        requestBytes: null,
        restarts: null,
        terminated: null,
        waitingReason: null,
      };
      state = { reason: null, exit: null, finished: null, name: null };
      last = { ...state };
      block = null;
      continue;
    }
    if (!cur) continue;
    const c: ContainerView = cur;
    if (n === 4) {
      block = null;
      if (key === 'State') {
        block = 'state';
        state.name = value;
      } else if (key === 'Last State') {
        block = 'last';
        last.name = value;
      } else if (key === 'Limits') block = 'limits';
      else if (key === 'Requests') block = 'requests';
      else if (key === 'Restart Count') c.restarts = parseUInt(value);
      continue;
    }
    if (n >= 6 && block) {
      if (block === 'limits' && key === 'memory') c.limitBytes = quantityBytes(value);
      else if (block === 'requests' && key === 'memory') c.requestBytes = quantityBytes(value);
      else if (block === 'state' || block === 'last') {
        const s = block === 'state' ? state : last;
        if (key === 'Reason') s.reason = value;
        else if (key === 'Exit Code') s.exit = parseUInt(value);
        else if (key === 'Finished') s.finished = value;
      }
    }
  }
  flush();
  for (let i = podStart; i < out.length; i++) out[i]!.qosClass = qos;
  return pod === null ? [] : out;
}

function qosAdjNote(c: ContainerView): string[] {
  if (c.qosClass === 'Guaranteed')
    return [`QoS class Guaranteed: the kubelet set oom_score_adj -997 — ${adjMeaning(-997)}.`];
  if (c.qosClass === 'BestEffort')
    return [
      'QoS class BestEffort: the kubelet set oom_score_adj 1000, the first to go in a node-wide OOM of equal sizes.',
    ];
  if (c.qosClass === 'Burstable') {
    const req = c.requestBytes !== null ? `${Math.round(c.requestBytes / 1048576)} MiB` : 'its request';
    return [
      `QoS class Burstable: oom_score_adj = 1000 − 1000 × ${req} / the node's memory (between 2 and 999): the smaller the request, the higher.`,
    ];
  }
  return [];
}

/** A kill for each container kubectl shows as OOMKilled; 137 without OOMKilled becomes a note. */
export function killsFromContainers(views: readonly ContainerView[], notes: string[]): Kill[] {
  const kills: Kill[] = [];
  for (const c of views) {
    const t = c.terminated;
    if (!t) continue;
    if (t.reason !== 'OOMKilled') {
      if (t.exitCode === 137) {
        notes.push(
          `${c.pod}/${c.container} exited 137 (SIGKILL) with reason ${t.reason}: killed, but not by the OOM killer (a liveness probe, an eviction or kill -9).`,
        );
      }
      continue;
    }
    const limitPages = c.limitBytes === null ? null : Math.floor(c.limitBytes / 4096);
    const scope = limitPages === null ? 'node' : 'container';
    const warnings = [
      `kubectl shows that the container was OOM-killed, not the kernel's scan: paste the node's \`dmesg\` or \`journalctl -k\` from around ${t.finishedAt ?? 'that time'} for the candidate table and the points.`,
    ];
    if (limitPages === null)
      warnings.push(
        'The container has no memory limit, so its own cgroup cannot have run out: the node (or all pods together) ran out of memory.',
      );
    else
      warnings.push(
        'With a limit, this is most likely its own cgroup OOM; if its usage was well under the limit, the node ran out instead (a global OOM).',
      );
    const story = [
      `Container ${c.container} of pod ${c.namespace ? `${c.namespace}/` : ''}${c.pod} was killed by the kernel's OOM killer: reason OOMKilled, exit code ${t.exitCode ?? 137} (128 + 9, SIGKILL)${t.finishedAt ? ` at ${t.finishedAt}` : ''}.`,
    ];
    if (c.restarts !== null)
      story.push(
        `It has restarted ${c.restarts} time${c.restarts === 1 ? '' : 's'}${c.waitingReason ? ` and is now waiting: ${c.waitingReason}` : ''}.`,
      );
    if (c.limitBytes !== null)
      story.push(
        `Its memory limit is ${Math.round(c.limitBytes / 1048576)} MiB${c.requestBytes !== null ? `, its request ${Math.round(c.requestBytes / 1048576)} MiB` : ''}.`,
      );
    kills.push({
      source: 'kubectl',
      constraint: limitPages === null ? null : 'CONSTRAINT_MEMCG',
      scope,
      cgroup: null,
      totalPages: limitPages,
      totalPagesFrom:
        limitPages === null
          ? "unknown: kubectl does not show the node's RAM"
          : `if the container hit its own limit, totalpages is its limit: ${limitPages} pages`,
      victim: { pid: null, comm: c.container },
      recomputedVictim: null,
      candidates: [],
      warnings,
      atSec: null,
      atText: t.finishedAt,
      invoker: null,
      kernelVersion: null,
      clampToOne: false,
      pageSize: 4096,
      limitPages,
      usagePages: null,
      story,
      qosNotes: qosAdjNote(c),
      remedies: remediesFor({
        scope,
        candidates: [],
        victimPid: null,
        limitPages,
        usagePages: null,
        pageSize: 4096,
        repeatCount: c.restarts ?? 1,
      }),
      lines: { first: 0, last: 0 },
      pod: {
        name: c.pod,
        namespace: c.namespace,
        container: c.container,
        restarts: c.restarts,
        qosClass: c.qosClass,
        limitBytes: c.limitBytes,
        requestBytes: c.requestBytes,
      },
    });
  }
  return kills;
}

const SYSTEM_OOM = 'System OOM encountered, victim process: ';

/**
 * `kubectl get events` rows: the kubelet's `SystemOOM` (`System OOM encountered, victim process: x, pid: 1`) and
 * node-problem-detector's `OOMKilling` (which quotes the kernel's Killed line).
 */
export function killsFromEvents(rawLines: readonly string[]): Kill[] {
  const kills: Kill[] = [];
  for (const raw of rawLines) {
    const sys = raw.indexOf(SYSTEM_OOM);
    if (sys >= 0) {
      const rest = raw.slice(sys + SYSTEM_OOM.length);
      const comma = rest.lastIndexOf(', pid: ');
      const comm = comma >= 0 ? rest.slice(0, comma) : rest.trim();
      const pid = comma >= 0 ? parseUInt(rest.slice(comma + 7).trim()) : null;
      kills.push(eventKill('CONSTRAINT_NONE', 'node', { pid, comm }, raw));
      continue;
    }
    if (!raw.includes('OOMKilling')) continue;
    const at = Math.max(
      raw.indexOf('Memory cgroup out of memory: Killed process'),
      raw.indexOf('Out of memory: Killed process'),
    );
    const k = at >= 0 ? readKilled(raw.slice(at), 0) : null;
    if (k)
      kills.push(
        eventKill(
          k.message === 'Out of memory' ? 'CONSTRAINT_NONE' : 'CONSTRAINT_MEMCG',
          k.message === 'Out of memory' ? 'node' : 'container',
          { pid: k.pid, comm: k.comm },
          raw,
        ),
      );
  }
  return kills;
}

function eventKill(
  constraint: string,
  scope: 'node' | 'container',
  victim: { pid: number | null; comm: string },
  raw: string,
): Kill {
  return {
    source: 'kubectl',
    constraint,
    scope,
    cgroup: null,
    totalPages: null,
    totalPagesFrom: 'unknown: an event does not carry the memory figures',
    victim,
    recomputedVictim: null,
    candidates: [],
    warnings: [
      "An event names the victim but not the kernel's scan: paste the node's `dmesg` or `journalctl -k` for the candidate table and the points.",
    ],
    atSec: null,
    atText: null,
    invoker: null,
    kernelVersion: null,
    clampToOne: false,
    pageSize: 4096,
    limitPages: null,
    usagePages: null,
    story: [
      `The event says: ${raw.trim().slice(0, 300)}`,
      `The kernel killed ${victim.comm}${victim.pid !== null ? ` (pid ${victim.pid})` : ''} ${scope === 'node' ? 'because the whole node ran out of memory' : 'because its cgroup reached its limit'}.`,
    ],
    qosNotes: [],
    remedies: remediesFor({
      scope,
      candidates: [],
      victimPid: victim.pid,
      limitPages: null,
      usagePages: null,
      pageSize: 4096,
      repeatCount: 1,
    }),
    lines: { first: 0, last: 0 },
    pod: null,
  };
}
