/**
 * Bot strategies (docs/game.md, B1–B4): pure policies that play a pod the way a student might, with human pauses.
 * A bot sees what a student's screen shows (its own pod, the node's totals, its own events) and answers with
 * commands. Its memory, including its PRNG, is plain data: the same seed and states give the same commands.
 */
import { nodeAvailablePages } from '../sim/memory.ts';
import { activePod } from '../sim/podLifecycle.ts';
import { allocatablePages, requestedPages } from '../sim/kubelet.ts';
import type { Command, PodState, SimEvent, SimState } from '../sim/types.ts';
import { pagesToMiB, TICKS_PER_SEC } from '../sim/units.ts';
import { RngCursor, seedRng } from './rng.ts';

/** The strategies the tournament plays. */
export const STRATEGIES = [
  'idle',
  'raise-limit',
  'fix-leak',
  'stream',
  'backpressure',
  'huge-request',
  'max-limit',
  'careful-guaranteed',
  'random',
] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** One line per strategy, for tables and the host's "fill with bots" menu. */
export const STRATEGY_LABELS: Record<StrategyName, string> = {
  idle: 'does nothing (the leak and the batch run their course)',
  'raise-limit': 'just raise the limit: doubles it after every kill',
  'fix-leak': 'fixes the leak after the first kill (then streams the batch if it still dies)',
  stream: 'streams the batch after the first kill, leaves the leak',
  backpressure: 'adds a bounded buffer after the first kill, leaves the leak',
  'huge-request': 'requests half the node "to be safe" (request = limit)',
  'max-limit': 'greedy: sets its limit to the whole node, keeps the small request',
  'careful-guaranteed': 'sizes request = limit = 512 MiB (Guaranteed), fixes the leak, streams the batch',
  random: 'a random change every 20–60 s',
};

/** B4: the bots CLI's names (server/cli) mapped onto strategies. */
export const BOT_CLI_STRATEGIES = {
  leaky: 'idle',
  greedy: 'max-limit',
  careful: 'careful-guaranteed',
  random: 'random',
} as const satisfies Record<string, StrategyName>;

export function isStrategy(name: string): name is StrategyName {
  return (STRATEGIES as readonly string[]).includes(name);
}

/** Node totals as a student's dashboard shows them, computed once per tick for all bots. */
export interface NodeView {
  capacityMiB: number;
  allocatableMiB: number;
  requestedMiB: number;
  availableMiB: number;
  memoryPressure: boolean;
}

/** What one bot sees at a tick. */
export interface BotView {
  tick: number;
  slot: string;
  /** The slot's live pod (the one commands act on), or null before it exists. */
  pod: Readonly<PodState> | null;
  node: NodeView;
  /** This tick's events about this slot. */
  events: readonly SimEvent[];
}

/** A bot's memory between ticks. */
export interface BotState {
  strategy: StrategyName;
  slot: string;
  rng: number;
  /** The tick the planned action is due; -1 = nothing planned. */
  dueTick: number;
  /** Progress through the strategy's steps. */
  step: number;
  /** Kills and evictions of this slot noticed so far, and how many the bot has reacted to. */
  seenKills: number;
  handledKills: number;
}

/** B2: a human pause: reading the screen, deciding, typing. 5–20 s after something happens. */
export const REACTION_SEC: readonly [number, number] = [5, 20];
/** B2: before the first move of a proactive strategy: 10–30 s of looking at the dashboard. */
export const SETUP_SEC: readonly [number, number] = [10, 30];
/** B3: raise-limit never asks for more than this. */
export const RAISE_LIMIT_MAX_MIB = 8192;
export const CAREFUL_MIB = 512;
export const STREAM_CHUNK_MIB = 32;
export const BUFFER_CAP_MIB = 16;

export function createBot(strategy: StrategyName, slot: string, seed: number): BotState {
  return { strategy, slot, rng: seedRng(seed), dueTick: -1, step: 0, seenKills: 0, handledKills: 0 };
}

