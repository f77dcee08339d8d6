/**
 * Coalesce many updates into one call per animation frame: the network may deliver several snapshots between two
 * frames, but a chart redraws at most once per frame.
 */
export function perFrame(
  fn: () => void,
  opts: { deferOneFrame?: boolean } = {},
): { request: () => void; cancel: () => void } {
  let id = 0;
  const run = () => {
    id = 0;
    fn();
  };
  // Deferring one frame moves a canvas redraw out of the frame that already lays out the DOM changes the same
  // snapshot caused, so the two costs do not add up in one frame.
  const start = opts.deferOneFrame ? () => (id = requestAnimationFrame(run)) : run;
  return {
    request() {
      if (id === 0) id = requestAnimationFrame(start);
    },
    cancel() {
      if (id !== 0) cancelAnimationFrame(id);
      id = 0;
    },
  };
}
