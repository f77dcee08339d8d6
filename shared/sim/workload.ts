import { charge, uncharge, type TickContext } from './charge.ts';
import { nextRandom } from './random.ts';
import { FILE_RSS_PAGES, STARTUP_TICKS } from './podLifecycle.ts';
import type { PodState, SimState } from './types.ts';
import { TICKS_PER_SEC } from './units.ts';
import { blankWorkloadPages, fillWorkloadPages, type WorkloadPages } from './workloadPages.ts';

const TPS = TICKS_PER_SEC;
/** The figures of the workload running now (see runWorkload). */
const RUNNING: WorkloadPages = blankWorkloadPages();

/** Pages a steady rate adds in tick k since start, spread so that the integer sum matches the rate exactly (W1). */
function perTick(pagesPerSec: number, k: number): number {
  return Math.floor((pagesPerSec * (k + 1)) / TPS) - Math.floor((pagesPerSec * k) / TPS);
}

function isAlive(p: PodState): boolean {
  return p.cState === 'Running' && !p.dying;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/**
 * One tick of the student's application (W1–W6). Frees what finished, then asks the kernel for what it needs, in a
 * fixed order: mapped files, baseline, leak, new requests, batch, file reads. Each ask goes through `charge`, which
 * may run the OOM killer; once this container is killed it asks for nothing more.
 */
export function runWorkload(state: SimState, ctx: TickContext, p: PodState, onKill: (v: PodState) => void): void {
  const w = p.spec.workload;
  // Filled again for each workload: only this call reads it (nothing it calls runs another workload).
  const wp = fillWorkloadPages(w, RUNNING);
  const k = state.tick - p.startedTick;

  // W3: requests that arrived one request-time ago complete: they are served and their memory is freed.
  const slot = state.tick % p.inflightPages.length;
  uncharge(state, ctx, p, p.inflightPages[slot]!);
  p.requestsServed += p.inflightReqs[slot]!;
  p.inflightPages[slot] = 0;
  p.inflightReqs[slot] = 0;

  // W2: the runtime maps its binary and builds its baseline heap over the first second.
  if (p.fileRssPages < FILE_RSS_PAGES) charge(state, ctx, p, 'file', FILE_RSS_PAGES - p.fileRssPages, onKill);
  const baseline = wp.baseline;
  const baselineTarget = k >= STARTUP_TICKS ? baseline : Math.ceil((baseline * (k + 1)) / STARTUP_TICKS);
  const held = p.anonPages + p.swapPages - p.leakedPages - sum(p.inflightPages) - p.batchLoadedPages;
  if (isAlive(p) && baselineTarget > held) charge(state, ctx, p, 'anon', baselineTarget - held, onKill);

  // W4: the leak: the module-level cache keeps what it appends.
  if (isAlive(p) && wp.leakPerSec > 0) {
    p.leakedPages += charge(state, ctx, p, 'anon', perTick(wp.leakPerSec, k), onKill);
  }

  if (isAlive(p)) admitRequests(state, ctx, p, wp, slot, onKill);
  if (isAlive(p)) runBatch(state, ctx, p, wp, k, onKill);
  if (isAlive(p)) readFiles(state, ctx, p, wp, k, onKill);
}

/** W3, W5: new requests arrive (with ±20 % noise from the seeded PRNG); a bounded buffer drops what would not fit. */
function admitRequests(
  state: SimState,
  ctx: TickContext,
  p: PodState,
  wp: WorkloadPages,
  slot: number,
  onKill: (v: PodState) => void,
) {
  const w = p.spec.workload;
  const traffic = state.node.trafficUntilTick > state.tick ? state.node.trafficMilli : 1000;
  const jitter = 0.8 + 0.4 * nextRandom(state);
  p.arrivalMilli += Math.round(((w.requestsPerSec * traffic) / TPS) * jitter);
  const arrived = Math.floor(p.arrivalMilli / 1000);
  p.arrivalMilli -= arrived * 1000;
  if (arrived === 0) return;

  const per = wp.perRequest;
  let admitted = arrived;
  if (w.bufferCapMiB !== null) {
    const room = wp.bufferCap - sum(p.inflightPages);
    admitted = Math.max(0, Math.min(arrived, Math.floor(room / per)));
  }
  const granted = admitted > 0 ? charge(state, ctx, p, 'anon', admitted * per, onKill) : 0;
  let served = Math.floor(granted / per);
  if (granted > served * per) uncharge(state, ctx, p, granted - served * per);
  if (p.cState !== 'Running') served = 0; // killed while allocating: these requests die with it
  p.requestsDropped += arrived - served;
  p.inflightPages[slot] = served * per;
  p.inflightReqs[slot] = served;
}

/** W6: a batch loaded at once holds all of it until done; streamed, it holds one chunk at a time. */
function runBatch(state: SimState, ctx: TickContext, p: PodState, wp: WorkloadPages, k: number, onKill: (v: PodState) => void) {
  const b = p.spec.workload.batch;
  if (!b) return;
  if (p.batchRemainingPages === 0 && p.batchLoadedPages === 0) {
    if (p.batchWaitTicks > 0) p.batchWaitTicks -= 1;
    if (p.batchWaitTicks !== 0) return;
    p.batchRemainingPages = wp.batchSize;
    p.batchWaitTicks = -1;
  }
  const rate = Math.max(1, perTick(wp.batchRatePerSec, k));
  if (b.mode === 'load') {
    if (p.batchRemainingPages > 0) {
      const got = charge(state, ctx, p, 'anon', Math.min(rate, p.batchRemainingPages), onKill);
      p.batchLoadedPages += got;
      p.batchRemainingPages -= got;
    }
    if (p.batchRemainingPages === 0 && p.cState === 'Running') finishBatch(state, ctx, p, wp);
    return;
  }
  const want = Math.min(wp.batchChunk, p.batchRemainingPages) - p.batchLoadedPages;
  if (want > 0) p.batchLoadedPages += charge(state, ctx, p, 'anon', want, onKill);
  if (p.cState !== 'Running' || p.batchLoadedPages < Math.min(wp.batchChunk, p.batchRemainingPages)) return;
  p.batchRemainingPages -= Math.min(rate, p.batchRemainingPages);
  if (p.batchLoadedPages > p.batchRemainingPages) {
    uncharge(state, ctx, p, p.batchLoadedPages - p.batchRemainingPages);
    p.batchLoadedPages = p.batchRemainingPages;
  }
  if (p.batchRemainingPages === 0) finishBatch(state, ctx, p, wp);
}

function finishBatch(state: SimState, ctx: TickContext, p: PodState, wp: WorkloadPages) {
  const b = p.spec.workload.batch!;
  uncharge(state, ctx, p, p.batchLoadedPages);
  p.batchLoadedPages = 0;
  p.batchesDone += 1;
  p.batchWaitTicks = b.everySec > 0 ? Math.max(1, Math.round(b.everySec * TPS)) : -1;
  state.events.push({ tick: state.tick, type: 'batch_done', pod: p.name, slot: p.slot, sizePages: wp.batchSize });
}

/** W7: cold reads fill the page cache (inactive); re-reads of cached pages make them active, up to half the cache. */
function readFiles(state: SimState, ctx: TickContext, p: PodState, wp: WorkloadPages, k: number, onKill: (v: PodState) => void) {
  if (wp.fileReadPerSec <= 0 || wp.fileSet <= 0) return;
  const read = perTick(wp.fileReadPerSec, k);
  const cached = p.cacheInactivePages + p.cacheActivePages;
  const cold = Math.min(read, Math.max(0, wp.fileSet - cached));
  if (cold > 0) charge(state, ctx, p, 'cache', cold, onKill);
  const promote = Math.min(read - cold, p.cacheInactivePages, Math.floor((cached - 2 * p.cacheActivePages) / 2));
  if (promote > 0) {
    p.cacheInactivePages -= promote;
    p.cacheActivePages += promote;
  }
}
