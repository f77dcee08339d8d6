import type { Redis } from 'ioredis';

/** How long a lease lives, how often its owner renews it, how often every process looks for orphaned rooms. */
export interface LeaseTimings {
  leaseMs: number;
  renewMs: number;
  scanMs: number;
}

/** Production timings: a dead owner's rooms are free after at most 5 s and found within 1.25 s more. */
export function leaseTimings(leaseMs = 5000): LeaseTimings {
  return {
    leaseMs,
    renewMs: Math.max(50, Math.round(leaseMs / 3)),
    scanMs: Math.max(50, Math.round(leaseMs / 4)),
  };
}

/** What the cluster keeps about a live room besides its lease: enough for another process to take it over. */
export interface RoomRecord {
  /** The recording to resume it from (shared DATA_DIR); empty when the room keeps none. */
  recording: string;
  /** The teacher's host key, so it still opens the room after a takeover. Redis is as trusted as the servers. */
  hostKey: string;
  /**
   * lobby | running | paused | ended, as the owner last published it (for people looking at Redis). A takeover does
   * not trust it to decide whether the room runs on: the recording says so (server/sessions/ResumedSession.ts reads
   * it back on resume).
   */
  status: string;
}

/** A room this process owns, as the renewal needs it. */
export interface OwnedRoom extends RoomRecord {
  code: string;
}

const LEASE = 'oom:lease:';
const RECORD = 'oom:room:';
const CODES = 'oom:codes';
const NODE = 'oom:node:';

// Renew (or re-create after a Redis restart) a lease that is ours or nobody's, and keep the room's record with it.
const RENEW = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], 'recording', ARGV[4], 'hostKey', ARGV[5], 'status', ARGV[6], 'node', ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

// A new room's code: free only when no lease holds it and no orphan waits for a takeover under it (a process that
// took an orphan's lease to resume it holds the code already).
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur ~= ARGV[1] and (cur or redis.call('SISMEMBER', KEYS[3], ARGV[3]) == 1) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], 'recording', ARGV[4], 'hostKey', ARGV[5], 'status', ARGV[6], 'node', ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

// Forget a room that ended here (only its owner may, or anyone once nobody holds it).
const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[2])
return 1`;

const EXPIRE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * The cluster's directory of rooms in Redis: one lease per room naming its owner process (renewed by the owner,
 * expiring when it dies), the room's record (recording, host key, status) and the set of live room codes. A code
 * in the set with no lease is an orphan: the first process to take its lease resumes it.
 */
export class RoomDirectory {
  readonly #redis: Redis;
  readonly node: string;
  readonly timings: LeaseTimings;

  constructor(redis: Redis, node: string, timings: LeaseTimings) {
    this.#redis = redis;
    this.node = node;
    this.timings = timings;
  }

  #args(r: OwnedRoom): [number, string, string, string, string, string, string, string, string, string] {
    return [
      3,
      LEASE + r.code,
      RECORD + r.code,
      CODES,
      this.node,
      String(this.timings.leaseMs),
      r.code,
      r.recording,
      r.hostKey,
      r.status,
    ];
  }

  /** Take a new room's code for this process; false when the code is in use anywhere in the cluster. */
  async claim(r: OwnedRoom): Promise<boolean> {
    return (await this.#redis.eval(CLAIM, ...this.#args(r))) === 1;
  }

  /**
   * Renew the leases of the rooms this process runs (one round trip), and mark the process alive. Returns the codes
   * whose lease another process holds now: those rooms are no longer ours.
   */
  async renew(rooms: readonly OwnedRoom[]): Promise<string[]> {
    const batch = this.#redis.multi();
    batch.set(NODE + this.node, '1', 'PX', this.timings.leaseMs);
    for (const r of rooms) batch.eval(RENEW, ...this.#args(r));
    const results = (await batch.exec()) ?? [];
    const lost: string[] = [];
    rooms.forEach((r, i) => {
      const [err, value] = results[i + 1] ?? [null, 1];
      if (!err && value === 0) lost.push(r.code);
    });
    return lost;
  }

  /** Hold a lease while a taken-over room is being resumed (before it is in the registry). */
  async hold(code: string): Promise<boolean> {
    return (
      (await this.#redis.set(LEASE + code, this.node, 'PX', this.timings.leaseMs, 'XX')) === 'OK' &&
      (await this.owner(code)) === this.node
    );
  }

  /** The room ended (or cannot be resumed): nobody should take it over. */
  async release(code: string): Promise<void> {
    await this.#redis.eval(RELEASE, 3, LEASE + code, RECORD + code, CODES, this.node, code);
  }

  /** Let go of a room's lease now (it stays live: the next look for orphans takes it over). */
  async expire(code: string): Promise<void> {
    await this.#redis.eval(EXPIRE, 1, LEASE + code, this.node);
  }

  /** The process holding a room's lease, or null. */
  async owner(code: string): Promise<string | null> {
    return this.#redis.get(LEASE + code);
  }

  /** Whether the cluster knows the code as a live room (owned, or orphaned and waiting for a takeover). */
  async known(code: string): Promise<boolean> {
    return (await this.#redis.sismember(CODES, code)) === 1;
  }

  async record(code: string): Promise<RoomRecord | null> {
    const h = await this.#redis.hgetall(RECORD + code);
    if (typeof h['hostKey'] !== 'string') return null;
    return { recording: h['recording'] ?? '', hostKey: h['hostKey'], status: h['status'] ?? 'paused' };
  }

  /** Live codes whose lease has expired: their owner died (or lost Redis for longer than a lease). */
  async orphans(): Promise<string[]> {
    const codes = await this.#redis.smembers(CODES);
    if (codes.length === 0) return [];
    const owners = await this.#redis.mget(codes.map((c) => LEASE + c));
    return codes.filter((_, i) => owners[i] === null);
  }

  /** Try to become an orphan's owner; true for exactly one process. */
  async takeLease(code: string): Promise<boolean> {
    if (!(await this.known(code))) return false;
    return (await this.#redis.set(LEASE + code, this.node, 'PX', this.timings.leaseMs, 'NX')) === 'OK';
  }

  /** Whether a process renewed its liveness mark within a lease. */
  async alive(node: string): Promise<boolean> {
    return (await this.#redis.exists(NODE + node)) === 1;
  }

  /** Drop this process's liveness mark (clean shutdown). */
  async leave(): Promise<void> {
    await this.#redis.del(NODE + this.node);
  }
}
