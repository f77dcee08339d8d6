import { pagesToMiB } from '../../../shared/sim/units.ts';

/** Pages as a student reads them: whole MiB with the unit, e.g. "512 MiB". */
export const mib = (pages: number): string => `${Math.round(pagesToMiB(pages))} MiB`;
