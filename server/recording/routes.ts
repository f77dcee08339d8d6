import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { HeaderLine, HostActionLine } from '../../shared/recording/format.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { callerOf, owns, type Caller } from '../auth/access.ts';
import type { HttpGuards } from '../http/guards.ts';
import { RECORDING_ID, StoreError, type RecordingStore } from './RecordingStore.ts';

/** Where a new live session started by the recording routes can be found: the host's page. */
export interface StartedSession {
  code: string;
  /** The new room's host key: the browser that asked becomes its host (the host page reads it from storage). */
  hostKey: string;
  /** e.g. `/host/ABCD` */
  hostPath: string;
}

export interface RecordingRoutesOptions {
  store: RecordingStore;
  /**
   * "Continue from here": start a new live session from `state` (a replay's moment). The server owns rooms, so it
   * injects this; without it the route answers 501. It must record the new session with
   * `store.create({ ..., initialState: state, origin })`.
   */
  continueSession?: (o: {
    header: HeaderLine;
    state: SimState;
    origin: { recording: string; tick: number };
    /** The recording's action lines up to the moment (who was seated on which pod). */
    actions: readonly HostActionLine[];
    /** SHA-256 of the key of whoever continues it: the new session is theirs. */
    ownerHash: string;
  }) => Promise<StartedSession>;
  /**
   * Resume an interrupted session under its old code: the server calls `store.resume(id)` and builds the room.
   * `owner`: the caller owns the recording (else the host key must match).
   */
  resumeSession?: (id: string, auth: { hostKey?: string; owner?: boolean }) => Promise<StartedSession>;
  /** The results CSV of the round a recording holds, scored by replaying it (the server owns the game). */
  resultsCsv?: (id: string) => Promise<{ csv: string; round: number }>;
  /**
   * Who is asking and the shared per-address budgets (the app's). Without it (a bare fastify in tests): no
   * operator key, and no room budget.
   */
  guards?: HttpGuards;
}

/** Uploads and session starts cost disk and CPU: per-IP limits (applied when the app registers @fastify/rate-limit). */
const limited = { config: { rateLimit: { max: 20, timeWindow: 60_000 } } };

const idParams = z.strictObject({ id: z.string().regex(RECORDING_ID) });
const resumeBody = z.strictObject({ hostKey: z.string().max(100).optional() });
const shareBody = z.strictObject({ names: z.boolean() });
const continueBody = z.strictObject({ tick: z.number().int().min(0) });

function fail(reply: FastifyReply, status: number, code: string, message: string, line?: number) {
  return reply.code(status).send({ error: line === undefined ? { code, message } : { code, message, line } });
}

function sendError(reply: FastifyReply, e: unknown) {
  if (e instanceof StoreError) return fail(reply, e.status, e.code, e.message, e.line);
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return fail(reply, 409, code, (e as Error).message);
  throw e;
}

/**
 * GET /api/recordings (list), GET /api/recordings/:id (the file), POST /api/recordings (upload), and the two
 * actions that start live sessions from a recording: continue from a moment, resume an interrupted session.
 * Errors answer `{ error: { code, message, line? } }` with a stable code.
 */
