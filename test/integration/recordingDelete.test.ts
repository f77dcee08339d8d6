/**
 * Deleting a recording deletes its lines everywhere on disk: the journal holds every recording's lines until a
 * generation is retired, so a delete retires them all, while other sessions go on recording through it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { roundScenario, studentPod } from '../../shared/game/roundScenario.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { RecordingStore } from '../../server/recording/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-rec-delete-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every journal generation's text. */
const journalText = () => {
  const dir = join(dataDir, 'journal');
  return existsSync(dir) ? readdirSync(dir).map((n) => readFileSync(join(dir, n), 'utf8')).join('') : '';
};

describe('deleting a recording', () => {
  it('leaves none of its lines in the journal, and the other sessions keep recording', async () => {
    const store = new RecordingStore({ dataDir });
    const start = (code: string) => {
      const scenario = roundScenario({ seats: 2, seed: 5 });
      const state = createSimulation(scenario);
      return store.create({ code, scenario, seed: state.seed, initialState: state });
    };
    const gone = start('GONE');
    const kept = start('KEPT');
    await gone.hostAction({ tick: 0, action: 'join', detail: { participant: 'p1', slot: 'ada-lovelace', name: 'Ada Lovelace' } });
    await gone.command({ by: 'ada-lovelace', command: { type: 'add_pod', pod: studentPod('ada-lovelace') } });
    await kept.command({ by: 's0', command: { type: 'add_pod', pod: studentPod('s0') } });
    await gone.end('ended');
    expect(journalText()).toContain(gone.id);
    expect(journalText()).toContain('Ada Lovelace');

    await store.remove(gone.id);
    expect(journalText()).not.toContain(gone.id);
    expect(journalText()).not.toContain('Ada Lovelace');
    expect(existsSync(store.file(gone.id))).toBe(false);

    // The live one still records and acknowledges, into a new generation.
    await kept.command({ by: 's1', command: { type: 'add_pod', pod: studentPod('s1') } });
    expect(journalText()).toContain(kept.id);
    await store.closeAll();
    expect(readFileSync(store.file(kept.id), 'utf8')).toContain('"s1"');
  });
});
