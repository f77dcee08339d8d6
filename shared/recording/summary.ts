/** What GET /api/recordings lists for each recording: the server writes it, the replay view reads it. */
export interface RecordingSummary {
  id: string;
  code: string;
  scenario: string;
  scenarioTitle: string | null;
  startedAt: string;
  /** Simulated seconds from the first to the last tick recorded. */
  durationSec: number;
  firstTick: number;
  lastTick: number;
  participants: number;
  commands: number;
  state: 'live' | 'ended' | 'interrupted';
  source: 'live' | 'upload';
  origin: { recording: string; tick: number } | null;
  bytes: number;
}
