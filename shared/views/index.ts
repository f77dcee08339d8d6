/** Pure views of the simulation: text in the real formats people will meet (dmesg, kubectl) and plain words. */
export * from './time.ts';
export * from './kernelLog.ts';
export * from './journal.ts';
export * from './kubectl.ts';
export * from './explain.ts';
export * from './kernelReport.ts';
