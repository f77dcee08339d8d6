/** How a kubectl STATUS reads on screen: a tone (colour), an icon and a plain label — never colour alone. */
export type StatusTone = 'ok' | 'info' | 'warn' | 'danger' | 'purple' | 'muted';

export interface StatusLook {
  tone: StatusTone;
  icon: string;
  /** A short phrase for screen readers and for people new to kubectl. */
  meaning: string;
}

const LOOKS = new Map<string, StatusLook>(Object.entries({
  Running: { tone: 'ok', icon: '●', meaning: 'running' },
  Pending: { tone: 'info', icon: '◌', meaning: 'waiting to be scheduled' },
  ContainerCreating: { tone: 'info', icon: '◔', meaning: 'starting' },
  CrashLoopBackOff: { tone: 'warn', icon: '↻', meaning: 'crashed, waiting to restart' },
  OOMKilled: { tone: 'danger', icon: '✖', meaning: 'killed for using too much memory' },
  Evicted: { tone: 'purple', icon: '⏏', meaning: 'evicted by the kubelet' },
  Error: { tone: 'danger', icon: '!', meaning: 'exited with an error' },
  Completed: { tone: 'muted', icon: '✓', meaning: 'finished' },
  Terminating: { tone: 'muted', icon: '…', meaning: 'being removed' },
}));

export function statusLook(status: string): StatusLook {
  return LOOKS.get(status) ?? { tone: 'muted', icon: '?', meaning: status.toLowerCase() };
}

/** CSS colour variables for a tone: a fill (for shapes) and a text colour that passes contrast on the dark bg. */
export function toneVars(tone: StatusTone): { fill: string; text: string } {
  switch (tone) {
    case 'ok':
      return { fill: 'var(--ok)', text: 'var(--ok-text)' };
    case 'info':
      return { fill: 'var(--info)', text: 'var(--accent-strong)' };
    case 'warn':
      return { fill: 'var(--warn)', text: 'var(--warn-text)' };
    case 'danger':
      return { fill: 'var(--danger)', text: 'var(--danger-text)' };
    case 'purple':
      return { fill: 'var(--purple)', text: '#f0b3d6' };
    default:
      return { fill: 'var(--muted)', text: 'var(--text-dim)' };
  }
}
