/**
 * The post-mortem card (docs/game.md, PM1–PM5): what happened to one student's service in a round, in data the
 * client draws. Kills carry their cause in plain words; the takeaway is picked from what actually happened.
 */
import { activePod } from '../sim/podLifecycle.ts';
import { qosClass } from '../sim/qos.ts';
import type { QosClass, SimState } from '../sim/types.ts';
import { PAGES_PER_MIB, pagesToMiB, TICKS_PER_SEC, ticksToSec } from '../sim/units.ts';
import type { Question } from './questions.ts';
import { SCORING, type GameStats, type Incident, type ScoringRules, type SlotStats } from './score.ts';
import { leaderboard, timeLostSec } from './standings.ts';
import { downsample, type MemoryTrace, type SlotTrace } from './trace.ts';

export interface CardKill {
  /** Sim seconds into the round. */
  t: number;
  kind: Incident['kind'];
  /** Plain words: who killed it and why. */
  cause: string;
  usageMiB: number;
  limitMiB: number | null;
  /** G3, G4: what it cost: requests in flight, seconds until Ready again, requests lost in all, points. */
  lostInFlight: number;
  downSec: number;
  lostRequests: number;
  cost: number;
}

/** One line of the score's sum (PM6): the lines add up to the card's score, exactly. */
export interface ScoreLine {
  label: string;
  points: number;
}

export interface CardAnswer {
  questionId: string;
  prompt: string;
  /** The choice text the student picked, or null if they did not answer. */
  chosen: string | null;
  correct: boolean;
  rightAnswer: string;
}

export interface PostMortemCard {
  slot: string;
  nickname: string;
  rank: number;
  of: number;
  /** The one score (G5), the same the leaderboard, roster, podium and CSV show. */
  score: number;
  /** PM6: how the score adds up, line by line. */
  ledger: ScoreLine[];
  requestsServed: number;
  requestsLost: number;
  requestMiB: number | null;
  limitMiB: number | null;
  qosClass: QosClass | null;
  /** Downsampled memory curve (PM2), columnar for uPlot. */
  curve: SlotTrace;
  kills: CardKill[];
  killsMemcg: number;
  killsGlobal: number;
  evictions: number;
  restarts: number;
  /** Seconds not serving (Pending + down) and the share of the round the container ran. */
  timeLostSec: number;
  /** Of which: starting up and getting Ready after a restart (G4). */
  startingSec: number;
  uptimePct: number;
  answers: CardAnswer[];
  /** One sentence chosen from what happened (PM5). */
  takeaway: string;
}

export interface PostMortemInput {
  slot: string;
  nickname: string;
  stats: GameStats;
  /** The final state of the round. */
  state: SimState;
  trace: MemoryTrace;
  /** The questions asked this round with this student's answer (choice id) to each, if any. */
  asked: readonly { question: Question; answer: string | undefined }[];
  /** Ticks the round lasted (for uptime %). */
  roundTicks: number;
  /** Slots on the leaderboard (default: all). */
  field?: readonly string[];
  maxPoints?: number;
}

/** PM4: the cause of one incident, in words. */
export function incidentCause(i: Incident): string {
  const base = incidentCauseOnly(i);
  return i.causedBy !== null && i.kind !== 'caused'
    ? `${base} ${i.causedBy} was the furthest over its request when it happened: it caused this, and pays for your lost requests too.`
    : base;
}

