/** `kubectl get pod -o json|yaml` (a Pod, or a List of them) read into containers. */
import { parseUInt } from './input.ts';
import { quantityBytes, type ContainerView } from './kubectlContainer.ts';
import { parseMiniYaml, type YamlMap, type YamlValue } from './miniYaml.ts';

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
