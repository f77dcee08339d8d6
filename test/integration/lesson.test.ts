/**
 * A whole lesson through the real server (docs/game.md, "Integration"): bots fill the empty seats, a round starts,
 * a question holds the clock (L3), students answer (L4, L6), the reveal shows the spread and the truth, the round
 * ends with a podium and post-mortem cards (PM3), the host downloads the CSV (CSV3), and round 2 starts on another
 * built-in scenario and ends on its own at its length (L1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameView } from '../../shared/protocol/gameViews.ts';
import { decodeLeaderboard } from '../../shared/protocol/frames.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { attachHost, call, client, collect, createSession, joinStudent, next, ok, startServer, tick, keepRecordings, type KeptRecording, type TestServer } from './helpers.ts';

describe('a lesson through the real server', () => {
  let s: TestServer;
  /** Every recording the rooms start, with what the room told it (a new one per round on a fresh simulation). */
  const recordings: KeptRecording[] = [];
  beforeAll(async () => {
    s = await startServer({ recorderFactory: keepRecordings(recordings) });
  });
  afterAll(() => s.close());

  it('lobby → round → question → answers → reveal → resume → results → CSV → next round', async () => {
    const { code, hostKey, presenterKey, room } = await createSession(s, { maxStudents: 5, seed: 7 });
    const host = await attachHost(s, code, hostKey);
    const pres = await client(s);
    ok(await call(pres, 'presenter:attach', { v: PROTOCOL_VERSION, code, key: presenterKey }));
    const alice = await joinStudent(s, code, 'alice');
    const bob = await joinStudent(s, code, 'bob');
    expect(alice.join.snapshot.game?.phase).toBe('lobby');

    // Bots: 3 free seats, filled with a mix of strategies; a full room refuses more.
    expect(ok(await call(host, 'bots:fill', { strategy: 'mixed' }))).toEqual({ added: 3 });
    expect(await call(host, 'bots:fill', { strategy: 'idle' })).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });
    // Students may not drive the lesson.
    expect(await call(alice.c, 'round:start', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const started = next(alice.c, 'game:update', (g) => g.phase === 'round');
    const g1 = ok(await call(host, 'round:start', { scenario: 'round', durationSec: 600 }));
    expect(g1).toMatchObject({ phase: 'round', roundNo: 1, round: { scenario: 'round', durationSec: 600 } });
    await started;
    expect(room.status).toBe('running');

    // The leaderboard ranks game scores (G7): five seats, ranks 1..5, bots included.
    // One broadcast to the room's projector (compact rows); alice's own place rides in her frames.
    const boards = collect(pres, 'leaderboard:update');
    const places = collect(alice.c, 'state:frame');
    await tick(room, 30);
    const board = decodeLeaderboard(boards.at(-1)!);
    expect(board.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(board.rows.filter((r) => r.nickname.includes(' bot '))).toHaveLength(3);
    expect(board.rows.some((r) => r.score > 0)).toBe(true);
    const you = ok(await call(alice.c, 'state:sync', {})).leaderboard.you!;
    expect(you.rank).toBeGreaterThanOrEqual(1);
    expect(board.rows.find((r) => r.slot === 'alice')?.rank).toBe(you.rank);
    // A frame carries the place only when it moved, and then the one the snapshot shows.
    const moved = places.map((f) => f.y).filter((y) => Array.isArray(y));
    if (moved.length) expect(moved.at(-1)).toEqual([you.rank, you.score]);

    // Ask: the clock stops; students get the question without its answer.
    const asked = next(alice.c, 'game:update', (g) => g.phase === 'question');
    ok(await call(host, 'question:ask', { builtin: 'seed-exit-137-oomkilled' }));
    const q = await asked;
    expect(q.question?.id).toBe('seed-exit-137-oomkilled');
    expect(q.reveal).toBeNull();
    expect(q.tally).toBeNull();
    expect(JSON.stringify(q)).not.toContain('explanation');
    const frozen = room.state.tick;
    await tick(room, 5);
    expect(room.state.tick).toBe(frozen);

    // Answers: one per student, a later one replaces an earlier one; the presenter sees the spread.
    ok(await call(alice.c, 'question:answer', { questionId: q.question!.id, choice: 'c' }));
    ok(await call(alice.c, 'question:answer', { questionId: q.question!.id, choice: 'a' }));
    const spread = next(pres, 'game:update', (g) => g.answered === 2);
    ok(await call(bob.c, 'question:answer', { questionId: q.question!.id, choice: 'b' }));
    expect((await spread).tally).toEqual({ counts: { a: 1, b: 1, c: 0, d: 0 }, total: 2 });
    expect(await call(bob.c, 'question:answer', { questionId: q.question!.id, choice: 'z' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await call(host, 'question:answer', { questionId: q.question!.id, choice: 'a' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // Reveal: everyone sees the spread and the truth; answers are closed.
    const revealed = next(bob.c, 'game:update', (g) => g.phase === 'reveal');
    ok(await call(host, 'question:reveal', {}));
    const rv = await revealed;
    expect(rv.reveal).toMatchObject({ answer: 'a', correct: 1 });
    expect(rv.reveal?.explanation).toContain('SIGKILL');
    expect(rv.yourAnswer).toBe('b');
    expect(rv.tally?.total).toBe(2);
    expect(await call(bob.c, 'question:answer', { questionId: q.question!.id, choice: 'a' })).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });

    // Resume: the clock runs again.
    ok(await call(host, 'round:resume', {}));
    await tick(room, 5);
    expect(room.state.tick).toBe(frozen + 5);

    // A live question, answered from the kernel's own candidate table.
    const live = ok(await call(host, 'question:ask', { live: 'global-oom-victim' }));
    expect(live.question?.choices.length).toBeGreaterThanOrEqual(2);
    ok(await call(host, 'question:reveal', {}));
    ok(await call(host, 'round:resume', {}));
    await tick(room, 5);

    // End the round: a podium for everyone, a post-mortem card for each student.
    const results = next(alice.c, 'game:update', (g) => g.phase === 'results');
    const presResults = next(pres, 'game:update', (g) => g.phase === 'results');
    ok(await call(host, 'round:end', {}));
    const r = await results;
    expect(r.podium).toHaveLength(3);
    expect(r.podium!.map((p) => p.rank)).toEqual([1, 2, 3]);
    const card = r.card!;
    expect(card).toMatchObject({ slot: 'alice', nickname: 'alice', of: 5 });
    expect(card.answers).toHaveLength(2);
    expect(card.answers[0]).toMatchObject({ questionId: 'seed-exit-137-oomkilled', correct: true });
    expect(card.curve.t.length).toBeGreaterThan(0);
    expect(typeof card.takeaway).toBe('string');
    expect((await presResults).card).toBeNull();
    const ended = room.state.tick;
    await tick(room, 3);
    expect(room.state.tick).toBe(ended);

    // The CSV: host only, one row per seat, answers per question.
    const url = `${s.url}/api/sessions/${code}/results.csv`;
    expect((await fetch(url)).status).toBe(403);
    const res = await fetch(url, { headers: { authorization: `Bearer ${hostKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="oom-arena-${code}-round-1-results.csv"`);
    const round1 = await res.text();
    const lines = round1.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^rank,nickname,slot,score,requests_served,oom_kills_memcg,oom_kills_global,evictions,restarts,/);
    expect(lines[0]).toContain('q:seed-exit-137-oomkilled');
    expect(lines).toHaveLength(6);
    expect(lines.find((l) => l.includes(',alice,'))).toContain('a (right)');
    expect(lines.find((l) => l.includes(',bob,'))).toContain('b (wrong)');

    // Round 2 on another built-in scenario: a fresh simulation with the same seats; it ends at its length.
    const snap = next(alice.c, 'state:snapshot');
    const g2: GameView = ok(await call(host, 'round:start', { scenario: 'worked-example', durationSec: 10 }));
    expect(g2).toMatchObject({ phase: 'round', roundNo: 2, round: { scenario: 'worked-example' } });
    expect((await snap).session.scenario.name).toBe('worked-example');
    expect(room.state.tick).toBe(0);
    const over = next(alice.c, 'game:update', (g) => g.phase === 'results' && g.roundNo === 2);
    room.runTicks(150);
    expect(room.state.tick).toBe(100);
    expect((await over).card?.slot).toBe('alice');

    // After the session ends nothing more can be asked or started; the last round's CSV is still there.
    ok(await call(host, 'session:end', {}));
    expect(await call(host, 'question:ask', { builtin: 'crashloop-timing' })).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });
    expect(await call(host, 'round:start', {})).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    const last = await fetch(url, { headers: { authorization: `Bearer ${hostKey}` } });
    expect(last.headers.get('content-disposition')).toContain('-round-2-results.csv');
    const round2 = await last.text();
    expect(round2).not.toContain('q:seed-exit-137-oomkilled');

    // Every round stays downloadable: round 1 as it ended, while round 2 is the default.
    const get = (q: string) => fetch(`${url}?${q}`, { headers: { authorization: `Bearer ${hostKey}` } });
    const again = await get('round=1');
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(round1);
    expect(await (await get('round=2')).text()).toBe(round2);
    const none = await get('round=3');
    expect([none.status, ((await none.json()) as { error: { code: string } }).error.code]).toEqual([404, 'ROUND_NOT_FOUND']);
    for (const bad of ['round=0', 'round=abc', 'round=1.5', 'x=1']) {
      const r = await get(bad);
      expect([bad, r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([bad, 400, 'BAD_REQUEST']);
    }
  });

  it('server-side bots play their strategy through the simulation (B3 careful-guaranteed)', async () => {
    const { code, hostKey, room } = await createSession(s, { maxStudents: 2, seed: 3 });
    const host = await attachHost(s, code, hostKey);
    expect(ok(await call(host, 'bots:fill', { strategy: 'careful-guaranteed' }))).toEqual({ added: 2 });
    ok(await call(host, 'session:start', {}));
    // B2: a careful bot looks at the dashboard for 10–30 s, then sets request = limit = 512 MiB.
    for (let i = 0; i < 8; i++) room.runTicks(50);
    const bots = room.state.pods.filter((p) => p.phase === 'Running');
    expect(bots.length).toBeGreaterThanOrEqual(1);
    for (const p of bots) expect(p.spec.requestPages).toBe(p.spec.limitPages);
    expect(bots[0]!.spec.limitPages).toBe(512 * 256);
    const board = room.snapshotFor('nobody').leaderboard;
    expect(board.rows).toHaveLength(2);
  });

  it('commands in the first seconds of a round are held and applied together (fairness window)', async () => {
    const { code, hostKey, room } = await createSession(s, { seed: 11 });
    const host = await attachHost(s, code, hostKey);
    const a = await joinStudent(s, code, 'ann');
    const b = await joinStudent(s, code, 'ben');
    ok(await call(host, 'round:start', {}));
    let settled = 0;
    const acks = [a, b].map((st) =>
      call(st.c, 'pod:command', { command: { type: 'set_resources', requestMiB: 256, limitMiB: 512 } }).then((r) => {
        settled++;
        return r;
      }),
    );
    await tick(room, 10);
    expect(settled).toBe(0);
    await tick(room, 25);
    const ticks = (await Promise.all(acks)).map((r) => ok(r).tick);
    expect(ticks).toEqual([30, 30]);
    // After the window, commands go straight to the next tick again.
    expect(ok(await call(a.c, 'pod:command', { command: { type: 'fix_leak' } })).tick).toBe(room.state.tick + 1);
  });

  it('a question asked inside the fairness window releases the held commands; ending the round refuses them', async () => {
    const { code, hostKey, room } = await createSession(s, { seed: 12 });
    const host = await attachHost(s, code, hostKey);
    const a = await joinStudent(s, code, 'cy');
    ok(await call(host, 'round:start', {}));
    await tick(room, 2);
    const held = call(a.c, 'pod:command', { command: { type: 'fix_leak' } });
    ok(await call(host, 'question:ask', { builtin: 'crashloop-timing' }));
    expect(ok(await held).tick).toBe(room.state.tick + 1);
    ok(await call(host, 'question:reveal', {}));
    ok(await call(host, 'round:resume', {}));
    await tick(room, 1);
    const late = call(a.c, 'pod:command', { command: { type: 'kill' } });
    ok(await call(host, 'round:end', {}));
    expect(await late).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });
  });

  it('records the lesson: bots as joins, game actions as host actions, bot commands as commands; round 2 names its seats', async () => {
    const { code, hostKey, room } = await createSession(s, { maxStudents: 2, seed: 5 });
    const host = await attachHost(s, code, hostKey);
    await joinStudent(s, code, 'dee');
    ok(await call(host, 'bots:fill', { strategy: 'careful-guaranteed' }));
    ok(await call(host, 'round:start', { durationSec: 60 }));
    room.runTicks(400);
    ok(await call(host, 'question:ask', { builtin: 'request-does-not-cap' }));
    ok(await call(host, 'question:reveal', {}));
    ok(await call(host, 'round:resume', {}));
    ok(await call(host, 'round:end', {}));
    ok(await call(host, 'round:start', { scenario: 'leak', durationSec: 30 }));

    const mine = recordings.filter((r) => r.start.code === code);
    expect(mine).toHaveLength(2);
    const [first, second] = mine.map((r) => r.rec);
    const bot = first!.hostActions.find((a) => a.action === 'join' && a.detail?.['bot'] === true);
    expect(bot?.detail).toMatchObject({ strategy: 'careful-guaranteed', role: 'student' });
    expect(first!.hostActions.map((a) => a.action).filter((a) => !['join', 'start'].includes(a))).toEqual([
      'round_start',
      'question_ask',
      'question_reveal',
      'question_resume',
      'round_end',
    ]);
    expect(first!.commands.filter((c) => c.command.type === 'add_pod')).toHaveLength(2);
    // B2, B3: after 10–30 s of looking, the careful bot asks for request = limit = 512 MiB: recorded under its id.
    expect(first!.commands.find((c) => c.by === bot!.detail!['participant'] && c.command.type !== 'add_pod')?.command).toMatchObject({
      type: 'set_resources',
      requestMiB: 512,
      limitMiB: 512,
    });
    expect(second!.hostActions.filter((a) => a.action === 'join').map((a) => a.detail?.['name'])).toEqual(['dee', bot!.detail!['name']]);
    expect(second!.hostActions.at(-1)).toMatchObject({ action: 'round_start', detail: { round: 2, scenario: 'leak' } });
    expect(mine[1]!.start.scenario.name).toBe('leak');
  });

  it('validates game messages at the checkpoint', async () => {
    const { code, hostKey } = await createSession(s);
    const host = await attachHost(s, code, hostKey);
    expect(await call(host, 'question:ask', { builtin: 'no-such-question' })).toMatchObject({ ok: false });
    expect(await call(host, 'question:ask', { live: 'nope' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await call(host, 'bots:fill', { strategy: 'cheat' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await call(host, 'round:start', { scenario: 'nope' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await call(host, 'round:start', { durationSec: 5 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // Not in the lobby's order: nothing to reveal, resume or end yet.
    expect(await call(host, 'question:reveal', {})).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });
    expect(await call(host, 'round:end', {})).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });
  });
});
