import { nicknameKey } from '../../shared/protocol/nicknameKey.ts';
import type { ParticipantView } from '../../shared/protocol/views.ts';
import { secretHash } from '../util/secrets.ts';
import type { Seat } from '../game/RoomGame.ts';
import { participantView, type Participant, type ResumedSeat } from './participants.ts';

/**
 * A room's participants and the ways they are found: by id, by session token, by nickname (case- and
 * accent-insensitive key) and by pod slot; the tokens and names the teacher banned; and the seats of a resumed
 * session, waiting for their students to come back with their tokens. No connections, no messages: the room does that.
 */
export class Roster {
  #all = new Map<string, Participant>();
  #byToken = new Map<string, Participant>();
  #byKey = new Map<string, Participant>();
  #bySlot = new Map<string, Participant>();
  #version = 0;
  #bannedKeys = new Set<string>();
  #bannedTokens = new Set<string>();
  /** Resumed students not back yet, by the SHA-256 of their session token. */
  #byTokenHash = new Map<string, Participant>();
  #nextId = 1;

  /** In join order. */
  values(): IterableIterator<Participant> {
    return this.#all.values();
  }
  get(id: string): Participant | undefined {
    return this.#all.get(id);
  }
  bySlot(slot: string): Participant | undefined {
    return this.#bySlot.get(slot);
  }
  /** Moves each time a slot is given to someone (what `bySlot` answers may have changed). */
  get version(): number {
    return this.#version;
  }
  /** Every slot ever given to a student, a banned one's too (never reused). */
  slots(): IterableIterator<string> {
    return this.#bySlot.keys();
  }
  hasSlot(slot: string): boolean {
    return this.#bySlot.has(slot);
  }

  counts(): { students: number; spectators: number } {
    let students = 0;
    for (const p of this.#all.values()) if (p.role === 'student') students++;
    return { students, spectators: this.#all.size - students };
  }
  nicknames(): string[] {
    return [...this.#all.values()].map((p) => p.nickname);
  }
  /** Students with a pod: the game's seats. */
  seats(): Seat[] {
    const out: Seat[] = [];
    for (const p of this.#all.values()) if (p.slot) out.push({ slot: p.slot, nickname: p.nickname });
    return out;
  }
  views(): ParticipantView[] {
    return [...this.#all.values()].map(participantView);
  }

  isBannedToken(token: string): boolean {
    return this.#bannedTokens.has(token);
  }
  isBannedName(key: string): boolean {
    return this.#bannedKeys.has(key);
  }
  nameInUse(key: string): boolean {
    return this.#byKey.has(key);
  }

  /** Who holds this session token: someone seated this run, or a resumed seat claimed now by its rightful student. */
  byToken(token: string): Participant | undefined {
    const seen = this.#byToken.get(token);
    if (seen) return seen;
    const hash = secretHash(token);
    const p = this.#byTokenHash.get(hash);
    if (!p) return undefined;
    this.#byTokenHash.delete(hash);
    p.token = token;
    this.#byToken.set(token, p);
    return p;
  }

  /** A fresh participant id (short, base 36). */
  newId(): string {
    return (this.#nextId++).toString(36);
  }
  /** The number the next id will carry (bots are named after it). */
  get nextIdNumber(): number {
    return this.#nextId;
  }

  add(p: Participant): void {
    this.#all.set(p.id, p);
    if (p.token) this.#byToken.set(p.token, p);
    this.#byKey.set(p.key, p);
    if (p.slot) {
      this.#bySlot.set(p.slot, p);
      this.#version++;
    }
  }

  /** A continued session's seat still waiting for its student, by nickname key. */
  waitingByKey(key: string): Participant | undefined {
    const p = this.#byKey.get(key);
    return p?.waiting ? p : undefined;
  }

  /** Seats of a continued session nobody has taken back yet, in join order. */
  waiting(): Participant[] {
    return [...this.#all.values()].filter((p) => p.waiting === true);
  }

  /** A waiting seat is taken: from now on its holder's token finds it. */
  claim(p: Participant, token: string): void {
    p.waiting = false;
    p.token = token;
    this.#byToken.set(token, p);
  }

  /**
   * A participant leaves the roster without a ban (a waiting seat given to someone else, or removed with its pod).
   * Its slot stays taken, so nobody inherits its history.
   */
  drop(p: Participant): void {
    if (p.token) this.#byToken.delete(p.token);
    if (this.#byKey.get(p.key) === p) this.#byKey.delete(p.key);
    this.#all.delete(p.id);
  }

  /** The teacher gives a waiting seat's pod to `to` (who may have had a pod of their own). */
  moveSlot(to: Participant, slot: string): void {
    to.slot = slot;
    to.role = 'student';
    to.lastPodName = null;
    this.#bySlot.set(slot, to);
    this.#version++;
  }

  /** For good: their token and name are refused from now on. The slot stays taken, so nobody inherits its history. */
  ban(p: Participant): void {
    this.#bannedTokens.add(p.token);
    this.#bannedKeys.add(p.key);
    this.#byToken.delete(p.token);
    this.#byKey.delete(p.key);
    this.#all.delete(p.id);
  }

  /**
   * Gone without a ban (a server bot leaving): nobody holds its name or token any more. Its slot stays taken, as
   * a banned one's does, so no newcomer inherits the pod's history.
   */
  remove(p: Participant): void {
    this.#byToken.delete(p.token);
    this.#byKey.delete(p.key);
    this.#all.delete(p.id);
  }

  /**
   * A student of an interrupted session: their pod is in the resumed state; they claim the seat with their token.
   * Returns the seat (null for a record that names nobody).
   */
  seatResumed(seat: ResumedSeat): Participant | null {
    if (!seat.name || !seat.tokenSha256) return null;
    const role = seat.detail['role'] === 'student' ? 'student' : 'spectator';
    const p: Participant = {
      id: seat.id,
      nickname: seat.name,
      key: nicknameKey(seat.name),
      role,
      slot: role === 'student' ? seat.slot : null,
      token: '',
      bot: seat.detail['bot'] === true,
      conns: new Set(),
      lastPodName: null,
    };
    this.add(p);
    this.#byTokenHash.set(seat.tokenSha256, p);
    const n = Number.parseInt(seat.id, 36);
    if (Number.isFinite(n) && n >= this.#nextId) this.#nextId = n + 1;
    return p;
  }
}
