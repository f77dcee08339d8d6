/**
 * Kubernetes' views of an OOM kill: `kubectl describe pod`, `kubectl get events`, `kubectl get pod -o yaml|json`.
 * They name the container and its limit but not the kernel's scan, so their kills carry no candidates. This file
 * gathers the readers: the container shape (kubectlContainer.ts), the pod object (kubectlPodObject.ts), describe
 * (kubectlDescribe.ts), the kills from containers (kubectlKills.ts) and from events (kubectlEvents.ts).
 */
export * from './kubectlContainer.ts';
export * from './kubectlPodObject.ts';
export * from './kubectlDescribe.ts';
export * from './kubectlKills.ts';
export * from './kubectlEvents.ts';
