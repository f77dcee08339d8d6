import type { PickedScenarioFile } from '../components/ScenarioFilePicker.svelte';
import { HostSession, SCENARIOS } from './HostSession.svelte.ts';

/** One scenario the create form offers. */
export interface ScenarioChoice {
  name: string;
  title: string;
  blurb: string;
  nodeMemoryMiB?: number;
}

/**
 * The create form's fields and its one call to the server. The host page keeps it (not the form), so what the
 * teacher chose outlives the form, and the server's scenario list is asked for once, when the page opens.
 */
export class SessionForm {
  #scenarios = $state.raw<ScenarioChoice[]>([...SCENARIOS]);
  scenario = $state('classroom');
  /** A teacher's own scenario file, which replaces the built-in pick while loaded (docs/scenarios.md). */
  file = $state.raw<PickedScenarioFile | null>(null);
  memoryMiB = $state<number | null>(null);
  speed = $state(1);
  seed = $state<number | null>(null);
  #creating = $state(false);
  #error = $state<string | null>(null);

  get scenarios(): ScenarioChoice[] {
    return this.#scenarios;
  }
  get creating(): boolean {
    return this.#creating;
  }
  /** Why the last create failed, for the form to show. */
  get error(): string | null {
    return this.#error;
  }

  /** GET /api/scenarios: the server's list replaces the built-in one when it answers. */
  loadScenarios(): void {
    fetch('/api/scenarios')
      .then((r) => (r.ok ? r.json() : null))
      .then(
        (
          d: {
            scenarios?: {
              name: string;
              title: string;
              description: string;
              nodeMemoryMiB: number;
              studentPods: number;
            }[];
          } | null,
        ) => {
          const list = d?.scenarios ?? [];
          if (list.length)
            this.#scenarios = list.map((x) => ({
              name: x.name,
              title: x.studentPods > 0 ? x.title : `${x.title} (students watch)`,
              blurb: x.description,
              nodeMemoryMiB: x.nodeMemoryMiB,
            }));
        },
      )
      .catch(() => {});
  }

  /** POST /api/sessions with the fields: the new session, or null with `error` set. */
  async create(): Promise<HostSession | null> {
    this.#creating = true;
    this.#error = null;
    const r = await HostSession.create({
      ...(this.file ? { scenarioFile: this.file.raw } : { scenario: this.scenario }),
      speed: this.speed,
      ...(this.memoryMiB ? { nodeMemoryMiB: this.memoryMiB } : {}),
      ...(this.seed !== null && this.seed !== undefined && Number.isFinite(this.seed) ? { seed: this.seed } : {}),
    });
    this.#creating = false;
    if (!r.ok) {
      this.#error = r.message;
      return null;
    }
    return r.session;
  }
}
