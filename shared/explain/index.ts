export type { Candidate, Explanation, Kill, KillScope } from './explanation.ts';
export { explainText } from './explain.ts';
export { explanationJson, formatExplanation } from './format.ts';
export { MAX_INPUT_CHARS } from './input.ts';
export { firstKill, playIncident, reportPidOf, type PlayResult, type PlayedPod } from './play.ts';