function incidentCauseOnly(i: Incident): string {
  const lim = i.limitMiB === null ? 'no limit' : `its ${i.limitMiB} MiB limit`;
  switch (i.kind) {
    case 'oom_memcg':
      return `Kernel OOM killer (cgroup): the container reached ${lim} at ${i.usageMiB} MiB. Exit 137, OOMKilled; restarted in place.`;
    case 'oom_global': {
      const by =
        i.invoker === null
          ? ''
          : i.invoker.self
            ? ' Its own allocation was the one that failed.'
            : ` The allocation that failed was ${i.invoker.comm}'s in ${i.invoker.pod ?? 'a node daemon'}.`;
      return (
        `Kernel OOM killer (whole node): the node ran out, and with ${i.points?.toLocaleString('en-US') ?? '?'} points ` +
        `(oom_score_adj ${i.oomScoreAdj ?? '?'}) this process ranked #${i.place ?? '?'} of ${i.candidates ?? '?'}, while using ` +
        `${i.usageMiB} MiB under ${lim}.${by}`
      );
    }
    case 'evicted':
      return `Evicted by the kubelet: the node was short of memory and this pod used ${i.usageMiB} MiB against a ${i.requestMiB ?? 0} MiB request. A new pod replaced it.`;
    case 'sigkill':
      return 'Killed with SIGKILL, not by the OOM killer: exit 137, reason Error.';
    case 'exit':
      return 'The process exited on its own.';
    case 'caused':
      return `You hurt a neighbour: the node ran short while your pod was the furthest over its request, and ${i.causedBy ?? 'another pod'} (${i.pod}) was stopped instead of you. Its lost requests are charged to you too.`;
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;
const KIND_WORDS: Record<Incident['kind'], string> = {
  oom_memcg: 'OOM kill at your limit',
  oom_global: 'OOM kill, node-wide',
  evicted: 'Evicted',
  sigkill: 'Killed (SIGKILL)',
  exit: 'Exited',
  caused: 'Neighbour hurt',
};

/** PM6: the score as a sum: earned, each incident's cost, other lost requests, neighbours hurt, borrowed memory. */
export function scoreLedger(s: SlotStats, rules: Readonly<ScoringRules> = SCORING): ScoreLine[] {
  const lines: ScoreLine[] = [];
  lines.push({ label: `${plural(s.requestsScored, 'request')} answered while Ready`, points: s.requestsScored * rules.pointsPerRequest });
  if (s.batchesDone > 0) lines.push({ label: `${plural(s.batchesDone, 'batch', 'batches')} finished`, points: s.batchesDone * rules.pointsPerBatch });
  let incidentLost = 0;
  let harmListed = 0;
  for (const i of s.incidents) {
    const t = `t=${Math.round(ticksToSec(i.tick))} s`;
    if (i.kind === 'caused') {
      harmListed += i.lostRequests;
      lines.push({ label: `${t} ${KIND_WORDS.caused}: ${i.causedBy ?? '?'} lost ${plural(i.lostRequests, 'request')}`, points: -i.lostRequests * rules.pointsPerHarmedRequest });
      continue;
    }
    incidentLost += i.lostRequests;
    const parts = [`${plural(i.lostInFlight, 'request')} in flight`, `down ${Math.round(ticksToSec(i.downTicks))} s${i.open ? ' (still)' : ''}`];
    lines.push({ label: `${t} ${KIND_WORDS[i.kind]}: ${parts.join(', ')} → ${plural(i.lostRequests, 'request')} lost`, points: -i.lostRequests * rules.pointsPerLostRequest });
  }
  const otherLost = s.requestsLost - incidentLost;
  if (otherLost !== 0) lines.push({ label: `${plural(otherLost, 'other request')} lost (Pending, starting, shed by a full buffer)`, points: -otherLost * rules.pointsPerLostRequest });
  const otherHarm = s.requestsHarmed - harmListed;
  if (otherHarm !== 0) lines.push({ label: `${plural(otherHarm, 'more request')} your neighbours lost`, points: -otherHarm * rules.pointsPerHarmedRequest });
  if (s.borrowedPoints > 0) {
    const gibMin = s.borrowedPageTicks / (1024 * PAGES_PER_MIB * 60 * TICKS_PER_SEC);
    lines.push({ label: `Memory above your request: ${gibMin.toFixed(2)} GiB·min`, points: -s.borrowedPoints });
  }
  return lines;
}

/** PM5: the one lesson this student's round most shows. */
export function takeaway(
  c: Pick<
    PostMortemCard,
    'killsMemcg' | 'killsGlobal' | 'evictions' | 'uptimePct' | 'limitMiB' | 'requestMiB'
  >,
  pendingSec: number,
): string {
  if (pendingSec > 60)
    return 'Your pod waited Pending: the scheduler places pods by their requests, and yours did not fit. A request reserves room; ask for what you need.';
  if (c.killsGlobal > 0)
    return 'The node ran out and the kernel picked you: points are your memory plus oom_score_adj weighted by the node. Staying near your request, or Guaranteed, keeps you out of the line of fire.';
  if (c.evictions > 0)
    return 'The kubelet evicted you for using more than you requested while the node was short. Requests are the promise the kubelet holds you to.';
  if (c.killsMemcg >= 3)
    return 'Killed again and again at your own limit: if memory keeps climbing, a bigger limit only moves the line. Fix what grows, stream what is big.';
  if (c.killsMemcg > 0)
    return 'Killed at your own limit: exit 137 with OOMKilled means the kernel, not a bug. Did you find what was growing?';
  return 'No kills: your memory stayed inside its limit and your request fitted the node.';
}

/** PM3: build one student's card from the round's stats, trace and final state. */
export function postMortem(input: PostMortemInput): PostMortemCard {
  const s = input.stats.slots[input.slot];
  const board = leaderboard(input.stats, input.field);
  const row = board.find((r) => r.slot === input.slot);
  const pod = activePod(input.state, input.slot);
  const trace = input.trace.slots[input.slot]?.toSlotTrace() ?? { t: [], usageMiB: [], limitMiB: [], requestMiB: [] };
  const requestMiB = pod?.spec.requestPages == null ? null : pagesToMiB(pod.spec.requestPages);
  const limitMiB = pod?.spec.limitPages == null ? null : pagesToMiB(pod.spec.limitPages);
  const card: PostMortemCard = {
    slot: input.slot,
    nickname: input.nickname,
    rank: row?.rank ?? board.length + 1,
    of: board.length,
    score: s?.score ?? 0,
    ledger: s ? scoreLedger(s) : [],
    requestsServed: s?.requestsServed ?? 0,
    requestsLost: s?.requestsLost ?? 0,
    requestMiB,
    limitMiB,
    qosClass: pod ? qosClass(pod.spec.requestPages, pod.spec.limitPages) : null,
    curve: downsample(trace, input.maxPoints ?? 240),
    kills: (s?.incidents ?? []).map((i) => ({
      t: ticksToSec(i.tick),
      kind: i.kind,
      cause: incidentCause(i),
      usageMiB: i.usageMiB,
      limitMiB: i.limitMiB,
      lostInFlight: i.lostInFlight,
      downSec: ticksToSec(i.downTicks),
      lostRequests: i.lostRequests,
      cost: i.cost,
    })),
    killsMemcg: s?.killsMemcg ?? 0,
    killsGlobal: s?.killsGlobal ?? 0,
    evictions: s?.evictions ?? 0,
    restarts: s?.restarts ?? 0,
    timeLostSec: s ? timeLostSec(s) : ticksToSec(input.roundTicks),
    startingSec: s ? ticksToSec(s.startingTicks) : 0,
    uptimePct: s && input.roundTicks > 0 ? Math.round((100 * s.runningTicks) / input.roundTicks) : 0,
    answers: input.asked.map(({ question, answer }) => ({
      questionId: question.id,
      prompt: question.prompt,
      chosen: question.choices.find((c) => c.id === answer)?.text ?? null,
      correct: answer === question.answer,
      rightAnswer: question.choices.find((c) => c.id === question.answer)?.text ?? '',
    })),
    takeaway: '',
  };
  card.takeaway = takeaway(card, s ? s.pendingTicks / 10 : 0);
  return card;
}
