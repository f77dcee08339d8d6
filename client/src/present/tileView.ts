import type { PodView } from '../../../shared/protocol/views.ts';
import { pagesToMiB } from '../../../shared/sim/units.ts';
import { podViewStatus } from '../lib/podView.ts';
import { statusLook, toneVars, type StatusTone } from '../lib/status.ts';

/**
 * Exactly what one pod tile on the projector shows, nothing more. A pod view changes on every tick (its memory
 * grows by a few pages); what a tile shows changes far less often (its bar moves in steps of 2 %, a compact tile
 * prints no MiB). The stage keeps a tile's previous object while nothing shown changed, so Svelte leaves that
 * tile alone: 50 pods at 10 Hz re-render only the few tiles that moved.
 */
export interface TileView {
  name: string;
  slot: string;
  /** The student's nickname, or the slot. */
  label: string;
  status: string;
  tone: StatusTone;
  icon: string;
  fill: string;
  ink: string;
  /**
   * The memory bar, quantised to 2 % (3 px of a compact tile's bar) so a growing pod restyles its bar every few
   * frames, not on every one: 50 leaking pods moved 22 bars per frame at 1 %.
   */
  frac: number;
  /** Where the request sits on the bar (shown when the pod has a limit). */
  reqFrac: number | null;
  restarts: number;
  /**
   * In CrashLoopBackOff with a restart scheduled: whole seconds left (the ring and the number step once a second,
   * so a waiting tile changes once a second, not ten times) and the whole back-off.
   */
  waitingRestart: boolean;
  remainingSec: number;
  backoffSec: number;
  /** MiB used and the limit (full tiles only: a compact tile prints neither, so they do not churn it). */
  usedMiB: number;
  limitMiB: number | null;
  /** The tile is lit red now: it blinks three times in the 3 s after its pod's OOM kill. */
  flash: boolean;
}

/**
 * After its pod's OOM kill a tile blinks: lit for half a second, dark for half a second, three times (in ticks).
 * Driven by the frames, not a CSS animation: an animation restyles the tile on every display frame (60 a second)
 * for as long as it runs, and with 50 leaking pods some tile is nearly always flashing.
 */
const FLASH_TICKS = 30;
const BLINK_TICKS = 5;

export function tileView(pod: PodView, tick: number, owner: string | null, scalePages: number, compact: boolean, killedAt: number): TileView {
  const status = podViewStatus(pod);
  const look = statusLook(status);
  const tone = toneVars(look.tone);
  const max = pod.limitPages ?? scalePages;
  const waitingRestart = pod.reason === 'CrashLoopBackOff' && pod.restartAtTick >= 0;
  return {
    name: pod.name,
    slot: pod.slot,
    label: owner ?? pod.slot,
    status,
    tone: look.tone,
    icon: look.icon,
    fill: tone.fill,
    ink: tone.text,
    frac: max > 0 ? Math.round(Math.min(1, pod.usagePages / max) * 50) / 50 : 0,
    reqFrac: pod.requestPages !== null && pod.limitPages !== null && max > 0 ? Math.min(1, pod.requestPages / max) : null,
    restarts: pod.restarts,
    waitingRestart,
    remainingSec: waitingRestart ? Math.max(0, Math.ceil((pod.restartAtTick - tick) / 10)) : 0,
    backoffSec: waitingRestart ? pod.backoffSec : 0,
    usedMiB: compact ? 0 : Math.round(pagesToMiB(pod.usagePages)),
    limitMiB: compact || pod.limitPages === null ? null : Math.round(pagesToMiB(pod.limitPages)),
    flash: killedAt >= 0 && tick - killedAt < FLASH_TICKS && Math.floor(Math.max(0, tick - killedAt) / BLINK_TICKS) % 2 === 0,
  };
}

function sameTile(a: TileView, b: TileView): boolean {
  for (const k in a) if (a[k as keyof TileView] !== b[k as keyof TileView]) return false;
  return true;
}

/**
 * Tiles for a frame, reusing the previous frame's object for every tile whose content is unchanged (so a keyed
 * `{#each}` hands the same object to that tile and nothing in it runs). Keeps no tile of a pod that is gone.
 */
export class TileCache {
  #prev = new Map<string, TileView>();

  update(next: readonly TileView[]): TileView[] {
    const out: TileView[] = [];
    const kept = new Map<string, TileView>();
    for (const t of next) {
      const old = this.#prev.get(t.name);
      const tile = old && sameTile(old, t) ? old : t;
      kept.set(t.name, tile);
      out.push(tile);
    }
    this.#prev = kept;
    return out;
  }
}
