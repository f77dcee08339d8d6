/** Bot strategies (docs/game.md, B1–B4). */
import { describe, expect, it } from 'vitest';
import { roundScenario } from '../../shared/game/roundScenario.ts';
import {
  BOT_CLI_STRATEGIES,
  botAct,
  botView,
  createBot,
  isStrategy,
  nodeView,
  REACTION_SEC,
  SETUP_SEC,
  STRATEGIES,
  type StrategyName,
} from '../../shared/game/strategies.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command } from '../../shared/sim/types.ts';

/** One bot alone on a round node; returns its commands with the tick they were issued at, and its kill ticks. */
function solo(strategy: StrategyName, seconds: number, seed = 1) {
  const state = createSimulation(roundScenario({ seats: 4, slots: ['me'], seed }), { seed });
  let bot = createBot(strategy, 'me', seed);
  const issued: { tick: number; cmd: Command }[] = [];
  const kills: number[] = [];
  let pending: Command[] = [];
  for (let t = 1; t <= seconds * 10; t++) {
    advance(state, pending);
    for (const e of state.events) if (e.type === 'oom_kill' && e.slot === 'me') kills.push(e.tick);
    const r = botAct(bot, botView(state, 'me', nodeView(state)));
    bot = r.bot;
    pending = r.commands;
    for (const cmd of r.commands) issued.push({ tick: state.tick, cmd });
  }
  return { issued, kills, state };
}

describe('B1: policies are pure and seeded', () => {
  it.each(STRATEGIES.map((s) => [s]))('%s: the same seed gives the same commands', (s) => {
    const a = solo(s, 240, 3);
    const b = solo(s, 240, 3);
    expect(a.issued).toEqual(b.issued);
  });

  it('a bot with nothing to do returns the very same memory object (cheap for 300 bots)', () => {
    const state = createSimulation(roundScenario({ seats: 1, slots: ['me'] }));
    advance(state);
    const bot = createBot('idle', 'me', 1);
    expect(botAct(bot, botView(state, 'me')).bot).toBe(bot);
  });
});

describe('B2/B3: what each strategy does, with human pauses', () => {
  it('raise-limit doubles the limit 5–20 s after each kill, keeping the request', () => {
    const { issued, kills } = solo('raise-limit', 600);
    expect(kills.length).toBeGreaterThanOrEqual(1);
    const first = issued[0]!;
    expect(first.cmd).toEqual({ type: 'set_resources', pod: 'me', requestMiB: 192, limitMiB: 768 });
    const delay = (first.tick - kills[0]!) / 10;
    expect(delay).toBeGreaterThanOrEqual(REACTION_SEC[0]);
    expect(delay).toBeLessThanOrEqual(REACTION_SEC[1] + 0.2);
  });

  it('fix-leak fixes the leak after the first kill and is not killed again', () => {
    const { issued, kills, state } = solo('fix-leak', 900);
    expect(issued.map((i) => i.cmd.type)).toEqual(['fix_leak']);
    expect(kills.length).toBe(1);
    expect(state.pods.find((p) => p.slot === 'me')!.spec.workload.leakMiBps).toBe(0);
  });

  it('careful-guaranteed: request = limit = 512, then fixes the leak, then streams; never killed', () => {
    const { issued, kills } = solo('careful-guaranteed', 600);
    expect(issued.map((i) => i.cmd)).toEqual([
      { type: 'set_resources', pod: 'me', requestMiB: 512, limitMiB: 512 },
      { type: 'fix_leak', pod: 'me' },
      { type: 'stream_batch', pod: 'me', chunkMiB: 32 },
    ]);
    expect(issued[0]!.tick / 10).toBeGreaterThanOrEqual(SETUP_SEC[0]);
    expect(issued[0]!.tick / 10).toBeLessThanOrEqual(SETUP_SEC[1] + 0.2);
    expect(kills).toEqual([]);
  });

  it('huge-request asks for half the node; max-limit asks for the whole node as a limit only', () => {
    const huge = solo('huge-request', 60).issued.map((i) => i.cmd);
    expect(huge).toEqual([{ type: 'set_resources', pod: 'me', requestMiB: 2048, limitMiB: 2048 }]);
    const greedy = solo('max-limit', 60).issued.map((i) => i.cmd);
    expect(greedy).toEqual([{ type: 'set_resources', pod: 'me', requestMiB: 192, limitMiB: 4096 }]);
  });

  it('stream and backpressure act once, after the first kill', () => {
    expect(solo('stream', 600).issued.map((i) => i.cmd)).toEqual([
      { type: 'stream_batch', pod: 'me', chunkMiB: 32 },
    ]);
    expect(solo('backpressure', 600).issued.map((i) => i.cmd)).toEqual([
      { type: 'add_backpressure', pod: 'me', bufferCapMiB: 16 },
    ]);
  });

  it('idle never acts; random acts every 20–60 s', () => {
    expect(solo('idle', 600).issued).toEqual([]);
    const r = solo('random', 600).issued;
    expect(r.length).toBeGreaterThanOrEqual(5);
    expect(r.length).toBeLessThanOrEqual(30);
  });
});

describe('B4: the bots CLI names', () => {
  it('map onto strategies', () => {
    for (const s of Object.values(BOT_CLI_STRATEGIES)) expect(isStrategy(s)).toBe(true);
    expect(Object.keys(BOT_CLI_STRATEGIES).sort()).toEqual(['careful', 'greedy', 'leaky', 'random']);
  });
});