export async function recordingRoutes(app: FastifyInstance, opts: RecordingRoutesOptions): Promise<void> {
  const { store } = opts;
  const callerFor = (req: FastifyRequest): Caller => opts.guards?.caller(req) ?? callerOf(req.headers.authorization, null);

  /**
   * The recording `id` names, if the caller owns it (or is the operator): else a coded refusal is sent — 401
   * without a key, 404 for a recording that is not theirs (whether it exists is theirs to know, not others').
   */
  async function owned(req: FastifyRequest, reply: FastifyReply, id: string): Promise<boolean> {
    const caller = callerFor(req);
    if (!caller.key) {
      fail(reply, 401, 'TEACHER_KEY_REQUIRED', 'send your teacher key (Authorization: Bearer <key>)');
      return false;
    }
    const owner = await store.ownerOf(id);
    if (owner === undefined || !owns(caller, owner)) {
      fail(reply, 404, 'NOT_FOUND', `no recording ${id} of yours`);
      return false;
    }
    return true;
  }
  // The rooms end their recordings first (preClose); this waits for everything still being written, index files too.
  app.addHook('onClose', async () => {
    await store.closeAll();
  });

  // Uploads are streamed to disk and checked line by line: never buffered whole, never parsed as JSON by fastify.
  for (const type of ['application/x-ndjson', 'application/octet-stream', 'text/plain']) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }

  /** The caller's recordings (the operator's: all). A live one's code is not listed: it would let anyone in. */
  app.get('/api/recordings', async (req, reply) => {
    const caller = callerFor(req);
    if (!caller.key) return fail(reply, 401, 'TEACHER_KEY_REQUIRED', 'send your teacher key (Authorization: Bearer <key>)');
    const list = await store.list((owner) => owns(caller, owner));
    return { recordings: list.map((r) => (r.state === 'live' ? { ...r, code: '' } : r)) };
  });

  /** The file: for its owner, the operator, or a share link's token (read-only; without names if it says so). */
  app.get('/api/recordings/:id', async (req, reply) => {
    const p = idParams.safeParse(req.params);
    if (!p.success) return fail(reply, 400, 'BAD_ID', 'not a recording id');
    const caller = callerFor(req);
    const owner = await store.ownerOf(p.data.id);
    const access = owner !== undefined && owns(caller, owner) ? 'names' : store.shareAccess(p.data.id, caller.key);
    if (!caller.key) return fail(reply, 401, 'TEACHER_KEY_REQUIRED', 'send your teacher key or the share link\'s token');
    if (owner === undefined || !access) return fail(reply, 404, 'NOT_FOUND', `no recording ${p.data.id} of yours`);
    const summary = await store.summary(p.data.id);
    if (!summary) return fail(reply, 404, 'NOT_FOUND', `no recording ${p.data.id}`);
    if (summary.state === 'live') await store.flush(p.data.id);
    const download = (req.query as Record<string, unknown>)['download'] !== undefined;
    reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', summary.state === 'ended' ? 'private, max-age=3600' : 'no-store')
      .header('x-recording-state', summary.state);
    if (download) reply.header('content-disposition', `attachment; filename="oom-arena-${p.data.id}.ndjson"`);
    if (access === 'anonymous') return reply.header('x-recording-names', 'hidden').send(await store.anonymised(p.data.id));
    return reply.send(createReadStream(store.file(p.data.id)));
  });

  /** A read-only share link for one replay, with or without the students' nicknames (owner only). */
  app.post('/api/recordings/:id/share', async (req, reply) => {
    const p = idParams.safeParse(req.params);
    if (!p.success) return fail(reply, 400, 'BAD_ID', 'not a recording id');
    const b = shareBody.safeParse(req.body ?? {});
    if (!b.success) return fail(reply, 400, 'BAD_REQUEST', 'send { "names": true } or { "names": false }');
    if (!(await owned(req, reply, p.data.id))) return reply;
    const token = store.shareToken(p.data.id, b.data.names);
    return reply.code(201).send({ token, path: `/replay/${p.data.id}?share=${token}`, names: b.data.names });
  });

  /** Delete a recording (owner or operator): its file is gone for good. */
  app.delete('/api/recordings/:id', async (req, reply) => {
    const p = idParams.safeParse(req.params);
    if (!p.success) return fail(reply, 400, 'BAD_ID', 'not a recording id');
    if (!(await owned(req, reply, p.data.id))) return reply;
    try {
      await store.remove(p.data.id);
      return reply.code(204).send();
    } catch (e) {
      return sendError(reply, e);
    }
  });

  /** The round's results, scored from the recording itself: any round, even one whose session is long gone. */
  app.get('/api/recordings/:id/results.csv', limited, async (req, reply) => {
    const p = idParams.safeParse(req.params);
    if (!p.success) return fail(reply, 400, 'BAD_ID', 'not a recording id');
    if (!(await owned(req, reply, p.data.id))) return reply;
    if (!opts.resultsCsv) return fail(reply, 501, 'NOT_AVAILABLE', 'this server cannot score recordings');
    try {
      const { csv, round } = await opts.resultsCsv(p.data.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="oom-arena-${p.data.id}-round-${round}-results.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    } catch (e) {
      return sendError(reply, e);
    }
  });

  app.post('/api/recordings', limited, async (req, reply) => {
    const caller = callerFor(req);
    if (!caller.keyHash) {
      (req.body as Readable | undefined)?.resume?.();
      return fail(reply, 401, 'TEACHER_KEY_REQUIRED', 'uploads belong to a teacher: send your teacher key (Authorization: Bearer <key>)');
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > store.maxUploadBytes) {
      return fail(
        reply,
        413,
        'TOO_LARGE',
        `the file is larger than ${Math.round(store.maxUploadBytes / 1024 / 1024)} MB`,
      );
    }
    const body = req.body as Readable | undefined;
    if (!body || typeof (body as Readable).pipe !== 'function') {
      return fail(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the recording file as application/x-ndjson');
    }
    try {
      const recording = await store.upload(body, caller.keyHash);
      return reply.code(201).send({ recording });
    } catch (e) {
      body.resume();
      return sendError(reply, e);
    }
  });

  app.post('/api/recordings/:id/continue', limited, async (req, reply) => {
    const p = idParams.safeParse(req.params);
    if (!p.success) return fail(reply, 400, 'BAD_ID', 'not a recording id');
    const b = continueBody.safeParse(req.body);
    if (!b.success) return fail(reply, 400, 'BAD_REQUEST', 'send { "tick": <the moment to continue from> }');
    if (!opts.continueSession)
      return fail(reply, 501, 'NOT_AVAILABLE', 'this server cannot start sessions from a replay');
    if (!(await owned(req, reply, p.data.id))) return reply;
    if (opts.guards && !(await opts.guards.roomCreation(req, reply))) return reply;
    try {
      const actions: HostActionLine[] = [];
      const { header, state } = await store.stateAt(p.data.id, b.data.tick, { onAction: (a) => void actions.push(a) });
      const started = await opts.continueSession({
        header,
        state,
        origin: { recording: p.data.id, tick: b.data.tick },
        actions,
        ownerHash: callerFor(req).keyHash!,
      });
      return reply.code(201).send({ session: started });
    } catch (e) {
      return sendError(reply, e);
    }
  });

  app.post('/api/recordings/:id/resume', limited, async (req, reply) => {
    const p = idParams.safeParse(req.params);
    if (!p.success) return fail(reply, 400, 'BAD_ID', 'not a recording id');
    if (!opts.resumeSession) return fail(reply, 501, 'NOT_AVAILABLE', 'this server cannot resume sessions');
    const b = resumeBody.safeParse(req.body ?? {});
    if (!b.success)
      return fail(reply, 400, 'BAD_REQUEST', 'send { "hostKey": "<the session\'s host key>" } or nothing');
    // The owner's teacher key (or the operator's) resumes it; so does the session's own host key.
    const caller = callerFor(req);
    const owner = await store.ownerOf(p.data.id);
    if (owner === undefined) return fail(reply, 404, 'NOT_FOUND', `no recording ${p.data.id}`);
    const isOwner = owns(caller, owner);
    if (!isOwner && !b.data.hostKey) {
      return fail(reply, caller.key ? 403 : 401, caller.key ? 'NOT_OWNER' : 'TEACHER_KEY_REQUIRED', 'only the teacher who ran this session can resume it: send your teacher key');
    }
    if (opts.guards && !(await opts.guards.roomCreation(req, reply))) return reply;
    try {
      return reply.code(201).send({ session: await opts.resumeSession(p.data.id, { ...b.data, owner: isOwner }) });
    } catch (e) {
      return sendError(reply, e);
    }
  });
}
