import {
  BESTEFFORT_OOM_SCORE_ADJ,
  GUARANTEED_OOM_SCORE_ADJ,
  KUBELET_OOM_SCORE_ADJ,
  OOM_SCORE_ADJ_MIN,
} from '../sim/qos.ts';

/** The pod sandbox (pause container): the kubelet's PodInfraOOMAdj (pkg/kubelet/qos/policy.go). */
const PAUSE_OOM_SCORE_ADJ = -998;

/** What one oom_score_adj value says about who set it (pkg/kubelet/qos/policy.go, FIDELITY §4). */
export function adjMeaning(adj: number): string {
  if (adj === OOM_SCORE_ADJ_MIN) return 'exempt (-1000: never killed)';
  if (adj === KUBELET_OOM_SCORE_ADJ) return 'node agent (-999: kubelet, containerd, kube-proxy)';
  if (adj === PAUSE_OOM_SCORE_ADJ) return 'pod sandbox (-998: the pause container)';
  if (adj === GUARANTEED_OOM_SCORE_ADJ) return 'Guaranteed pod (-997) or a node-critical pod';
  if (adj === BESTEFFORT_OOM_SCORE_ADJ) return 'BestEffort pod (1000: no requests or limits)';
  if (adj >= 2 && adj <= 999) return 'Burstable pod (2…999: set from its memory request)';
  if (adj === 0) return 'not set (0: an ordinary process, not a pod container)';
  return adj < 0 ? 'protected by hand (a negative value someone set)' : 'raised by hand or by the app';
}

/** A Burstable pod's memory request from its adj: adj = 1000 − 1000 × request / capacity, so request ≈ … */
export function burstableRequestMiB(
  adj: number,
  capacityPages: number,
  pageSize: number,
): { low: number; high: number } | null {
  if (adj < 2 || adj > 999 || capacityPages <= 0) return null;
  const capMiB = (capacityPages * pageSize) / (1024 * 1024);
  // The kubelet's integer division: adj = 1000 − floor(1000 × request / capacity), so 1000 × request / capacity lies
  // in [1000 − adj, 1001 − adj).
  const low = ((1000 - adj) * capMiB) / 1000;
  const high = ((1001 - adj) * capMiB) / 1000;
  return { low, high };
}

/** One note per distinct adj value among the candidates, largest first. */
export function qosNotes(
  cands: readonly { comm: string; oomScoreAdj: number }[],
  capacityPages: number | null,
  pageSize: number,
): string[] {
  const byAdj = new Map<number, string[]>();
  for (const c of cands) {
    const list = byAdj.get(c.oomScoreAdj) ?? [];
    list.push(c.comm);
    byAdj.set(c.oomScoreAdj, list);
  }
  const out: string[] = [];
  for (const adj of [...byAdj.keys()].sort((a, b) => b - a)) {
    const names = byAdj.get(adj)!;
    const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? ` and ${names.length - 4} more` : '');
    let note = `oom_score_adj ${adj}: ${adjMeaning(adj)} — ${shown}.`;
    const req = capacityPages !== null ? burstableRequestMiB(adj, capacityPages, pageSize) : null;
    if (req)
      note += ` If the kubelet set it, the memory request was ${Math.round(req.low)}–${Math.round(req.high)} MiB of the node's ${Math.round((capacityPages! * pageSize) / 1048576)} MiB.`;
    out.push(note);
  }
  return out;
}
