import { parseInt10, parseKb, parseUInt, tokens } from './input.ts';
import type { CounterLine, KilledLine, SummaryLine, TaskRow } from './types.ts';

/**
 * Readers for single kernel lines, each written from the printing code in mm/oom_kill.c, mm/memcontrol.c,
 * lib/show_mem.c and mm/swap_state.c across 4.9 … 6.x. Each takes one prefix-free line and returns null when the
 * line is not its kind. No regular expressions: token and index scans only.
 */

/** `stress invoked oom-killer: gfp_mask=0x140dca(…), order=0, oom_score_adj=1000` (4.19 adds `nodemask=…,`). */
export function readInvoked(
  text: string,
): { comm: string; oomScoreAdj: number | null; order: number | null } | null {
  const at = text.indexOf(' invoked oom-killer:');
  if (at < 0) return null;
  const rest = text.slice(at + 20);
  return {
    comm: text.slice(0, at),
    oomScoreAdj: parseInt10(valueAfter(rest, 'oom_score_adj=')),
    order: parseInt10(valueAfter(rest, 'order=')),
  };
}

/** The value after `key` up to the next comma or space. */
function valueAfter(s: string, key: string): string | undefined {
  const i = s.indexOf(key);
  if (i < 0) return undefined;
  let j = i + key.length;
  while (j < s.length && s[j] !== ',' && s[j] !== ' ') j++;
  return s.slice(i + key.length, j);
}

/** `CPU: 1 PID: 4481 Comm: stress Not tainted 6.1.0-18-amd64 #1 Debian …` (6.11+: `CPU: 1 UID: 0 PID: …`). */
export function readCpuLine(text: string): { pid: number | null; version: string | null } | null {
  if (!text.startsWith('CPU: ') || !text.includes(' PID: ') || !text.includes(' Comm: ')) return null;
  const t = tokens(text);
  const pid = parseUInt(t[t.indexOf('PID:') + 1]);
  let version: string | null = null;
  const from = Math.max(t.indexOf('tainted'), t.indexOf('Tainted:'));
  if (from >= 0) {
    for (let i = from + 1; i < t.length; i++) {
      const v = t[i]!;
      if (v.length > 2 && v.charCodeAt(0) >= 48 && v.charCodeAt(0) <= 57 && v.includes('.')) {
        version = v;
        break;
      }
    }
  }
  return { pid, version };
}

/** `%lu pages RAM`, `%lu pages reserved` (lib/show_mem.c). */
export function readPagesLine(text: string): { kind: 'ram' | 'reserved'; pages: number } | null {
  const sp = text.indexOf(' ');
  if (sp <= 0) return null;
  const rest = text.slice(sp + 1);
  const kind = rest === 'pages RAM' ? 'ram' : rest === 'pages reserved' ? 'reserved' : null;
  if (!kind) return null;
  const pages = parseUInt(text.slice(0, sp));
  return pages === null ? null : { kind, pages };
}

/** `Total swap = 2097148kB`, `Free swap  = 0kB` (show_swap_cache_info). */
export function readSwapLine(text: string): { kind: 'total' | 'free'; kb: number } | null {
  const kind = text.startsWith('Total swap') ? 'total' : text.startsWith('Free swap') ? 'free' : null;
  if (!kind) return null;
  const eq = text.indexOf('=');
  if (eq < 0) return null;
  const kb = parseKb(text.slice(eq + 1).trim());
  return kb === null ? null : { kind, kb };
}

/** `memory: usage %llukB, limit %llukB, failcnt %lu`, also `swap:`, `memory+swap:`, `kmem:` (mem_cgroup_print_oom_meminfo). */
export function readCounterLine(
  text: string,
): { kind: 'memory' | 'swap' | 'memsw' | 'kmem'; counter: CounterLine } | null {
  const colon = text.indexOf(': usage ');
  if (colon <= 0 || colon > 12) return null;
  const name = text.slice(0, colon);
  const kind =
    name === 'memory'
      ? 'memory'
      : name === 'swap'
        ? 'swap'
        : name === 'memory+swap'
          ? 'memsw'
          : name === 'kmem'
            ? 'kmem'
            : null;
  if (!kind) return null;
  const t = tokens(text.slice(colon + 2).replaceAll(',', ' '));
  const usageKb = parseKb(t[t.indexOf('usage') + 1]);
  const limitKb = parseKb(t[t.indexOf('limit') + 1]);
  if (usageKb === null || limitKb === null) return null;
  const fi = t.indexOf('failcnt');
  return { kind, counter: { usageKb, limitKb, failcnt: fi >= 0 ? parseUInt(t[fi + 1]) : null } };
}

