/**
 * Coalesce many updates into one call per animation frame: the network may deliver several snapshots between two
 * frames, but a chart redraws at most once per frame.
 *
 * `deferMs` waits that long before asking for the frame. A snapshot's DOM changes are laid out and painted in the
 * next frame; a canvas redraw (and the compositor's copy of the canvas) deferred by 40 ms lands between two 10 Hz
 * snapshots, so the two costs do not add up in one frame. A timer, not a chain of animation frames: each of those
 * would be a rendering frame of its own. Requests meanwhile are taken by the pending call, which draws the newest
 * data.
 */
export function perFrame(
  fn: () => void,
  opts: { deferMs?: number } = {},
): { request: () => void; cancel: () => void } {
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    frame = 0;
    fn();
  };
  const ask = () => {
    timer = undefined;
    frame = requestAnimationFrame(run);
  };
  return {
    request() {
      if (frame !== 0 || timer !== undefined) return;
      if (opts.deferMs) timer = setTimeout(ask, opts.deferMs);
      else ask();
    },
    cancel() {
      if (frame !== 0) cancelAnimationFrame(frame);
      clearTimeout(timer);
      frame = 0;
      timer = undefined;
    },
  };
}