export function nodeView(state: SimState): NodeView {
  return {
    capacityMiB: pagesToMiB(state.node.capacityPages),
    allocatableMiB: pagesToMiB(allocatablePages(state)),
    requestedMiB: pagesToMiB(requestedPages(state)),
    availableMiB: pagesToMiB(nodeAvailablePages(state)),
    memoryPressure: state.node.memoryPressure,
  };
}

export function botView(state: SimState, slot: string, node: NodeView = nodeView(state)): BotView {
  const events = state.events.filter((e) => 'slot' in e && e.slot === slot);
  return { tick: state.tick, slot, pod: activePod(state, slot) ?? null, node, events };
}

const ticks = (sec: number) => Math.round(sec * TICKS_PER_SEC);
const limitMiB = (p: Readonly<PodState>) =>
  p.spec.limitPages === null ? null : pagesToMiB(p.spec.limitPages);
const requestMiB = (p: Readonly<PodState>) =>
  p.spec.requestPages === null ? null : pagesToMiB(p.spec.requestPages);

function countKills(events: readonly SimEvent[]): number {
  let n = 0;
  for (const e of events) if (e.type === 'oom_kill' || e.type === 'evicted') n++;
  return n;
}

/**
 * B1: one decision. Returns the bot's next memory (the same object when nothing changed) and its commands.
 * Pure: everything random comes from `bot.rng`.
 */
export function botAct(bot: BotState, view: BotView): { bot: BotState; commands: Command[] } {
  const kills = countKills(view.events);
  const b: BotState = kills > 0 ? { ...bot, seenKills: bot.seenKills + kills } : bot;
  const rng = new RngCursor(b.rng);
  const out = POLICIES[b.strategy](b, view, rng);
  if (out.next === bot && rng.state === bot.rng && out.commands.length === 0) return { bot, commands: [] };
  return { bot: { ...out.next, rng: rng.state }, commands: out.commands };
}

type Policy = (b: BotState, v: BotView, rng: RngCursor) => { next: BotState; commands: Command[] };

const NONE: Command[] = [];

function pause(rng: RngCursor, range: readonly [number, number]): number {
  return ticks(range[0] + rng.next() * (range[1] - range[0]));
}

/** Plan an action `range` seconds from now, if nothing is planned. */
function plan(b: BotState, v: BotView, rng: RngCursor, range: readonly [number, number]): BotState {
  return b.dueTick >= 0 ? b : { ...b, dueTick: v.tick + pause(rng, range) };
}

const due = (b: BotState, v: BotView) => b.dueTick >= 0 && v.tick >= b.dueTick;

/** A reactive strategy: after each unhandled kill, a pause, then `act` (null = nothing left to do). */
function reactive(
  act: (b: BotState, v: BotView, pod: Readonly<PodState>) => Command | null,
  onlyFirst: boolean,
): Policy {
  return (b, v, rng) => {
    const pending = onlyFirst ? b.handledKills === 0 && b.seenKills > 0 : b.seenKills > b.handledKills;
    if (!pending) return { next: b, commands: NONE };
    const planned = plan(b, v, rng, REACTION_SEC);
    if (!due(planned, v) || !v.pod) return { next: planned, commands: NONE };
    const cmd = act(planned, v, v.pod);
    const next = { ...planned, dueTick: -1, handledKills: planned.seenKills, step: planned.step + 1 };
    return { next, commands: cmd ? [cmd] : NONE };
  };
}

/** A proactive strategy: a list of steps, each taken after a pause once its precondition holds. */
function steps(
  list: readonly {
    ready: (v: BotView, pod: Readonly<PodState>) => boolean;
    act: (v: BotView, pod: Readonly<PodState>) => Command;
  }[],
): Policy {
  return (b, v, rng) => {
    const s = list[b.step];
    if (!s || !v.pod || !s.ready(v, v.pod)) return { next: b, commands: NONE };
    const planned = plan(b, v, rng, b.step === 0 ? SETUP_SEC : REACTION_SEC);
    if (!due(planned, v)) return { next: planned, commands: NONE };
    return { next: { ...planned, dueTick: -1, step: planned.step + 1 }, commands: [s.act(v, v.pod)] };
  };
}

const running = (p: Readonly<PodState>) => p.phase === 'Running' && p.pending === null;

