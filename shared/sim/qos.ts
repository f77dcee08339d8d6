import type { PodSpec, QosClass } from './types.ts';

// pkg/kubelet/qos/policy.go (FIDELITY §4).
export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BESTEFFORT_OOM_SCORE_ADJ = 1000;
export const KUBELET_OOM_SCORE_ADJ = -999;
/** Upstream containerd.service: `OOMScoreAdjust=-999`. */
export const CONTAINERD_OOM_SCORE_ADJ = -999;
export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;

/**
 * Q1 (pkg/apis/core/v1/helper/qos GetPodQOS): the QoS class from memory request and limit. Zero quantities are
 * ignored, as if absent: an explicit 0 request with no limit is BestEffort. The model has no CPU: a pod whose memory
 * request equals its limit is treated as if its CPU did too (docs/model.md says so).
 */
export function qosClass(requestPages: number | null, limitPages: number | null): QosClass {
  const request = requestPages === null || requestPages <= 0 ? null : requestPages;
  const limit = limitPages === null || limitPages <= 0 ? null : limitPages;
  if (request === null && limit === null) return 'BestEffort';
  if (request !== null && limit !== null && request === limit) return 'Guaranteed';
  return 'Burstable';
}

/** Q2: what the kubelet writes to oom_score_adj for the pod's container. */
export function kubeletOomScoreAdj(
  requestPages: number | null,
  limitPages: number | null,
  capacityPages: number,
): number {
  const qos = qosClass(requestPages, limitPages);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BESTEFFORT_OOM_SCORE_ADJ;
  // 1000 - (1000 * request) / capacity, integer division; the page ratio equals the byte ratio exactly.
  const adj = 1000 - Math.floor((1000 * (requestPages ?? 0)) / capacityPages);
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BESTEFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

/** The value in effect: the what-if override if set, else the kubelet's. */
export function effectiveOomScoreAdj(spec: PodSpec, capacityPages: number): number {
  return spec.oomScoreAdjOverride ?? kubeletOomScoreAdj(spec.requestPages, spec.limitPages, capacityPages);
}
