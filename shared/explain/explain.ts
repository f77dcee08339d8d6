import { explainKernelReport } from './explainKernel.ts';
import type { Explanation, Kill } from './explanation.ts';
import { logLines, rawLines } from './input.ts';
import type { NodeFigures } from './kernelArithmetic.ts';
import { groupKernelReports } from './kernelReports.ts';
import { killsFromContainers, killsFromEvents, readDescribe, readPodObject } from './kubectl.ts';
import type { KernelReport } from './types.ts';

/** Event lines kept for the kubectl events reader (the rest of the paste is not held). */
const MAX_EVENT_LINES = 1000;

/** The node figures of the nearest report that printed them (a memcg report prints none of its own). */
function nodeFiguresNear(reports: readonly KernelReport[], i: number): NodeFigures {
  const order = reports.map((_, j) => j).sort((a, b) => Math.abs(a - i) - Math.abs(b - i));
  const pick = <K extends 'pagesRam' | 'pagesReserved' | 'totalSwapKb'>(k: K) => {
    for (const j of order) {
      const v = reports[j]![k];
      if (v !== null) return v;
    }
    return null;
  };
  return {
    pagesRam: pick('pagesRam'),
    pagesReserved: pick('pagesReserved'),
    totalSwapKb: pick('totalSwapKb'),
  };
}

/**
 * Explain every OOM kill in a paste: kernel reports (dmesg, dmesg -T, journalctl -k, serial consoles, kernels 4.9 to
 * 6.x) and Kubernetes' views (describe pod, get events, get pod -o yaml|json). Pure and linear in the input's size.
 */
export function explainText(input: string): Explanation {
  const notes: string[] = [];
  const eventLines: string[] = [];
  const { reports, notes: groupNotes } = groupKernelReports(logLines(input, notes), (l) => {
    if (
      eventLines.length < MAX_EVENT_LINES &&
      (l.text.includes('SystemOOM') || l.text.includes('OOMKilling'))
    )
      eventLines.push(l.text);
  });
  notes.push(...groupNotes);

  const kills: Kill[] = [];
  const comms = new Map<string, number>();
  for (const r of reports) {
    const c = r.killed?.comm ?? r.summary?.task;
    if (c) comms.set(c, (comms.get(c) ?? 0) + 1);
  }
  reports.forEach((r, i) => {
    const c = r.killed?.comm ?? r.summary?.task ?? '';
    kills.push(explainKernelReport(r, nodeFiguresNear(reports, i), comms.get(c) ?? 1));
  });

  // Kubernetes' views: only looked for when their markers are present.
  if (input.includes('containerStatuses') || input.includes('Containers:')) {
    const raw = rawLines(input);
    if (raw === null) notes.push('The paste has too many lines to look for kubectl output in it.');
    else {
      const views = readPodObject(input, raw) ?? readDescribe(raw);
      kills.push(...killsFromContainers(views, notes));
    }
  }
  if (reports.length === 0) kills.push(...killsFromEvents(eventLines));

  if (kills.length === 0) {
    notes.push(
      'No OOM kill was found. Paste the kernel\'s report (`dmesg`, `dmesg -T` or `journalctl -k` on the node: from the "invoked oom-killer" line to "Killed process"), or `kubectl describe pod`, `kubectl get events`, or `kubectl get pod -o yaml` for a container whose last state is OOMKilled.',
    );
  }
  return { kills, notes };
}
