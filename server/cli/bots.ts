import { parseArgs } from 'node:util';
import { Bot } from './botClient.ts';
import { STRATEGIES, type Strategy } from './botHabits.ts';

/**
 * `npm run bots -- --url http://localhost:3000 --room ABC234 --count 10 [--strategy leaky|greedy|careful|random]`
 * Joins N bot students that act like people, to rehearse a lesson or fill empty pods. Ctrl-C leaves.
 */
const USAGE = 'usage: npm run bots -- --url <server> --room <code> --count N [--strategy leaky|greedy|careful|random|mixed] [--pause 3-10]';

function main(): void {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://localhost:3000' },
      room: { type: 'string' },
      count: { type: 'string', default: '5' },
      strategy: { type: 'string', default: 'mixed' },
      pause: { type: 'string', default: '3-10' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.room) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const count = Number(values.count);
  const strategy = values.strategy!;
  const pause = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(values.pause!);
  if (!Number.isInteger(count) || count < 1 || count > 1000 || !pause || (strategy !== 'mixed' && !STRATEGIES.includes(strategy as Strategy))) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const bots: Bot[] = [];
  const errors = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const s = strategy === 'mixed' ? STRATEGIES[i % STRATEGIES.length]! : (strategy as Strategy);
    bots.push(
      new Bot({
        url: values.url!,
        room: values.room!,
        nickname: `bot-${s}-${i + 1}`,
        strategy: s,
        pauseSec: [Number(pause[1]), Number(pause[2])],
        onError: (code, message) => {
          errors.set(code, (errors.get(code) ?? 0) + 1);
          if (errors.get(code) === 1) process.stderr.write(`bot error ${code}: ${message}\n`);
        },
      }),
    );
  }
  const report = setInterval(() => {
    const joined = bots.filter((b) => b.join).length;
    const cmds = bots.reduce((a, b) => a + b.commandsSent, 0);
    const killed = bots.filter((b) => b.pod?.lastReason === 'OOMKilled').length;
    process.stdout.write(`${joined}/${count} bots in room ${values.room}; ${cmds} commands sent; ${killed} pods OOM-killed at least once\n`);
  }, 10_000);
  const stop = () => {
    clearInterval(report);
    for (const b of bots) b.stop();
    setTimeout(() => process.exit(0), 200);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
