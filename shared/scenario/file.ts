import { parseScenario, type Scenario } from './schema.ts';
import { studentSlots } from './student.ts';

/**
 * A teacher's scenario file as the browser reads it (docs/scenarios.md): its text, checked before anything is sent,
 * so a mistake is named at once on the teacher's laptop. The server checks the decoded object again with the same
 * schema: the browser's check is for people, the server's is the one that counts.
 */

/** The largest file a live session takes: the server's HTTP body limit is 64 KB, with room for the rest. */
export const SCENARIO_FILE_MAX_BYTES = 48 * 1024;

export type ScenarioFileResult = { ok: true; scenario: Scenario; raw: Record<string, unknown> } | { ok: false; message: string };

/** Decode and validate a scenario file's text. `raw` is what goes on the wire (the server parses it itself). */
export function parseScenarioText(text: string, bytes = utf8Length(text)): ScenarioFileResult {
  if (bytes > SCENARIO_FILE_MAX_BYTES) {
    return { ok: false, message: `The file is ${kb(bytes)} KB; a live session takes scenario files up to ${kb(SCENARIO_FILE_MAX_BYTES)} KB.` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `Not a JSON file: ${(e as Error).message}` };
  }
  const r = parseScenario(raw);
  // A scenario parsed, so `raw` is a JSON object.
  return r.ok ? { ok: true, scenario: r.scenario, raw: raw as Record<string, unknown> } : { ok: false, message: `Not a valid scenario: ${r.message}` };
}

/** One line for the teacher: what the file sets up. */
export function describeScenarioFile(s: Scenario): string {
  const pods = s.pods.length;
  const students = studentSlots(s);
  const parts = [
    `${s.node.memoryMiB} MiB node`,
    `${pods} scenario pod${pods === 1 ? '' : 's'}`,
    students > 0 ? `up to ${students} student pods` : 'no student pods (students watch)',
    `${s.timeline.length} timed event${s.timeline.length === 1 ? '' : 's'}`,
    s.durationSec < 120 ? `${s.durationSec} s` : `${Math.round(s.durationSec / 60)} min`,
  ];
  return parts.join(' · ');
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function kb(bytes: number): number {
  return Math.ceil(bytes / 1024);
}
