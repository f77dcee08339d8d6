import { createReadStream } from 'node:fs';
import { ReplayMachine, type ReplayHooks } from '../../shared/recording/ReplayMachine.ts';
import type { SimState } from '../../shared/sim/types.ts';

/** What reading a recording hears: return true from `onTick` to stop there. */
export interface ReplayFileHooks {
  onTick?: (s: SimState) => boolean | void;
  onLine?: ReplayHooks['onLine'];
}

/**
 * Stream a recording file through the replay (verifying it), never loading it whole. `goodBytes`: where a torn
 * tail starts; `unterminated`: the last accepted line lacked its newline.
 */
export async function replayFile(file: string, hooks: ReplayFileHooks = {}) {
  let stop = false;
  const machine = new ReplayMachine({
    onTick: (s) => {
      if (hooks.onTick?.(s)) stop = true;
    },
    onLine: hooks.onLine,
  });
  const { goodBytes, unterminated } = await feed(createReadStream(file), machine, () => stop);
  return { machine, goodBytes, unterminated };
}

/**
 * Push a byte stream through a ReplayMachine line by line. Returns the byte length of the complete lines accepted
 * (where a torn tail starts), and whether the last accepted line lacked its newline. A final piece without a
 * newline is pushed as `last`, so a torn line is tolerated.
 */
export async function feed(
  source: AsyncIterable<Buffer | string>,
  machine: ReplayMachine,
  stop: () => boolean,
): Promise<{ goodBytes: number; unterminated: boolean }> {
  let carry = '';
  let goodBytes = 0;
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    carry += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = carry.indexOf('\n', start)) !== -1) {
      const line = carry.slice(start, nl);
      start = nl + 1;
      if (machine.push(line)) return { goodBytes, unterminated: false };
      goodBytes += Buffer.byteLength(line, 'utf8') + 1;
      if (stop()) return { goodBytes, unterminated: false };
    }
    carry = carry.slice(start);
    if (carry.length > 16 * 1024 * 1024) {
      machine.push(carry.slice(0, 200));
      return { goodBytes, unterminated: false };
    }
  }
  carry += decoder.decode();
  if (carry !== '') {
    const before = machine.lineCount;
    machine.push(carry, true);
    if (machine.lineCount > before && !machine.error)
      return { goodBytes: goodBytes + Buffer.byteLength(carry, 'utf8'), unterminated: true };
  }
  return { goodBytes, unterminated: false };
}
