import type { Explanation, Kill } from './explanation.ts';

/**
 * The JSON contract of `npm run explain -- --format json`: `{"kills":[{constraint, scope, totalPages, victim,
 * candidates[{pid, comm, rssPages, swapPages, pgtablesPages, oomScoreAdj, points, eligible}], warnings}]}`, then the
 * rest of the explanation under further keys.
 */
export function explanationJson(e: Explanation): { kills: Record<string, unknown>[]; notes: string[] } {
  return {
    kills: e.kills.map((k) => ({
      constraint: k.constraint,
      scope: k.scope,
      totalPages: k.totalPages,
      victim: k.victim,
      candidates: k.candidates.map((c) => ({
        pid: c.pid,
        comm: c.comm,
        rssPages: c.rssPages,
        swapPages: c.swapPages,
        pgtablesPages: c.pgtablesPages,
        oomScoreAdj: c.oomScoreAdj,
        points: c.points,
        eligible: c.eligible,
        uid: c.uid,
        qos: c.qos,
      })),
      warnings: k.warnings,
      source: k.source,
      cgroup: k.cgroup,
      totalPagesFrom: k.totalPagesFrom,
      recomputedVictim: k.recomputedVictim,
      invoker: k.invoker,
      atSec: k.atSec,
      atText: k.atText,
      kernelVersion: k.kernelVersion,
      pageSize: k.pageSize,
      limitPages: k.limitPages,
      usagePages: k.usagePages,
      story: k.story,
      qosNotes: k.qosNotes,
      remedies: k.remedies,
      pod: k.pod,
      lines: k.lines,
    })),
    notes: e.notes,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Candidates ranked as the kernel would: most points first, exempt last. */
export function rankCandidates(k: Kill) {
  return k.candidates
    .map((c, scan) => ({ c, scan }))
    .sort((a, b) => (b.c.points ?? -Infinity) - (a.c.points ?? -Infinity) || b.scan - a.scan)
    .map((x) => x.c);
}

function table(k: Kill, maxRows: number): string[] {
  const ranked = rankCandidates(k);
  const rows = ranked.filter((c, i) => i < maxRows || c.pid === k.victim?.pid);
  const head = ['', 'pid', 'process', 'rss', 'swap', 'pgtables', 'adj', 'points'];
  const body = rows.map((c) => [
    c.pid === k.victim?.pid ? 'killed' : c.pid === k.recomputedVictim?.pid ? 'top' : '',
    String(c.pid),
    c.comm,
    fmt(c.rssPages),
    fmt(c.swapPages),
    fmt(c.pgtablesPages),
    String(c.oomScoreAdj),
    c.eligible ? (c.points === null ? '?' : fmt(c.points)) : 'exempt',
  ]);
  const all = [head, ...body];
  const width = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const out = all.map(
    (r) =>
      '  ' +
      r
        .map((v, i) => (i >= 3 ? v.padStart(width[i]!) : v.padEnd(width[i]!)))
        .join('  ')
        .trimEnd(),
  );
  if (ranked.length > rows.length) out.push(`  …and ${ranked.length - rows.length} more with fewer points`);
  return out;
}

/** The explanation as text for a terminal: per kill, what happened, the candidate table, warnings, QoS, remedies. */
export function formatExplanation(e: Explanation, maxRows = 15): string {
  const out: string[] = [];
  e.kills.forEach((k, i) => {
    const when =
      k.atSec !== null ? ` at ${k.atSec.toFixed(6)} s after boot` : k.atText ? ` at ${k.atText}` : '';
    out.push(
      `== OOM kill ${i + 1} of ${e.kills.length}${when}: ${k.victim ? `${k.victim.comm}${k.victim.pid !== null ? ` (pid ${k.victim.pid})` : ''}` : 'victim unknown'} ==`,
    );
    out.push(
      `constraint: ${k.constraint ?? 'unknown'}   scope: ${k.scope}${k.cgroup ? ` (${k.cgroup})` : ''}`,
    );
    out.push(`totalpages: ${k.totalPages === null ? 'unknown' : fmt(k.totalPages)} — ${k.totalPagesFrom}`);
    out.push('', ...k.story);
    if (k.candidates.length) out.push('', ...table(k, maxRows));
    if (k.warnings.length) out.push('', 'Warnings:', ...k.warnings.map((w) => `  ! ${w}`));
    if (k.qosNotes.length) out.push('', 'What oom_score_adj says:', ...k.qosNotes.map((q) => `  - ${q}`));
    if (k.remedies.length) out.push('', 'What to do:', ...k.remedies.map((r) => `  - ${r}`));
    out.push('');
  });
  if (e.notes.length) out.push(...e.notes.map((n) => `note: ${n}`));
  return out.join('\n').trimEnd() + '\n';
}
