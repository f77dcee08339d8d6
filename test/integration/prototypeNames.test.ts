/**
 * Every name Object.prototype carries (`__proto__`, `constructor`, `toString`, `hasOwnProperty`, `valueOf` …), typed
 * as a nickname, used as a pod and slot name in an uploaded recording, answered with, scored and downloaded as a
 * CSV: nothing crashes, Object.prototype is untouched, and a bystander room and the session routes work on.
 * (Issue 10, defects 1 and 2: on e42e57b a student called "constructor" killed the process at the next tick, and an
 * uploaded pod called "__proto__" wrote `score`, `requestsServed` … onto Object.prototype.)
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingRoutes, RecordingStore } from '../../server/recording/index.ts';
import { recordingSessionHooks } from '../../server/sessions/sessionHooks.ts';
import type { RoomRegistry } from '../../server/room/RoomRegistry.ts';
import { builtinQuestion } from '../../shared/game/questions.ts';
import { roundScenario } from '../../shared/game/roundScenario.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { RecordingWriter } from '../../shared/recording/writer.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command } from '../../shared/sim/types.ts';
import { attachHost, bearer, call, client, createSession, joinStudent, next, ok, startServer, tick, TEACHER_KEY, type TestServer } from './helpers.ts';

/** Every own name of Object.prototype, read from the runtime (so a new one is covered too), and `prototype`. */
const PROTO_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype', '__proto__'])];
/** Kubernetes' DNS-1123 label rule, written out here so this test reads the same on any commit. */
const isDnsLabel = (x: unknown) => typeof x === 'string' && x.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(x);
const protoSnapshot = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const before = protoSnapshot();

