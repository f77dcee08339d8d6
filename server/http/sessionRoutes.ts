import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { normaliseRoomCode, ROOM_CODE_PATTERN } from '../../shared/protocol/roomCode.ts';
import { ErrorCode } from '../../shared/protocol/errors.ts';
import { createSessionSchema, resultsQuerySchema, startRoundFromFileSchema, type CreateSessionResponse, type SessionInfo } from '../../shared/protocol/schemas.ts';
import { describeIssues } from '../../shared/schemas/commands.ts';
import { builtinScenarios } from '../../shared/scenario/builtin.ts';
import { parseScenario, type Scenario } from '../../shared/scenario/schema.ts';
import { owns } from '../auth/access.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { sameSecret } from '../util/secrets.ts';
import { joinAddress, LOOPBACK_WARNING, type JoinAddress } from '../net/joinAddress.ts';
import type { ServerConfig } from '../config.ts';
import type { HttpGuards } from './guards.ts';

export interface SessionRoutesOptions {
  rooms: RoomRegistry;
  config: ServerConfig;
  /** Base URLs students can reach (LAN first); filled in by main.ts once listening. */
  publicUrls: () => string[];
  guards: HttpGuards;
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/**
 * HTTP side of sessions: create one (the address's room budget; the teacher key in `Authorization` becomes its
 * owner), look one up before joining (look-ups limited per address), a QR code for the projector, the scenario
 * list, and the health check.
 */
export async function sessionRoutes(app: FastifyInstance, o: SessionRoutesOptions): Promise<void> {
  const { rooms, config, guards } = o;
  /** The address students are sent to, for a request (its origin is the last resort). */
  const joinFor = (req: FastifyRequest): JoinAddress =>
    joinAddress({ publicUrl: config.publicUrl, known: o.publicUrls(), requestOrigin: `${req.protocol}://${req.host}` });
  const joinInfo = (req: FastifyRequest, code: string) => {
    const j = joinFor(req);
    return { joinUrl: `${j.base}/join/${code}`, ...(j.loopbackOnly ? { joinWarning: LOOPBACK_WARNING } : {}) };
  };

  app.get('/healthz', async () => ({ ok: true, sessions: rooms.liveCount, uptimeSec: Math.round(process.uptime()) }));

  app.get('/api/scenarios', async () => ({
    scenarios: [...builtinScenarios().values()].map((s) => ({
      name: s.name,
      title: s.title ?? s.name,
      description: s.description ?? '',
      durationSec: s.durationSec,
      nodeMemoryMiB: s.node.memoryMiB,
      studentPods: s.student?.maxPods ?? 0,
    })),
  }));

  app.post(
    '/api/sessions',
    async (req, reply) => {
      const parsed = createSessionSchema.safeParse(req.body ?? {});
      if (!parsed.success) return reply.code(400).send(errorBody('BAD_REQUEST', describeIssues(parsed.error)));
      const b = parsed.data;
      if (b.scenario !== undefined && b.scenarioFile !== undefined) {
        return reply.code(400).send(errorBody('BAD_REQUEST', 'Send a scenario name or a scenario file, not both.'));
      }
      let base: Scenario | undefined;
      if (b.scenarioFile !== undefined) {
        const file = parseScenario(b.scenarioFile);
        if (!file.ok) return reply.code(400).send(errorBody(ErrorCode.BAD_SCENARIO, `scenarioFile: ${file.message}`));
        base = file.scenario;
      } else {
        const name = b.scenario ?? 'classroom';
        base = builtinScenarios().get(name);
        if (!base) return reply.code(404).send(errorBody('SCENARIO_NOT_FOUND', `No scenario named "${name}".`));
      }
      const scenario = b.nodeMemoryMiB ? { ...base, node: { ...base.node, memoryMiB: b.nodeMemoryMiB } } : base;
      // Checked last: a refused request costs nothing from the budget.
      if (!(await guards.roomCreation(req, reply))) return reply;
      // The teacher key (if any) owns the session and its recordings; without one, the host key does.
      const room = await rooms.open({ scenario, seed: b.seed, speed: b.speed, lateJoin: b.lateJoin, maxStudents: b.maxStudents, nodeMemoryMiB: b.nodeMemoryMiB, ownerHash: guards.caller(req).keyHash ?? undefined });
      if (!room) return reply.code(503).send(errorBody('TOO_MANY_SESSIONS', 'This server is running as many sessions as it can. End an old one first.'));
      const origin = `${req.protocol}://${req.host}`;
      // The address students can reach first (what the host page and the projector show), then the others.
      const urls = [...new Set([joinFor(req).base, ...o.publicUrls(), origin])];
      const info = joinInfo(req, room.code);
      const res: CreateSessionResponse = {
        code: room.code,
        hostKey: room.hostKey,
        presenterKey: room.presenterKey,
        joinUrls: urls.map((u) => `${u}/join/${room.code}`),
        ...(info.joinWarning ? { joinWarning: info.joinWarning } : {}),
      };
      return reply.code(201).send(res);
    },
  );

  /** The room for a code, charging the address's look-up budgets (a miss costs more: guessing codes). */
  async function lookUp(rawCode: string, req: FastifyRequest, reply: FastifyReply): Promise<Room | null> {
    if (!(await guards.lookup(req, reply))) return null;
    const code = normaliseRoomCode(rawCode);
    const room = ROOM_CODE_PATTERN.test(code) ? rooms.get(code) : undefined;
    if (room) return room;
    await guards.lookupMissed(req.ip);
    reply.code(404).send(errorBody('SESSION_NOT_FOUND', 'No session with that code.'));
    return null;
  }

  app.get<{ Params: { code: string } }>('/api/sessions/:code', async (req, reply) => {
    const room = await lookUp(req.params.code, req, reply);
    if (!room) return reply;
    const m = room.meta();
    const body: SessionInfo = { code: m.code, status: m.status, scenario: m.scenario, locked: m.locked, lateJoin: m.lateJoin, students: m.students, podSlots: m.podSlots, ...joinInfo(req, m.code) };
    // The projector's lobby lists who joined: only for the room's presenter key (or host, owner, operator).
    if (mayView(room, req)) body.names = room.nicknames();
    return body;
  });

  /** Whether the bearer key opens the room's views: its presenter key, its host key, its owner or the operator. */
  function mayView(room: Room, req: FastifyRequest): boolean {
    const { key } = guards.caller(req);
    return key !== null && (sameSecret(key, room.presenterKey) || sameSecret(key, room.hostKey) || owns(guards.caller(req), room.ownerHash));
  }

  /**
   * The next round from a teacher's scenario file (docs/game.md). Host key as for the CSV. The file is checked with
   * the scenario schema here; a refusal is coded, names the field, and leaves the session as it was.
   */
  app.post<{ Params: { code: string } }>(
    '/api/sessions/:code/rounds',
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (req, reply) => {
      const room = await hostRoom(req.params.code, req);
      if (!room.ok) return reply.code(room.status).send(errorBody(room.code, room.message));
      const parsed = startRoundFromFileSchema.safeParse(req.body ?? {});
      if (!parsed.success) return reply.code(400).send(errorBody(ErrorCode.BAD_REQUEST, describeIssues(parsed.error)));
      const file = parseScenario(parsed.data.scenarioFile);
      if (!file.ok) return reply.code(400).send(errorBody(ErrorCode.BAD_SCENARIO, `scenarioFile: ${file.message}`));
      const r = room.room.startRound(file.scenario, parsed.data.durationSec);
      if (!r.ok) return reply.code(r.error.code === ErrorCode.BAD_REQUEST ? 400 : 409).send({ error: r.error });
      return reply.code(201).send(r.data);
    },
  );

  /**
   * The room's keys for its owner on another computer (their teacher key copied there) or its host: the host page
   * there keeps the host key, and its "Open presenter" link the presenter key.
   */
  app.get<{ Params: { code: string } }>('/api/sessions/:code/keys', async (req, reply) => {
    const host = await hostRoom(req.params.code, req);
    if (!host.ok) return reply.code(host.status).send(errorBody(host.code, host.status === 403 ? 'Only the teacher who made this session can open it.' : host.message));
    return reply.header('cache-control', 'no-store').send({ code: host.room.code, hostKey: host.room.hostKey, presenterKey: host.room.presenterKey });
  });

  /** The live room for a code and its host key, its owner's teacher key or the operator's in `Authorization: Bearer <key>`, or why not. */
  async function hostRoom(
    rawCode: string,
    req: FastifyRequest,
  ): Promise<{ ok: true; room: Room } | { ok: false; status: 403 | 404 | 429; code: string; message: string }> {
    // A 403 here tells a room exists as a 404 would not: these look-ups draw on the same guessing budget.
    if (!(await guards.mayLookUp(req.ip))) return { ok: false, status: 429, code: ErrorCode.RATE_LIMITED, message: 'Too many look-ups from your network: wait a moment and try again.' };
    const code = normaliseRoomCode(rawCode);
    const room = ROOM_CODE_PATTERN.test(code) ? rooms.get(code) : undefined;
    if (!room) {
      await guards.lookupMissed(req.ip);
      return { ok: false, status: 404, code: ErrorCode.SESSION_NOT_FOUND, message: 'No session with that code.' };
    }
    const caller = guards.caller(req);
    if (!(caller.key !== null && sameSecret(caller.key, room.hostKey)) && !owns(caller, room.ownerHash)) return { ok: false, status: 403, code: ErrorCode.BAD_HOST_KEY, message: 'Only the host may do that.' };
    return { ok: true, room };
  }

  /**
   * CSV3: a round's results for the teacher (scores, kills by kind, restarts, uptime, answers): `?round=N` for an
   * earlier round as it ended, else the current (or last) round. The host key goes
   * in the Authorization header (`Bearer <hostKey>`), never in the URL, so it stays out of logs and history.
   */
  app.get<{ Params: { code: string } }>('/api/sessions/:code/results.csv', async (req, reply) => {
    const host = await hostRoom(req.params.code, req);
    if (!host.ok) return reply.code(host.status).send(errorBody(host.code, host.status === 403 ? 'Only the host may download the results.' : host.message));
    const room = host.room;
    const q = resultsQuerySchema.safeParse(req.query ?? {});
    if (!q.success) return reply.code(400).send(errorBody(ErrorCode.BAD_REQUEST, describeIssues(q.error)));
    const round = q.data.round ?? room.lesson.roundNo;
    const csv = room.resultsCsv(round);
    if (csv === null) {
      // A round before a resume: its recording still scores it (Recordings → Results (CSV)).
      const message =
        round < room.lesson.roundNo
          ? `Round ${round} was played before the session was resumed: its results are on the recordings list (Results (CSV)).`
          : `This session has no round ${round} (it has played ${room.lesson.roundNo}).`;
      return reply.code(404).send(errorBody('ROUND_NOT_FOUND', message));
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="oom-arena-${room.code}-round-${round}-results.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });

  /** The join link as an SVG QR code, for the projector. */
  app.get<{ Params: { code: string } }>('/api/sessions/:code/qr.svg', async (req, reply) => {
    const room = await lookUp(req.params.code, req, reply);
    if (!room) return reply;
    const svg = await QRCode.toString(joinInfo(req, room.code).joinUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return reply.type('image/svg+xml').header('cache-control', 'no-store').send(svg);
  });
}
