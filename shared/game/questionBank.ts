/** The built-in question bank (docs/game.md, QB1): written questions, each with its reveal and a scenario to show it. */
import { CHOICE_IDS, type Choice, type Question } from './questionTypes.ts';

const choices = (...texts: string[]): Choice[] => texts.map((text, i) => ({ id: CHOICE_IDS[i]!, text }));

/** QB1: the bank. The first two are the seed's "Check yourself" questions. */
export const BUILTIN_QUESTIONS: readonly Question[] = [
  {
    id: 'seed-exit-137-oomkilled',
    source: 'builtin',
    topic: 'exit-137',
    prompt:
      'A pod exits with code 137 and its previous state shows Reason: OOMKilled. What does that tell you?',
    choices: choices(
      'The kernel\u2019s OOM killer sent the process SIGKILL because memory ran out: its own limit, or the whole node',
      'The application hit a bug and returned exit status 137 itself',
      'The kubelet evicted the pod because the node was short of memory',
      'The liveness probe failed and Kubernetes restarted the container',
    ),
    answer: 'a',
    explanation:
      '137 is 128 + 9: the process died from signal 9, SIGKILL, which it cannot catch, so there was no cleanup and no ' +
      'stack trace. The reason OOMKilled is added by the container runtime when the kernel\u2019s OOM killer did it. ' +
      'Usually the container reached its own memory limit (a cgroup OOM); it can also be a node-wide OOM where the ' +
      'kernel picked this process. An eviction looks different: the pod is Failed with reason Evicted.',
    scenario: 'worked-example',
    tick: null,
  },
  {
    id: 'seed-raise-limit-again',
    source: 'builtin',
    topic: 'raise-the-limit',
    prompt:
      'You raise the pod\u2019s limit from 512 MB to 1 GB. It runs longer, then OOM-kills again. What\u2019s the likely cause?',
    choices: choices(
      'Memory keeps growing: a leak (or input that is loaded whole), so any limit is reached eventually',
      'The new limit did not take effect until the node rebooted',
      'A limit above 512 MB needs a matching request, or the kernel ignores it',
      'The node is out of memory: raising a limit always makes the node run out',
    ),
    answer: 'a',
    explanation:
      'If it lasted longer with more room, its memory is still climbing. A bigger limit only moves the line it climbs ' +
      'into; the time between kills grows, the kills do not stop. Fix what grows: release what the handler keeps, ' +
      'stream big inputs in chunks, bound buffers. Raise the limit only to cover a working set that really is bigger.',
    scenario: 'leak',
    tick: null,
  },
  {
    id: 'exit-137-not-always-oom',
    source: 'builtin',
    topic: 'exit-137',
    prompt:
      'kubectl describe shows Last State: Terminated, Exit Code: 137, Reason: Error. Was the container OOM-killed?',
    choices: choices(
      'Yes: 137 always means the OOM killer',
      'Not necessarily: 137 only says SIGKILL. Without Reason OOMKilled, something else sent it (a kill, a probe, a deletion that ran out of grace time)',
      'No: OOM kills exit with code 9',
      'Yes, but only if the pod is BestEffort',
    ),
    answer: 'b',
    explanation:
      'Exit code 137 means the process was killed by SIGKILL (128 + 9). The OOM killer is one sender; a `kill -9`, a ' +
      'failed liveness probe after its grace period, or a hard eviction also send SIGKILL. Only the reason OOMKilled, ' +
      'which containerd records when the kernel reports an OOM kill, tells you it was memory.',
    scenario: null,
    tick: null,
  },
  {
    id: 'request-does-not-cap',
    source: 'builtin',
    topic: 'requests-vs-limits',
    prompt: 'A pod has request 256 MiB and limit 1 GiB, and it is using 700 MiB. Which is true?',
    choices: choices(
      'It will be OOM-killed now: it is over its request',
      'It may keep growing to 1 GiB, but if the node runs short it is among the first to be evicted or killed, because it uses more than it asked for',
      'It is guaranteed 1 GiB: the scheduler reserved its limit',
      'The request stops mattering once the pod is running',
    ),
    answer: 'b',
    explanation:
      'The limit is the hard line (the cgroup\u2019s memory.max). The request is what the scheduler reserves and what the ' +
      'kubelet compares usage with when the node is short: pods over their request are evicted first, and a small ' +
      'request gives a high oom_score_adj. Going over the request is allowed; it is a bet that the node has room.',
    scenario: 'eviction',
    tick: null,
  },
  {
    id: 'huge-request-pending',
    source: 'builtin',
    topic: 'requests-vs-limits',
    prompt:
      'A node has 3 GiB of allocatable memory not yet requested. You create a pod that requests 8 GiB. What happens?',
    choices: choices(
      'It is scheduled and OOM-killed when it passes 3 GiB',
      'It stays Pending: FailedScheduling, Insufficient memory',
      'It is scheduled; requests are only hints',
      'The kubelet evicts other pods to make room',
    ),
    answer: 'b',
    explanation:
      'The scheduler places a pod only where the sum of requests plus its own fits the node\u2019s allocatable memory. ' +
      'Limits and current usage are not checked; requests are. A request bigger than the free room leaves the pod ' +
      'Pending, serving nothing. A huge request that does fit starves everyone after it the same way.',
    scenario: null,
    tick: null,
  },
  {
    id: 'besteffort-surprise',
    source: 'builtin',
    topic: 'oom-score-adj',
    prompt:
      'A 4 GiB node without swap runs out of memory. A BestEffort pod (oom_score_adj 1000) uses 100 MiB. A Burstable ' +
      'pod with a 1 GiB request (oom_score_adj 750) uses 3 GiB. Which one does the kernel kill?',
    choices: choices(
      'The BestEffort pod: BestEffort always dies first',
      'The Burstable pod: it has more points',
      'Both, one after the other',
      'Neither: the kernel kills the process that asked for memory',
    ),
    answer: 'b',
    explanation:
      'Points = resident pages + oom_score_adj \u00d7 (total pages / 1000). Here total pages = 1,048,576, so each adj ' +
      'point is worth 1,048 pages. BestEffort: 25,600 + 1000 \u00d7 1,048 = 1,073,600. Burstable: 786,432 + 750 \u00d7 ' +
      '1,048 = 1,572,432. The Burstable pod has more points and dies. The adj is a weight, not a queue: size counts too.',
    scenario: 'besteffort-surprise',
    tick: null,
  },
  {
    id: 'only-minus-1000-is-safe',
    source: 'builtin',
    topic: 'oom-score-adj',
    prompt: 'Which processes can the kernel\u2019s OOM killer never choose?',
    choices: choices(
      'Guaranteed pods (oom_score_adj -997)',
      'Only processes with oom_score_adj -1000',
      'The kubelet and containerd',
      'Any process under its memory limit',
    ),
    answer: 'b',
    explanation:
      'Only -1000 takes a process out of the candidates. -997 (Guaranteed pods) and -999 (containerd and the ' +
      'kubelet) make the points negative, which puts them last, but a negative score can still win when nothing ' +
      'else is left. And being under your own limit does not protect you from a node-wide OOM.',
    scenario: 'noisy-neighbour',
    tick: null,
  },
  {
    id: 'eviction-vs-oom-kill',
    source: 'builtin',
    topic: 'eviction-vs-oom',
    prompt:
      'Pod A shows Status: Failed, Reason: Evicted. Pod B shows Last State: Terminated, Reason: OOMKilled, Restart Count: 3. Who stopped each?',
    choices: choices(
      'Both were stopped by the kernel\u2019s OOM killer',
      'A by the kubelet (node short of memory, whole pod replaced by a new one); B by the kernel\u2019s OOM killer (container restarted in place)',
      'A by the scheduler; B by the kubelet',
      'A by the kernel; B by the kubelet\u2019s eviction manager',
    ),
    answer: 'b',
    explanation:
      'Eviction is the kubelet, in user space: it checks memory.available every 10 s, evicts at most one pod per ' +
      'check, the pod ends Failed/Evicted and its controller creates a new pod. An OOM kill is the kernel, at the ' +
      'moment an allocation fails: the container gets SIGKILL, exit 137, OOMKilled, and restarts in the same pod ' +
      '(RESTARTS goes up). A fast allocation reaches the kernel before the kubelet\u2019s next check.',
    scenario: 'eviction',
    tick: null,
  },
  {
    id: 'crashloop-timing',
    source: 'builtin',
    topic: 'crashloop',
    prompt: 'A container is OOM-killed again and again. How long does the kubelet wait before each restart?',
    choices: choices(
      'At once the first time, then 10 s, 20 s, 40 s\u2026 doubling up to 5 minutes',
      '10 s every time',
      'Never: after a crash the pod stays down until someone deletes it',
      '1, 2, 4, 8 minutes',
    ),
    answer: 'a',
    explanation:
      'The first crash restarts at once; each later crash waits the current back-off, which then doubles: 10, 20, 40, ' +
      '80, 160, then 300 s at most. CrashLoopBackOff is that wait, shown as the container\u2019s waiting reason; the pod ' +
      'itself stays Running. After 10 minutes without a crash the count starts over.',
    scenario: 'worked-example',
    tick: null,
  },
  {
    id: 'stream-the-batch',
    source: 'builtin',
    topic: 'streaming',
    prompt:
      'A service with a 512 MB limit loads a 700 MB batch at once and is OOM-killed every time. What is the durable fix?',
    choices: choices(
      'Raise the limit to 1 GB',
      'Process the batch in chunks (streaming), so the peak stays small whatever the input size',
      'Set the request to 700 MB',
      'Set oom_score_adj to -1000',
    ),
    answer: 'b',
    explanation:
      'The peak is the whole batch. Streaming holds one chunk at a time, so the peak stays small and no longer depends ' +
      'on how big the input is. Raising the limit above 700 MB works until a bigger batch comes (a stopgap). A request ' +
      'caps nothing. With -1000 there is no one the cgroup OOM killer may kill, so the allocation fails instead.',
    scenario: 'worked-example',
    tick: null,
  },
  {
    id: 'global-oom-under-limit',
    source: 'builtin',
    topic: 'oom-score-adj',
    prompt:
      'Your pod uses 600 MiB of its 1 GiB limit and is OOM-killed. The kernel log says constraint=CONSTRAINT_NONE. How can that be?',
    choices: choices(
      'The kernel measured the limit wrong',
      'The node as a whole ran out, and your process had the most points, thanks to the high oom_score_adj your small request gave it',
      'Your pod leaked past its limit between two samples',
      'The kubelet evicted it and reported an OOM kill',
    ),
    answer: 'b',
    explanation:
      'CONSTRAINT_NONE is a global OOM: the node, not your cgroup, ran out, usually because another pod used far more ' +
      'than it requested. Every process on the node is a candidate and the most points lose. A Burstable pod\u2019s adj ' +
      'is 1000 minus its share of the node\u2019s memory, so a small request gives a big adj.',
    scenario: 'noisy-neighbour',
    tick: null,
  },
  {
    id: 'page-cache-is-reclaimed',
    source: 'builtin',
    topic: 'page-cache',
    prompt:
      'A container shows 900 MiB of memory used against a 1 GiB limit, and 500 MiB of it is page cache. Is it about to be OOM-killed?',
    choices: choices(
      'Yes: it is at 90 % of its limit',
      'No: page cache is reclaimed before the OOM killer is called; its own memory is about 400 MiB',
      'Yes: page cache cannot be freed while the file is open',
      'No: page cache is never counted in a container\u2019s usage',
    ),
    answer: 'b',
    explanation:
      'Usage (memory.current) counts the page cache, but when the cgroup reaches its limit the kernel reclaims cache ' +
      'first and only calls the OOM killer if that is not enough. A big cache is not danger in itself; anonymous ' +
      'memory that keeps growing is.',
    scenario: null,
    tick: null,
  },
];

/** A bank question by its id (a restored game names its question that way), or undefined. */
export function builtinQuestion(id: string): Question | undefined {
  return BUILTIN_QUESTIONS.find((q) => q.id === id);
}