/** `Memory cgroup stats for /kubepods.slice/…:` */
export function readStatsFor(text: string): string | null {
  const key = 'Memory cgroup stats for ';
  if (!text.startsWith(key)) return null;
  const p = text.slice(key.length);
  return p.endsWith(':') ? p.slice(0, -1) : p;
}

/** Pre-4.19: `Task in /a killed as a result of limit of /b`. */
export function readTaskIn(text: string): string | null {
  if (!text.startsWith('Task in ')) return null;
  const key = ' killed as a result of limit of ';
  const i = text.indexOf(key);
  return i < 0 ? null : text.slice(i + key.length).trim();
}

/** `Tasks in /path are going to be killed due to memory.oom.group set`. */
export function readGroupLine(text: string): string | null {
  if (!text.startsWith('Tasks in ')) return null;
  const i = text.indexOf(' are going to be killed due to memory.oom.group set');
  return i < 0 ? null : text.slice(9, i);
}

/** The table's column header, `[  pid  ]   uid  tgid total_vm      rss … name`: the names after the bracket. */
export function readTableHeader(text: string): string[] | null {
  if (!text.startsWith('[')) return null;
  const close = text.indexOf(']');
  if (close < 0 || text.slice(1, close).trim() !== 'pid') return null;
  const cols = tokens(text.slice(close + 1));
  return cols.length >= 4 && cols[cols.length - 1] === 'name' && cols.includes('rss') ? cols : null;
}

/**
 * A table row for the given header: `[%7d]` then one number per column before `name`, then the command name (which
 * may hold spaces). Returns null for a line that is not a row.
 */
export function readTaskRow(text: string, columns: readonly string[], line: number): TaskRow | null {
  if (!text.startsWith('[')) return null;
  const close = text.indexOf(']');
  if (close < 0) return null;
  const pid = parseUInt(text.slice(1, close).trim());
  if (pid === null) return null;
  const numeric = columns.length - 1;
  const values = new Map<string, number>();
  let i = close + 1;
  for (let c = 0; c < numeric; c++) {
    while (i < text.length && text.charCodeAt(i) === 32) i++;
    let j = i;
    while (j < text.length && text.charCodeAt(j) !== 32) j++;
    const v = parseInt10(text.slice(i, j));
    if (v === null) return null;
    values.set(columns[c]!, v);
    i = j;
  }
  while (i < text.length && text.charCodeAt(i) === 32) i++;
  const name = text.slice(i);
  const rss = values.get('rss');
  const adj = values.get('oom_score_adj');
  if (rss === undefined || adj === undefined || name.length === 0) return null;
  const ptes = values.get('nr_ptes');
  const pmds = values.get('nr_pmds');
  return {
    pid,
    uid: values.get('uid') ?? null,
    tgid: values.get('tgid') ?? null,
    totalVm: values.get('total_vm') ?? null,
    rss,
    rssAnon: values.get('rss_anon') ?? null,
    rssFile: values.get('rss_file') ?? null,
    rssShmem: values.get('rss_shmem') ?? null,
    pgtablesBytes: values.get('pgtables_bytes') ?? null,
    pgtablesPagesOld: ptes === undefined ? null : ptes + (pmds ?? 0),
    swapents: values.get('swapents') ?? 0,
    oomScoreAdj: adj,
    name,
    line,
  };
}

