import type { HeaderLine, RecordingLine } from '../../shared/recording/format.ts';
import { replayText } from '../../shared/recording/ReplayMachine.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import type { SimState } from '../../shared/sim/types.ts';

/** The random part of a pod's name (shared/sim/random.ts podSuffix): what tells a pod name from a word. */
const POD_SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]{5}';

/**
 * A recording with its students' nicknames and pod slots replaced by pseudonyms ("Student 3", pod `student-03`):
 * what a share link without names serves. Slots are made from nicknames, so they are renamed too, everywhere the
 * simulation keeps them (slots, pod names, the messages that quote a pod name); the state hashes are computed
 * again over the renamed states, so the file still verifies and replays exactly like the original. Pseudonyms keep
 * the slots' sort order.
 */
export function anonymiseRecording(text: string): string {
  const lines = text.split('\n');
  const parsed: (RecordingLine | null)[] = lines.map((l) => {
    if (l.trim() === '') return null;
    try {
      return JSON.parse(l) as RecordingLine;
    } catch {
      return null;
    }
  });
  const header = parsed[0];
  if (!header || header.k !== 'header') return text;

  // Who: every student slot and name the file mentions (the header's seats and the join actions).
  const slots = new Set<string>();
  const names = new Map<string, string | null>(); // name → its slot (null: a spectator)
  for (const p of header.participants) {
    if (p.role === 'host') continue;
    if (p.slot) slots.add(p.slot);
    names.set(p.name, p.slot ?? null);
  }
  for (const l of parsed) {
    if (l?.k !== 'a' || l.action !== 'join' || !l.detail) continue;
    const slot = typeof l.detail['slot'] === 'string' ? l.detail['slot'] : null;
    if (slot) slots.add(slot);
    if (typeof l.detail['name'] === 'string') names.set(l.detail['name'], slot);
  }
  const ordered = [...slots].sort();
  const width = String(ordered.length).length;
  const slotMap = new Map<string, string>();
  ordered.forEach((s, i) => slotMap.set(s, `student-${String(i + 1).padStart(width, '0')}`));
  const nameMap = new Map<string, string>();
  let spectators = 0;
  for (const [name, slot] of names) {
    const pseudo = slot ? slotMap.get(slot) : undefined;
    nameMap.set(name, pseudo ? `Student ${Number(pseudo.slice('student-'.length))}` : `Spectator ${++spectators}`);
  }
  if (slotMap.size === 0 && nameMap.size === 0) return text;

  const escaped = ordered.sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const podName = escaped.length ? new RegExp(`(?<![A-Za-z0-9-])(${escaped.join('|')})-(${POD_SUFFIX})(?![A-Za-z0-9-])`, 'g') : null;
  const renamePods = (s: string) => (podName ? s.replace(podName, (_m, slot: string, suffix: string) => `${slotMap.get(slot)}-${suffix}`) : s);

  /**
   * Rename within simulation data (states, commands): a `slot` or `pod` field holding a slot, and any pod name in
   * any string. Nothing else: a student called "app" must not rename the workload's `comm`.
   */
  const simWalk = (v: unknown, key: string | null): unknown => {
    if (typeof v === 'string') {
      if ((key === 'slot' || key === 'pod') && slotMap.has(v)) return slotMap.get(v);
      return renamePods(v);
    }
    if (Array.isArray(v)) return v.map((x) => simWalk(x, key));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, x] of Object.entries(v)) out[renamePods(k)] = simWalk(x, k);
      return out;
    }
    return v;
  };
  /** Host-action details do not reach the simulation: every slot, name and pod name in them is renamed. */
  const detailWalk = (v: unknown): unknown => {
    if (typeof v === 'string') return slotMap.get(v) ?? nameMap.get(v) ?? renamePods(v);
    if (Array.isArray(v)) return v.map(detailWalk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, x] of Object.entries(v)) out[slotMap.get(k) ?? renamePods(k)] = detailWalk(x);
      return out;
    }
    return v;
  };
  const renameState = (s: SimState): SimState => simWalk(s, null) as SimState;

  // The hashes of the renamed states, at every tick the file has a hash line for.
  const hashTicks = new Set<number>();
  for (const l of parsed) if (l?.k === 'h') hashTicks.add(l.t);
  const hashes = new Map<number, string>();
  replayText(text, {
    onTick: (s) => {
      if (hashTicks.has(s.tick)) hashes.set(s.tick, stateHash(renameState(s)));
    },
  });

  const out = parsed.map((l, i) => {
    if (!l) return lines[i]!;
    switch (l.k) {
      case 'header': {
        const h: HeaderLine = {
          ...l,
          participants: l.participants.map((p) =>
            p.role === 'host' ? p : { ...p, name: nameMap.get(p.name) ?? p.name, slot: p.slot ? (slotMap.get(p.slot) ?? p.slot) : p.slot },
          ),
        };
        return JSON.stringify(h);
      }
      case 'k': {
        const state = renameState(l.state);
        return JSON.stringify({ ...l, state, hash: stateHash(state) });
      }
      case 'c':
        return JSON.stringify({ ...l, cmd: simWalk(l.cmd, null) });
      case 'h':
        return JSON.stringify({ ...l, hash: hashes.get(l.t) ?? l.hash });
      case 'a':
        return JSON.stringify(l.detail ? { ...l, detail: detailWalk(l.detail) } : l);
      default:
        return JSON.stringify(l);
    }
  });
  return out.join('\n');
}
