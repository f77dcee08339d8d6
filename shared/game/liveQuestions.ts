/**
 * Live questions (docs/game.md, QB2–QB5): asked about this moment of a session, answered by the simulation's own
 * kernel and kubelet code, so the reveal is what the session then shows happening.
 */
import { evictionOrder } from '../sim/eviction.ts';
import { isBound } from '../sim/kubelet.ts';
import { podWorkingSetPages } from '../sim/memory.ts';
import { chooseVictim, globalTotalPages, scanCandidates } from '../sim/oomKiller.ts';
import { kubeletOomScoreAdj, qosClass } from '../sim/qos.ts';
import type { OomCandidate, PodState, SimState } from '../sim/types.ts';
import { pagesToMiB } from '../sim/units.ts';
import { CHOICE_IDS, type Choice, type Question } from './questionTypes.ts';

export const LIVE_QUESTION_KINDS = ['global-oom-victim', 'first-eviction', 'kubelet-adj'] as const;
export type LiveQuestionKind = (typeof LIVE_QUESTION_KINDS)[number];

export const QuestionErrorCode = {
  NO_CANDIDATES: 'NO_CANDIDATES',
  UNKNOWN_KIND: 'UNKNOWN_KIND',
} as const;
export type QuestionErrorCode = (typeof QuestionErrorCode)[keyof typeof QuestionErrorCode];

export type LiveResult =
  { ok: true; question: Question } | { ok: false; code: QuestionErrorCode; message: string };

const mib = (pages: number) => Math.round(pagesToMiB(pages));
const fmt = (n: number) => n.toLocaleString('en-US');

function podOf(state: SimState, c: OomCandidate): PodState | undefined {
  return state.pods.find((p) => p.pid === c.pid && p.cState === 'Running');
}

function candidateText(state: SimState, c: OomCandidate): string {
  const p = podOf(state, c);
  if (!p) return `${c.comm} (node daemon, ${mib(c.rssPages)} MiB, oom_score_adj ${c.oomScoreAdj})`;
  return `${p.slot} (${qosClass(p.spec.requestPages, p.spec.limitPages)}, ${mib(c.rssPages)} MiB resident, oom_score_adj ${c.oomScoreAdj})`;
}