/** Object.prototype gained nothing, lost nothing, and a fresh object reads none of the game's fields. */
function expectPrototypeUntouched(): void {
  expect(protoSnapshot()).toBe(before);
  const probe = {} as Record<string, unknown>;
  for (const f of ['score', 'requestsServed', 'slot', 'incidents', 't', 'usageMiB', 'a', 'counts']) expect(probe[f]).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

const dataDir = mkdtempSync(join(tmpdir(), 'oom-proto-names-'));
let s: TestServer;
let store: RecordingStore;

beforeAll(async () => {
  store = new RecordingStore({ dataDir });
  let rooms: RoomRegistry | null = null;
  const hooks = recordingSessionHooks(store, () => rooms!);
  s = await startServer({
    config: { roomCreations: { burst: 1000, perSec: 1000 }, maxSessions: 1000 },
    recorderFactory: hooks.recorderFactory,
    plugins: [(a) => a.register(recordingRoutes, { store, resumeSession: hooks.resumeSession, resultsCsv: hooks.resultsCsv })],
  });
  rooms = s.rooms;
});
afterAll(async () => {
  await s?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A recording built with the project's own writer, in which a pod (slot) is called `name`; hash-consistent. */
function recordingWithPod(name: string): string {
  const scenario = roundScenario({ seats: 2, durationSec: 30, seed: 7, slots: ['x'] });
  const state = createSimulation(scenario);
  // The pod is in the first keyframe under that name (the reducer would refuse to create it; a file can hold it).
  state.pods[0]!.slot = name;
  state.pods[0]!.name = `${name}-abcde`;
  const w = new RecordingWriter(
    { id: `proto-${Math.abs(hashOf(name))}`, code: 'ABCD', startedAt: '2026-11-28T10:00:00.000Z', scenario, seed: state.seed, initialState: state },
    { keyframeEvery: 20 },
  );
  const q = builtinQuestion('crashloop-timing')!;
  let text = w.begin();
  text += w.hostAction(0, 'join', { participant: '1', role: 'student', slot: name, bot: false, name });
  text += w.hostAction(0, 'round_start', { round: 1, scenario: scenario.name, durationSec: 30 });
  const plan = new Map<number, Command[]>([
    [15, [{ type: 'set_resources', pod: name, requestMiB: 128, limitMiB: 192 }]],
    [25, [{ type: 'set_workload', pod: name, workload: { leakMiBps: 5 } }]],
  ]);
  for (let t = 1; t <= 60; t++) {
    const cmds = plan.get(t) ?? [];
    for (const c of cmds) text += w.command(t, '1', c);
    advance(state, cmds);
    text += w.afterTick(state);
    if (t === 30) {
      text += w.hostAction(t, 'question_ask', { question: q.id, source: 'builtin' });
      text += w.hostAction(t, 'answer', { question: q.id, by: name, choice: q.answer });
      text += w.hostAction(t, 'question_reveal');
      text += w.hostAction(t, 'question_resume');
    }
  }
  text += w.hostAction(60, 'round_end', { round: 1, by: 'host' });
  return text + w.end('ended', '2026-11-28T10:01:00.000Z');
}

function hashOf(s: string): number {
  let h = 7;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

describe('Object.prototype names everywhere a name enters (defects 1 and 2)', () => {
  it('join, play, answer, record and score with every Object.prototype name: no crash, prototype untouched, others unaffected', async () => {
    // A bystander class that must not notice anything.
    const bystander = await createSession(s, { scenario: 'classroom' });
    const alice = await joinStudent(s, bystander.code, 'alice');
    const bystanderHost = await attachHost(s, bystander.code, bystander.hostKey);
    ok(await call(bystanderHost, 'session:start', {}));

    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(PROTO_NAMES, { minLength: 3, maxLength: 6 }),
        fc.array(fc.constantFrom('', '!', ' ', '1', '-'), { minLength: 6, maxLength: 6 }),
        fc.boolean(),
        async (names, suffixes, upper) => {
          const room = await createSession(s, { scenario: 'classroom' });
          const host = await attachHost(s, room.code, room.hostKey);
          const students = [];
          for (const [i, base] of names.entries()) {
            const nick = (upper ? base.charAt(0).toUpperCase() + base.slice(1) : base) + suffixes[i]!;
            const r = await call(await client(s), 'student:join', { v: PROTOCOL_VERSION, code: room.code, nickname: nick });
            // Refused only with a code (e.g. a name already taken after folding), never by a crash.
            if (!r.ok) {
              expect(r.error.code).toMatch(/^NAME_/);
              continue;
            }
            expect(isDnsLabel(r.data.slot)).toBe(true);
            students.push({ c: s.clients.at(-1)!, join: r.data });
          }
          // A pod whose slot is exactly `constructor` is in every run (the crash of defect 1).
          if (!students.some((st) => st.join.slot === 'constructor')) students.push(await joinStudent(s, room.code, 'constructor'));
          expect(students.some((st) => st.join.slot === 'constructor')).toBe(true);

          ok(await call(host, 'session:start', {}));
          await tick(room.room, 3);
          for (const st of students) {
            ok(await call(st.c, 'pod:command', { command: { type: 'set_resources', requestMiB: 128, limitMiB: 256 } }));
          }
          await tick(room.room, 12);
          const q = ok(await call(host, 'question:ask', { builtin: 'crashloop-timing' }));
          for (const st of students) ok(await call(st.c, 'question:answer', { questionId: q.question!.id, choice: 'a' }));
          ok(await call(host, 'question:reveal', {}));
          ok(await call(host, 'round:resume', {}));
          await tick(room.room, 5);
          ok(await call(host, 'round:end', {}));

          const csv = await fetch(`${s.url}/api/sessions/${room.code}/results.csv`, { headers: { authorization: `Bearer ${room.hostKey}` } });
          expect(csv.status).toBe(200);
          const text = await csv.text();
          for (const st of students) expect(text).toContain(st.join.slot!);

          const recId = room.room.meta().recordingId!;
          await store.flush(recId);
          const scored = await fetch(`${s.url}/api/recordings/${recId}/results.csv`, { headers: bearer(TEACHER_KEY) });
          expect(scored.status, await scored.clone().text()).toBe(200);
          expect(await scored.text()).toContain('constructor');
          await call(host, 'session:end', {});
          expectPrototypeUntouched();
        },
      ),
      { numRuns: 4, endOnFailure: true },
    );

    // Uploads: a pod named after each Object.prototype name. A DNS-1123 label is accepted and scored; anything else
    // is refused with a coded error at the door. Never a 500, never a polluted prototype.
    for (const name of [...PROTO_NAMES, 'constructor', 'valueof', 'tostring']) {
      const up = await fetch(`${s.url}/api/recordings`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...bearer(TEACHER_KEY) }, body: recordingWithPod(name) });
      const body = (await up.json()) as { recording?: { id: string }; error?: { code: string; message: string } };
      if (isDnsLabel(name)) {
        expect(up.status, JSON.stringify(body)).toBe(201);
        const csv = await fetch(`${s.url}/api/recordings/${body.recording!.id}/results.csv`, { headers: bearer(TEACHER_KEY) });
        expect(csv.status).toBe(200);
        expect(await csv.text()).toContain(name);
      } else {
        expect(up.status, `${name}: ${JSON.stringify(body)}`).toBe(422);
        expect(body.error!.code).toBe('INVALID_LINE');
        expect(body.error!.message).toMatch(/DNS-1123/);
      }
      expectPrototypeUntouched();
    }

    // The rest of the server is fine: new sessions are created, the bystander class still plays.
    const fresh = await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(fresh.status).toBe(201);
    const from = bystander.room.state.tick;
    const frame = next(alice.c, 'state:frame', (d) => d.t > from);
    await tick(bystander.room, 2);
    expect((await frame).t).toBeGreaterThan(from);
    expect(bystander.room.status).toBe('running');
  });
});
