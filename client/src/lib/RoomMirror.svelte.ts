import {
  applyPodPatch,
  decodeLeaderboard,
  decodeNodePatch,
  type LeaderboardWire,
  type StudentFrame,
} from '../../../shared/protocol/frames.ts';
import type {
  Delta,
  LeaderboardView,
  NodeView,
  ParticipantView,
  PodView,
  SessionMeta,
  Snapshot,
} from '../../../shared/protocol/views.ts';

/**
 * The client's copy of what the server shows this connection: a snapshot, then deltas applied in order. A pod
 * object is replaced only when a delta names it, so unchanged pods keep their identity and their views skip work.
 */
export class RoomMirror {
  tick = $state(-1);
  session = $state.raw<SessionMeta | null>(null);
  node = $state.raw<NodeView | null>(null);
  /** Pods in a stable order (by slot, then name). */
  pods = $state.raw<PodView[]>([]);
  leaderboard = $state.raw<LeaderboardView | null>(null);
  participants = $state.raw<ParticipantView[]>([]);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a private index; the published pods array is the reactive part
  #byName = new Map<string, PodView>();

  applySnapshot(s: Snapshot): void {
    this.tick = s.tick;
    this.session = s.session;
    this.node = s.node;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a private index; the published pods array is the reactive part
    this.#byName = new Map(Object.entries(s.pods));
    this.#publishPods();
    this.leaderboard = s.leaderboard;
    if (s.participants) this.participants = s.participants;
  }

  /** The host's roster changes: upsert by id (join order kept, newcomers last), drop those gone. */
  patchParticipants(patch: { set: ParticipantView[]; gone: string[] }): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup built and dropped within one call
    const gone = new Set(patch.gone);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup built and dropped within one call
    const byId = new Map(patch.set.map((p) => [p.id, p]));
    const next = this.participants.filter((p) => !gone.has(p.id)).map((p) => byId.get(p.id) ?? p);
    for (const p of patch.set) if (!next.some((q) => q.id === p.id)) next.push(p);
    this.participants = next;
  }

  /**
   * Apply a delta; false when it does not follow our last frame, or patches a pod we do not have (either way we
   * missed something: the caller asks for a snapshot, and nothing was changed).
   */
  applyDelta(d: Delta): boolean {
    if (d.since !== this.tick || !this.node) return false;
    if (d.p) for (const name of Object.keys(d.p)) if (!this.#byName.has(name) && !(d.pods && Object.hasOwn(d.pods, name))) return false;
    this.tick = d.t;
    if (d.node) this.node = { ...this.node, ...d.node };
    let changed = false;
    if (d.pods) {
      for (const [name, pod] of Object.entries(d.pods)) this.#byName.set(name, pod);
      changed = true;
    }
    if (d.p) {
      for (const [name, patch] of Object.entries(d.p)) this.#byName.set(name, applyPodPatch(this.#byName.get(name)!, patch));
      changed = true;
    }
    if (d.gone) {
      for (const name of d.gone) changed = this.#byName.delete(name) || changed;
    }
    if (changed) this.#publishPods();
    return true;
  }

  /**
   * Apply a student's or spectator's compact frame (shared/protocol/frames.ts); false when it does not follow our last
   * frame, or patches a pod we do not have (the caller asks for a snapshot).
   */
  applyFrame(f: StudentFrame): boolean {
    if (f.s !== this.tick || !this.node) return false;
    let changed = false;
    if (f.P) {
      if (f.g !== undefined) this.#byName.delete(f.g);
      this.#byName.set(f.P.name, f.P);
      changed = true;
    } else if (f.p) {
      const [name, pod] = this.#byName.entries().next().value ?? [];
      if (name === undefined || pod === undefined) return false;
      this.#byName.set(name, applyPodPatch(pod, f.p));
      changed = true;
    }
    this.tick = f.t;
    if (f.n) this.node = { ...this.node, ...decodeNodePatch(f.n) };
    if (changed) this.#publishPods();
    if (f.y !== undefined) {
      const you = f.y === 0 ? null : { rank: f.y[0], score: f.y[1] };
      this.leaderboard = { ...(this.leaderboard ?? { tick: f.t, rows: [] }), you };
    }
    return true;
  }

  /** The room's leaderboard broadcast: the rows change; this connection's own place (from its frames) stays. */
  applyLeaderboard(w: LeaderboardWire): void {
    this.leaderboard = { ...decodeLeaderboard(w), you: this.leaderboard?.you ?? null };
  }

  setSession(m: SessionMeta): void {
    this.session = m;
  }

  #publishPods(): void {
    this.pods = [...this.#byName.values()].sort((a, b) =>
      a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : a.name < b.name ? -1 : 1,
    );
  }
}
