import type { ReplayPlayer } from './ReplayPlayer.svelte.ts';

/** What the keys do beyond the player itself: the page's "next kill" (which may say there is none) and its help. */
export interface ReplayKeyActions {
  jump(dir: 1 | -1): void;
  readonly helpOpen: boolean;
  setHelp(open: boolean): void;
}

/** The replay's keyboard shortcuts (listed by ShortcutHelp.svelte), ignored while typing in a field. */
export function onReplayKey(e: KeyboardEvent, player: ReplayPlayer, ui: ReplayKeyActions): void {
  const t = e.target;
  if (t instanceof HTMLInputElement && t.type !== 'range') return;
  if (t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return;
  if (e.ctrlKey || e.metaKey || e.altKey || player.load.phase !== 'ready') return;
  const big = e.shiftKey ? 300 : 50;
  let handled = true;
  switch (e.key) {
    case ' ':
    case 'k':
      player.toggle();
      break;
    case 'ArrowRight':
      player.seek(player.tick + big);
      break;
    case 'ArrowLeft':
      player.seek(player.tick - big);
      break;
    case '.':
      player.pause();
      player.stepBy(1);
      break;
    case ',':
      player.pause();
      player.stepBy(-1);
      break;
    case ']':
    case 'n':
      ui.jump(1);
      break;
    case '[':
    case 'p':
      ui.jump(-1);
      break;
    case '+':
    case '=':
      player.nudgeSpeed(1);
      break;
    case '-':
      player.nudgeSpeed(-1);
      break;
    case 'Home':
      player.seek(player.info?.firstTick ?? 0);
      break;
    case 'End':
      player.seek(player.info?.lastTick ?? 0);
      break;
    case 'f':
      void (document.fullscreenElement
        ? document.exitFullscreen()
        : document.documentElement.requestFullscreen());
      break;
    case '?':
      ui.setHelp(!ui.helpOpen);
      break;
    case 'Escape':
      if (ui.helpOpen) ui.setHelp(false);
      else player.model.dismissKill();
      break;
    default:
      handled = false;
  }
  if (handled) e.preventDefault();
}