const POLICIES: Record<StrategyName, Policy> = {
  idle: (b) => ({ next: b, commands: NONE }),

  'raise-limit': reactive((b, v, pod) => {
    const current = limitMiB(pod) ?? v.node.capacityMiB;
    const limit = Math.min(RAISE_LIMIT_MAX_MIB, current * 2);
    if (limit <= current) return null;
    return { type: 'set_resources', pod: b.slot, requestMiB: requestMiB(pod), limitMiB: limit };
  }, false),

  'fix-leak': reactive((b, _v, pod) => {
    if (pod.pending) return null;
    if (pod.spec.workload.leakMiBps > 0) return { type: 'fix_leak', pod: b.slot };
    if (pod.spec.workload.batch?.mode === 'load')
      return { type: 'stream_batch', pod: b.slot, chunkMiB: STREAM_CHUNK_MIB };
    return null;
  }, false),

  stream: reactive((b) => ({ type: 'stream_batch', pod: b.slot, chunkMiB: STREAM_CHUNK_MIB }), true),

  backpressure: reactive(
    (b) => ({ type: 'add_backpressure', pod: b.slot, bufferCapMiB: BUFFER_CAP_MIB }),
    true,
  ),

  'huge-request': (b, v, rng) =>
    steps([
      {
        ready: () => true,
        act: (view) => {
          const huge = Math.round(view.node.capacityMiB / 2);
          return { type: 'set_resources', pod: view.slot, requestMiB: huge, limitMiB: huge };
        },
      },
    ])(b, v, rng),

  'max-limit': (b, v, rng) =>
    steps([
      {
        ready: () => true,
        act: (view, pod) => ({
          type: 'set_resources',
          pod: view.slot,
          requestMiB: requestMiB(pod),
          limitMiB: view.node.capacityMiB,
        }),
      },
    ])(b, v, rng),

  'careful-guaranteed': (b, v, rng) =>
    steps([
      {
        ready: () => true,
        act: (view) => ({
          type: 'set_resources',
          pod: view.slot,
          requestMiB: CAREFUL_MIB,
          limitMiB: CAREFUL_MIB,
        }),
      },
      {
        ready: (_v, pod) => running(pod) && limitMiB(pod) === CAREFUL_MIB,
        act: (view) => ({ type: 'fix_leak', pod: view.slot }),
      },
      {
        ready: (_v, pod) => running(pod) && pod.spec.workload.leakMiBps === 0,
        act: (view) => ({ type: 'stream_batch', pod: view.slot, chunkMiB: STREAM_CHUNK_MIB }),
      },
    ])(b, v, rng),

  random: (b, v, rng) => {
    if (b.dueTick < 0)
      return { next: { ...b, dueTick: v.tick + ticks(20 + rng.next() * 40) }, commands: NONE };
    if (v.tick < b.dueTick || !v.pod) return { next: b, commands: NONE };
    const next = { ...b, dueTick: -1, step: b.step + 1 };
    const pod = v.pod;
    const slot = b.slot;
    const cur = limitMiB(pod) ?? 512;
    const choice = rng.int(0, 7);
    let cmd: Command | null = null;
    if (choice === 0)
      cmd = {
        type: 'set_resources',
        pod: slot,
        requestMiB: requestMiB(pod),
        limitMiB: Math.round(cur * 1.5),
      };
    else if (choice === 1) {
      const req = rng.pick([64, 128, 192, 256, 384]);
      cmd = { type: 'set_resources', pod: slot, requestMiB: req, limitMiB: Math.max(req, cur) };
    } else if (choice === 2) cmd = { type: 'fix_leak', pod: slot };
    else if (choice === 3) cmd = { type: 'stream_batch', pod: slot, chunkMiB: rng.pick([16, 32, 64]) };
    else if (choice === 4) cmd = { type: 'add_backpressure', pod: slot, bufferCapMiB: rng.pick([8, 16, 32]) };
    else if (choice === 5) cmd = { type: 'set_oom_score_adj', pod: slot, value: rng.int(-500, 1000) };
    return { next, commands: cmd ? [cmd] : NONE };
  },
};
