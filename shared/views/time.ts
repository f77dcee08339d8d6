import { TICK_MS } from '../sim/units.ts';

/** Tick 0 is this moment (a Monday), so `kubectl describe` times look real and never depend on a clock. */
export const SIM_EPOCH = { year: 2024, month: 1, day: 1, hour: 10, minute: 0, second: 0 };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm), so no Date object is needed. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): { y: number; m: number; d: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** RFC 1123 with numeric zone, as kubectl describe prints: `Mon, 01 Jan 2024 10:00:05 +0000`. */
export function formatSimTime(tick: number): string {
  const e = SIM_EPOCH;
  const epochSec = daysFromCivil(e.year, e.month, e.day) * 86400 + e.hour * 3600 + e.minute * 60 + e.second;
  const total = epochSec + Math.floor((tick * TICK_MS) / 1000);
  const days = Math.floor(total / 86400);
  const rem = total - days * 86400;
  const { y, m, d } = civilFromDays(days);
  const dow = DAYS[(((days + 4) % 7) + 7) % 7];
  const hh = pad2(Math.floor(rem / 3600));
  const mm = pad2(Math.floor((rem % 3600) / 60));
  const ss = pad2(rem % 60);
  return `${dow}, ${pad2(d)} ${MONTHS[m - 1]} ${y} ${hh}:${mm}:${ss} +0000`;
}

/** apimachinery's HumanDuration, as `kubectl get` prints ages: 45s, 3m5s, 12m, 4h20m, 2d3h … */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 10) return s % 60 === 0 ? `${minutes}m` : `${minutes}m${s % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(s / 3600);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** dmesg's `[ seconds.micros]` prefix; the node booted an hour before tick 0. */
export function dmesgStamp(tick: number): string {
  const us = 3600_000_000 + tick * TICK_MS * 1000;
  const sec = Math.floor(us / 1_000_000);
  return `[${String(sec).padStart(5, ' ')}.${String(us % 1_000_000).padStart(6, '0')}]`;
}

/** journalctl's short timestamp, `Jan 01 10:00:05` (same clock as formatSimTime). */
export function journalStamp(tick: number): string {
  const [, day, month, , time] = formatSimTime(tick).split(' ');
  return `${month} ${day} ${time}`;
}
