import type uPlot from 'uplot';

/**
 * Columnar chart history in fixed-length typed arrays: column 0 is x (sim seconds), the rest are series. Nothing
 * is allocated per sample; once full, the window slides with copyWithin. `view()` returns uPlot AlignedData made of
 * subarray views (no copies), so a chart can setData it directly.
 */
export class SeriesRing {
  readonly capacity: number;
  readonly columns: Float64Array[];
  #length = 0;

  constructor(seriesCount: number, capacity: number) {
    this.capacity = capacity;
    this.columns = Array.from({ length: seriesCount + 1 }, () => new Float64Array(capacity));
  }

  get length(): number {
    return this.#length;
  }

  /** The last x pushed, or -Infinity when empty. */
  get lastX(): number {
    return this.#length === 0 ? -Infinity : this.columns[0]![this.#length - 1]!;
  }

  /** Append one sample; `values` has one number per series (finite; uPlot draws no gaps from typed arrays). Older x values are dropped. */
  push(x: number, values: ArrayLike<number>): void {
    if (this.#length > 0 && x <= this.lastX) {
      // Time went backwards (a reset or a replay seek): start over rather than draw a scribble.
      if (x < this.lastX) this.clear();
      else return;
    }
    let i = this.#length;
    if (i === this.capacity) {
      for (const col of this.columns) col.copyWithin(0, 1);
      i = this.capacity - 1;
    } else {
      this.#length++;
    }
    this.columns[0]![i] = x;
    for (let s = 1; s < this.columns.length; s++) this.columns[s]![i] = values[s - 1] ?? 0;
  }

  clear(): void {
    this.#length = 0;
  }

  /** uPlot data for the filled part (views share memory with the ring: treat as read-only). */
  view(): uPlot.AlignedData {
    return this.columns.map((c) => c.subarray(0, this.#length)) as unknown as uPlot.AlignedData;
  }
}
