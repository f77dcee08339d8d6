import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf, type Caller } from '../auth/access.ts';
import type { ServerConfig } from '../config.ts';
import type { LimitRule, LimitStore } from '../limits/LimitStore.ts';

/**
 * The HTTP side's shared checks, one instance per app so every route draws on the same budgets: who is asking
 * (bearer key, operator), the per-address budget for making live rooms (create, continue, resume draw on one
 * bucket), and the look-up budgets that make guessing room codes slow. Refusals are coded 401/403/429 replies.
 */
export interface HttpGuards {
  caller(req: FastifyRequest): Caller;
  /** Take one room creation from the caller's address; false after answering 429 ROOM_BUDGET. */
  roomCreation(req: FastifyRequest, reply: FastifyReply): Promise<boolean>;
  /** Take one session look-up from the caller's address; false after answering 429 RATE_LIMITED. */
  lookup(req: FastifyRequest, reply: FastifyReply): Promise<boolean>;
  /** A look-up found nothing: charge the address's guessing budget; false when it is spent. */
  lookupMissed(address: string): Promise<boolean>;
  /** Whether the address may still look codes up (its guessing budget is not spent). */
  mayLookUp(address: string): Promise<boolean>;
}

export function httpGuards(config: ServerConfig, limits: LimitStore, now: () => number): HttpGuards {
  const take = async (key: string, rule: LimitRule, cost = 1) => await limits.take(key, rule, now(), cost);
  const tooMany = (reply: FastifyReply, code: string, message: string, rule: LimitRule) =>
    reply
      .code(429)
      .header('retry-after', String(Math.max(1, Math.ceil(1 / rule.perSec))))
      .send({ error: { code, message } });
  return {
    caller: (req) => callerOf(req.headers.authorization, config.adminKey),
    async roomCreation(req, reply) {
      if (await take(`create:${req.ip}`, config.roomCreations)) return true;
      tooMany(reply, 'ROOM_BUDGET', 'Too many sessions started from your network just now: wait a minute and try again.', config.roomCreations);
      return false;
    },
    async lookup(req, reply) {
      if ((await take(`lookup:${req.ip}`, config.lookups)) && (await this.mayLookUp(req.ip))) return true;
      tooMany(reply, 'RATE_LIMITED', 'Too many look-ups from your network: wait a moment and try again.', config.failedLookups);
      return false;
    },
    lookupMissed: (address) => take(`missed:${address}`, config.failedLookups),
    mayLookUp: async (address) => (await limits.available(`missed:${address}`, config.failedLookups, now())) >= 1,
  };
}