/** `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=…,mems_allowed=0,oom_memcg=…,task_memcg=…,task=x,pid=1,uid=0` */
export function readSummary(text: string, line: number): SummaryLine | null {
  const key = 'oom-kill:';
  if (!text.startsWith(key)) return null;
  const fields = new Map<string, string>();
  let last: string | null = null;
  let globalOom = false;
  for (const part of text.slice(key.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (part === 'global_oom') globalOom = true;
      else if (last !== null) fields.set(last, `${fields.get(last)},${part}`); // a comm or path with a comma in it
      continue;
    }
    last = part.slice(0, eq);
    fields.set(last, part.slice(eq + 1));
  }
  return {
    constraint: fields.get('constraint') ?? null,
    nodemask: fields.get('nodemask') ?? null,
    cpuset: fields.get('cpuset') ?? null,
    memsAllowed: fields.get('mems_allowed') ?? null,
    oomMemcg: fields.get('oom_memcg') ?? null,
    globalOom,
    taskMemcg: fields.get('task_memcg') ?? null,
    task: fields.get('task') ?? null,
    pid: parseUInt(fields.get('pid')),
    uid: parseUInt(fields.get('uid')),
    line,
  };
}

/** `pid (comm)` at the start of s, the comm ending at the last `)` before `stop` (comm may hold spaces or parens). */
function pidComm(s: string, stop: string): { pid: number; comm: string; rest: string } | null {
  const sp = s.indexOf(' (');
  if (sp <= 0) return null;
  const pid = parseUInt(s.slice(0, sp));
  if (pid === null) return null;
  const stopAt = s.indexOf(stop, sp);
  const close = stopAt >= 0 ? stopAt : s.lastIndexOf(')');
  if (close <= sp) return null;
  return { pid, comm: s.slice(sp + 2, close), rest: s.slice(close + 1) };
}

/**
 * `Out of memory: Killed process 4481 (stress) total-vm:1052068kB, anon-rss:1048576kB, file-rss:624kB,
 * shmem-rss:0kB, UID:0 pgtables:2108kB oom_score_adj:1000`; 4.19 prints no message, UID, pgtables or adj.
 */
export function readKilled(text: string, line: number): KilledLine | null {
  const key = 'Killed process ';
  const at = text.indexOf(key);
  if (at < 0) return null;
  const head = text.slice(0, at).trim();
  if (head.length > 0 && !head.endsWith(':')) return null;
  const pc = pidComm(text.slice(at + key.length), ') total-vm:');
  if (!pc) return null;
  const t = tokens(pc.rest.replaceAll(',', ' '));
  const field = (name: string) => {
    const tok = t.find((x) => x.startsWith(`${name}:`));
    return tok === undefined ? undefined : tok.slice(name.length + 1);
  };
  return {
    message: head.endsWith(':') ? head.slice(0, -1) : head,
    pid: pc.pid,
    comm: pc.comm,
    totalVmKb: parseKb(field('total-vm')),
    anonRssKb: parseKb(field('anon-rss')),
    fileRssKb: parseKb(field('file-rss')),
    shmemRssKb: parseKb(field('shmem-rss')),
    uid: parseUInt(field('UID')),
    pgtablesKb: parseKb(field('pgtables')),
    oomScoreAdj: parseInt10(field('oom_score_adj')),
    line,
  };
}

/** Pre-5.1: `Out of memory: Kill process 4481 (stress) score 999 or sacrifice child`. */
export function readChose(
  text: string,
  line: number,
): { pid: number; comm: string; score: number | null; line: number } | null {
  const key = 'Kill process ';
  const at = text.indexOf(key);
  if (at < 0 || !text.includes(' or sacrifice child')) return null;
  const pc = pidComm(text.slice(at + key.length), ') score ');
  if (!pc) return null;
  const t = tokens(pc.rest);
  return { pid: pc.pid, comm: pc.comm, score: parseUInt(t[t.indexOf('score') + 1]), line };
}

/** `oom_reaper: reaped process 4481 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB`. */
export function readReaped(text: string): { pid: number; comm: string } | null {
  const key = 'oom_reaper: reaped process ';
  if (!text.startsWith(key)) return null;
  const pc = pidComm(text.slice(key.length), '), now');
  return pc ? { pid: pc.pid, comm: pc.comm } : null;
}
