/** Colours of the student's memory chart, shared with its HTML legend. */
export const POD_COLORS = {
  rss: '#56B4E9',
  cache: '#009E73',
  limit: '#D55E00',
  request: '#F0E442',
  free: '#CC79A7',
} as const;