/** Up to `n` choices: the answer, then distractors people pick for a reason, in a stable order by label. */
function pickChoices<T>(
  answer: T,
  ranked: readonly T[],
  lures: readonly (T | undefined)[],
  label: (x: T) => string,
  ref: (x: T) => string,
  n = 4,
): { choices: Choice[]; answer: string } {
  const chosen: T[] = [answer];
  for (const x of [...lures, ...ranked]) {
    if (chosen.length >= n) break;
    if (x !== undefined && !chosen.includes(x)) chosen.push(x);
  }
  const labelled = chosen
    .map((x) => ({ x, text: label(x) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const cs = labelled.map((l, i) => ({ id: CHOICE_IDS[i]!, text: l.text, ref: ref(l.x) }));
  return { choices: cs, answer: CHOICE_IDS[labelled.findIndex((l) => l.x === answer)]! };
}

/** QB3: "which pod would the kernel kill if the node ran out now?", answered by the kernel's own scan (K5, K6). */
function globalVictimQuestion(state: SimState): LiveResult {
  const candidates = scanCandidates(state, 'global', null);
  const victim = chooseVictim(candidates);
  if (!victim)
    return {
      ok: false,
      code: QuestionErrorCode.NO_CANDIDATES,
      message: 'no process on the node could be killed',
    };
  const eligible = candidates.filter((c) => c.points !== null);
  const ranked = [...eligible].sort((a, b) => b.points! - a.points! || b.pid - a.pid);
  const pods = eligible.filter((c) => c.pod !== null);
  const biggest = [...pods].sort((a, b) => b.rssPages - a.rssPages || a.pid - b.pid)[0];
  const highestAdj = [...pods].sort((a, b) => b.oomScoreAdj - a.oomScoreAdj || b.rssPages - a.rssPages)[0];
  const lowestAdj = [...pods].sort((a, b) => a.oomScoreAdj - b.oomScoreAdj || b.rssPages - a.rssPages)[0];
  const { choices: cs, answer } = pickChoices(
    victim,
    ranked,
    [biggest, highestAdj, lowestAdj],
    (c) => candidateText(state, c),
    (c) => c.slot ?? c.comm,
  );
  const per = Math.floor(globalTotalPages(state) / 1000);
  const line = (c: OomCandidate) =>
    `${candidateText(state, c).split(' (')[0]}: ${fmt(c.rssPages + c.swapPages + c.pgtablePages)} + ${c.oomScoreAdj} \u00d7 ${fmt(per)} = ${fmt(c.points!)}`;
  const runnerUp = ranked.find((c) => c !== victim);
  return {
    ok: true,
    question: {
      id: `live-global-oom-victim-${state.tick}`,
      source: 'live',
      topic: 'oom-score-adj',
      prompt:
        'If the node ran out of memory right now, which process would the kernel\u2019s OOM killer kill?',
      choices: cs,
      answer,
      explanation:
        `The kernel scores every process: points = pages in RAM + swap + page tables + oom_score_adj \u00d7 ${fmt(per)} ` +
        `(the node's pages / 1000), and kills the most points. ${line(victim)}` +
        (runnerUp ? `; next, ${line(runnerUp)}.` : '.') +
        (biggest && biggest !== victim
          ? ` The biggest pod is not always the victim: oom_score_adj weighs in.`
          : ''),
      scenario: null,
      tick: state.tick,
    },
  };
}

/** QB4: "which pod would the kubelet evict first?", by the kubelet's own ranking (E2). */
function firstEvictionQuestion(state: SimState): LiveResult {
  const pods = state.pods.filter((p) => isBound(p) && p.phase === 'Running');
  if (pods.length === 0)
    return { ok: false, code: QuestionErrorCode.NO_CANDIDATES, message: 'no running pod to evict' };
  const ranked = [...pods].sort(evictionOrder);
  const first = ranked[0]!;
  const biggest = [...pods].sort((a, b) => podWorkingSetPages(b) - podWorkingSetPages(a) || a.uid - b.uid)[0];
  const label = (p: PodState) => {
    const req = p.spec.requestPages;
    return `${p.slot} (uses ${mib(podWorkingSetPages(p))} MiB, requests ${req === null ? 'nothing' : `${mib(req)} MiB`})`;
  };
  const { choices: cs, answer } = pickChoices(first, ranked, [biggest], label, (p) => p.slot);
  const over = podWorkingSetPages(first) - (first.spec.requestPages ?? 0);
  return {
    ok: true,
    question: {
      id: `live-first-eviction-${state.tick}`,
      source: 'live',
      topic: 'eviction-vs-oom',
      prompt:
        'If memory.available fell below the eviction threshold now, which pod would the kubelet evict first?',
      choices: cs,
      answer,
      explanation:
        `The kubelet ranks pods: those using more than they requested first, then lower priority, then the largest ` +
        `usage above the request. ${first.slot} ` +
        (over > 0
          ? `uses ${mib(over)} MiB more than its request.`
          : `is first even though it is within its request.`) +
        ` QoS class is not an input; it only tends to agree.`,
      scenario: null,
      tick: state.tick,
    },
  };
}

/** QB5: "what oom_score_adj did the kubelet give this pod?", from its request and the node's RAM (Q2). */
function kubeletAdjQuestion(state: SimState): LiveResult {
  const pods = state.pods.filter(
    (p) => isBound(p) && p.spec.requestPages !== null && p.spec.requestPages !== p.spec.limitPages,
  );
  const p = [...pods].sort((a, b) => a.uid - b.uid)[state.tick % Math.max(1, pods.length)];
  if (!p)
    return { ok: false, code: QuestionErrorCode.NO_CANDIDATES, message: 'no Burstable pod to ask about' };
  const cap = state.node.capacityPages;
  const right = kubeletOomScoreAdj(p.spec.requestPages, p.spec.limitPages, cap);
  const share = Math.floor((1000 * (p.spec.requestPages ?? 0)) / cap);
  const values = [right, 1000, -997, Math.max(3, Math.min(999, share)), 0].filter(
    (v, i, a) => a.indexOf(v) === i,
  );
  const { choices: cs, answer } = pickChoices(
    right,
    values,
    [],
    (v) => String(v),
    (v) => String(v),
  );
  return {
    ok: true,
    question: {
      id: `live-kubelet-adj-${p.slot}-${state.tick}`,
      source: 'live',
      topic: 'oom-score-adj',
      prompt: `Pod ${p.slot} is Burstable and requests ${mib(p.spec.requestPages ?? 0)} MiB on a node with ${fmt(mib(cap))} MiB of RAM. What oom_score_adj does the kubelet give it?`,
      choices: cs,
      answer,
      explanation:
        `For Burstable pods the kubelet writes 1000 \u2212 1000 \u00d7 request / node memory (integer division), kept ` +
        `between 3 and 999: 1000 \u2212 ${share} = ${right}. A small request means a high adj: the kernel's first choice ` +
        `in a node-wide OOM, size for size. Guaranteed pods get -997, BestEffort 1000.`,
      scenario: null,
      tick: state.tick,
    },
  };
}

/** QB2: a question about this moment of the session. The state is only read. */
export function liveQuestion(state: SimState, kind: LiveQuestionKind): LiveResult {
  switch (kind) {
    case 'global-oom-victim':
      return globalVictimQuestion(state);
    case 'first-eviction':
      return firstEvictionQuestion(state);
    case 'kubelet-adj':
      return kubeletAdjQuestion(state);
    default:
      return {
        ok: false,
        code: QuestionErrorCode.UNKNOWN_KIND,
        message: `unknown live question kind "${String(kind)}"`,
      };
  }
}
