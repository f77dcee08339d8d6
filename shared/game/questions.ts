/**
 * Predict, then reveal (docs/game.md, QB1–QB6): the built-in question bank and live questions whose answers come from
 * the simulation's own kernel and kubelet code, so the reveal is what the session then shows happening. This file
 * gathers the parts: the shape (questionTypes.ts), the bank (questionBank.ts), live questions (liveQuestions.ts) and
 * answers (questionAnswers.ts).
 */
export * from './questionTypes.ts';
export * from './questionBank.ts';
export * from './liveQuestions.ts';
export * from './questionAnswers.ts';
