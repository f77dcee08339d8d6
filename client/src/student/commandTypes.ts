import type { PodCommandBody } from '../../../shared/schemas/commands.ts';

/** What a control gets back when it sends a command: applied, or a message to show next to the button. */
export type SendResult = { ok: true } | { ok: false; message: string };
export type SendPodCommand = (cmd: PodCommandBody) => Promise<SendResult>;
