/** Memory is counted in whole 4 KiB pages, as the kernel does, so no floating-point drift enters the state. */
export const PAGE_BYTES = 4096;
export const PAGES_PER_MIB = 256;
/** One tick is 100 ms of simulated time (rule T1). */
export const TICK_MS = 100;
export const TICKS_PER_SEC = 10;

export function mibToPages(mib: number): number {
  return Math.round(mib * PAGES_PER_MIB);
}
export function pagesToMiB(pages: number): number {
  return pages / PAGES_PER_MIB;
}
export function pagesToKiB(pages: number): number {
  return pages * 4;
}
export function secToTicks(sec: number): number {
  return Math.round(sec * TICKS_PER_SEC);
}
export function ticksToSec(ticks: number): number {
  return ticks / TICKS_PER_SEC;
}
