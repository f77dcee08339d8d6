import { parseUInt } from './input.ts';
import { quantityBytes, type ContainerView } from './kubectlContainer.ts';

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
