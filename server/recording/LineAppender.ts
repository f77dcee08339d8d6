import type { RecordingFile } from './RecordingFile.ts';

/**
 * Appends batches of whole lines to a recording file. A batch that fails part-way (a full disk) is cut back off,
 * so the file always ends on a whole line; if even that fails the appender is broken and takes nothing more.
 */
export class LineAppender {
  readonly #file: RecordingFile;
  /** Bytes of whole lines in the file. */
  #size: number;
  #broken = false;

  constructor(file: RecordingFile) {
    this.#file = file;
    this.#size = file.initialSize;
  }

  /** A failed take-back left bytes behind: appending after them would bury a torn line mid-file. */
  get broken(): boolean {
    return this.#broken;
  }

  /** Write all of `data`, or throw with the file as it was before. */
  append(data: Buffer): void {
    try {
      let off = 0;
      while (off < data.length) {
        const n = this.#file.write(data, off);
        if (!(n > 0)) throw new Error('the file took no bytes');
        off += n;
      }
    } catch (e) {
      this.#takeBack();
      throw e;
    }
    this.#size += data.length;
  }

  #takeBack(): void {
    try {
      this.#file.truncate(this.#size);
    } catch {
      // Bytes we cannot take back: stop writing for good.
      this.#broken = true;
    }
  }
}
