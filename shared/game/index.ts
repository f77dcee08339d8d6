/** The game layer's public surface: scoring, bots, the tournament, questions, post-mortems, results, the lesson. */
export * from './score.ts';
export * from './standings.ts';
export * from './strategies.ts';
export * from './tournament.ts';
export * from './questions.ts';
export * from './trace.ts';
export * from './postmortem.ts';
export * from './results.ts';
export * from './round.ts';
export * from './roundScenario.ts';
export { seedRng, nextFloat, hashString } from './rng.ts';
