import { z } from 'zod';
import { LIVE_QUESTION_KINDS } from '../game/questions.ts';
import { ROUND_MAX_SEC, ROUND_MIN_SEC } from '../game/round.ts';
import { STRATEGIES } from '../game/strategies.ts';
import { podCommandBodySchema, slotSchema } from '../schemas/commands.ts';
import { NICKNAME_MAX } from './nickname.ts';
import { ROOM_CODE_LENGTH } from './roomCode.ts';

/**
 * One zod schema per client→server event: the server's validation checkpoint parses every payload with these,
 * and the event map (events.ts) takes its payload types from them, so the two cannot drift. Strict objects: an
 * unknown key is an error.
 */
const code = z.string().min(ROOM_CODE_LENGTH).max(ROOM_CODE_LENGTH + 4);
const version = z.number().int().min(0).max(1_000_000);
const secret = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a valid key');
const empty = z.strictObject({});
const participantId = z.string().regex(/^[a-z0-9]{1,16}$/, 'not a participant id');

/** A scenario file's decoded JSON: an object here; its fields are checked with scenarioSchema where it is used. */
const scenarioFileField = z.record(z.string(), z.unknown(), 'a scenario file must be a JSON object');

export const SPEED_MIN = 0.5;
export const SPEED_MAX = 10;

export const clientEventSchemas = {
  'host:attach': z.strictObject({ v: version, code, hostKey: secret }),
  'student:join': z
    .strictObject({ v: version, code, nickname: z.string().max(NICKNAME_MAX * 4).optional(), token: secret.optional(), bot: z.boolean().optional() })
    .refine((p) => p.nickname !== undefined || p.token !== undefined, 'a nickname or a token is required'),
  'presenter:attach': z.strictObject({ v: version, code, key: secret.optional() }),
  'name:suggest': z.strictObject({ code }),
  'state:sync': empty,
  'pod:command': z.strictObject({ command: podCommandBodySchema }),
  'session:start': empty,
  'session:pause': empty,
  'session:resume': empty,
  'session:reset': empty,
  'session:end': empty,
  'session:speed': z.strictObject({ speed: z.number().finite().min(SPEED_MIN).max(SPEED_MAX) }),
  'room:lock': z.strictObject({ locked: z.boolean() }),
  'room:lateJoin': z.strictObject({ allowed: z.boolean() }),
  'participant:kick': z.strictObject({ id: participantId }),
  'participant:ban': z.strictObject({ id: participantId }),
  'scenario:inject': z.strictObject({
    kind: z.enum(['batch', 'traffic_spike', 'noisy_neighbour']),
    /** For 'batch': the student pod (slot) that takes it; omitted = every student pod. */
    slot: slotSchema.optional(),
  }),
  // The game (docs/game.md): rounds, questions, bots.
  /** Start a round: from the lobby (starts the session), or after a round's results (a fresh simulation). */
  'round:start': z.strictObject({
    scenario: z.string().regex(/^[a-z0-9][-a-z0-9]{0,39}$/).optional(),
    durationSec: z.number().int().min(ROUND_MIN_SEC).max(ROUND_MAX_SEC).optional(),
  }),
  'round:end': empty,
  'round:resume': empty,
  'question:ask': z.union([
    z.strictObject({ builtin: z.string().regex(/^[a-z0-9][-a-z0-9]{0,63}$/) }),
    z.strictObject({ live: z.enum(LIVE_QUESTION_KINDS) }),
  ]),
  'question:reveal': empty,
  'question:answer': z.strictObject({ questionId: z.string().min(1).max(80), choice: z.string().min(1).max(40) }),
  /** Fill every free pod slot with a server-side bot: one strategy, or 'mixed' (round-robin over all of them). */
  'bots:fill': z.strictObject({ strategy: z.enum([...STRATEGIES, 'mixed']), max: z.number().int().min(1).max(300).optional() }),
  /** A continued session: give a pod waiting for its student to a participant who joined under another name. */
  'seats:assign': z.strictObject({ slot: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/), participant: participantId }),
  /** A continued session: the pods nobody took back go to server bots (a strategy or a mix), or are removed. */
  'seats:release': z.strictObject({ mode: z.enum(['bots', 'remove']), strategy: z.enum([...STRATEGIES, 'mixed']).optional() }),
  /** Remove every server-side bot (their pods go; their seats are free again). */
  'bots:remove': empty,
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;
export type ClientPayload<E extends ClientEventName> = z.infer<(typeof clientEventSchemas)[E]>;
export type InjectKind = ClientPayload<'scenario:inject'>['kind'];

/** Body of POST /api/sessions: what the teacher chooses when creating a session. */
export const createSessionSchema = z.strictObject({
  /** A built-in scenario's name (default `classroom`), or … */
  scenario: z.string().regex(/^[a-z0-9][-a-z0-9]{0,39}$/).optional(),
  /** … a teacher's scenario file, JSON-decoded: checked against scenarioSchema by the route (errors name the field). */
  scenarioFile: scenarioFileField.optional(),
  /** Override the scenario's node memory. */
  nodeMemoryMiB: z.number().int().min(512).max(1024 * 1024).optional(),
  speed: z.number().finite().min(SPEED_MIN).max(SPEED_MAX).default(1),
  seed: z.number().int().min(0).max(4294967295).optional(),
  lateJoin: z.boolean().default(true),
  /** Cap on student pods, at most the scenario's. */
  maxStudents: z.number().int().min(1).max(300).optional(),
});
export type CreateSessionRequest = z.input<typeof createSessionSchema>;

/**
 * Body of POST /api/sessions/:code/rounds: the next round from a teacher's scenario file. Over HTTP, not the socket:
 * a file can be far bigger than the socket's 16 KB message cap, which stays small for everyone else's sake.
 */
export const startRoundFromFileSchema = z.strictObject({
  scenarioFile: scenarioFileField,
  durationSec: z.number().int().min(ROUND_MIN_SEC).max(ROUND_MAX_SEC).optional(),
});
/** Query of GET /api/sessions/:code/results.csv: which round (default: the current or last one). */
export const resultsQuerySchema = z.strictObject({
  round: z.coerce.number().int().min(1).max(100_000).optional(),
});

export type StartRoundFromFileRequest = z.input<typeof startRoundFromFileSchema>;

export interface CreateSessionResponse {
  code: string;
  /** The secret that makes a browser the host: keep it in that browser only. */
  hostKey: string;
  /** The secret the projector attaches with (the host page's "Open presenter" link carries it). */
  presenterKey: string;
  /** URLs to give students: the one they can reach first (PUBLIC_URL or a LAN address), then the others. */
  joinUrls: string[];
  /** Set when only a loopback address is known: phones cannot open it. */
  joinWarning?: string;
}

/**
 * GET /api/sessions/:code: what a page needs before joining, and where to send students. `names` (who joined, for
 * the projector's lobby) only for a caller holding the room's presenter key, host key, owner's teacher key or
 * ADMIN_KEY.
 */
export interface SessionInfo {
  code: string;
  status: string;
  scenario: { name: string; title: string; description: string };
  locked: boolean;
  lateJoin: boolean;
  students: number;
  podSlots: number;
  names?: string[];
  /** The address students open (PUBLIC_URL or the server's LAN address; loopback only as a last resort). */
  joinUrl: string;
  /** Set when only a loopback address is known. */
  joinWarning?: string;
}
