import { builtinScenario } from '../../../shared/scenario/builtin.ts';
import { runScenario } from '../../../shared/scenario/run.ts';
import { kernelReportLines } from '../../../shared/views/kernelReport.ts';

/**
 * A report to try the page with: the kernel report OOM Arena prints for the first kill of the noisy-neighbour
 * scenario (a global OOM in which a pod dies under its own limit), computed here rather than stored.
 */
export function exampleReport(): string {
  const scenario = builtinScenario('noisy-neighbour');
  if (!scenario) return '';
  let lines: string[] = [];
  runScenario(scenario, {}, (s) => {
    if (lines.length > 0) return;
    for (const e of s.events)
      if (e.type === 'oom_kill' && lines.length === 0) lines = kernelReportLines(e, s.node);
  });
  return lines.join('\n');
}
