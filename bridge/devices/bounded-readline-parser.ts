/**
 * Splits a board's byte stream into lines, with a bound. serialport's ReadlineParser would do, but it has
 * two properties the bridge cannot live with: its buffer grows without limit on bytes without `\n`, and an
 * empty line (`\n\n`) disappears (a zero-length push is no data to a byte stream), so it could not be
 * counted as the rejected line it is. `LineSplitter` hands every line to a function as a latin1 string (one
 * byte, one character, so garbage bytes survive decoding and lengths are byte counts), empty ones included,
 * as soon as it is complete. Past `maxLineBytes` the partial line is dropped, the overflow is reported once,
 * and everything up to the next `\n` is discarded, so the tail of the over-long line is not read as a line
 * of its own. The board connection feeds it the port's chunks directly: no stream in between, for every
 * line a board sends.
 */

export interface LineSplitterOptions {
  /** Longest line kept, in bytes before the `\n` (a `\r` before it is allowed on top). */
  maxLineBytes: number;
}

/** No partial line: one shared empty buffer (never written), not a new one per line. */
const EMPTY = Buffer.alloc(0);

/** The parser's rules on plain calls: `push(chunk)` calls `onLine` for each line it completes, in order. */
export class LineSplitter {
  private readonly maxLineBytes: number;
  private buffer: Buffer = EMPTY;
  private discarding = false;

  constructor(
    { maxLineBytes }: LineSplitterOptions,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
  ) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError(`"maxLineBytes" must be a positive integer: ${maxLineBytes}`);
    this.maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      if (this.discarding) {
        this.discarding = false;
      } else if (this.buffer.length === 0) {
        // A line within one chunk (nearly every line): decoded from the chunk itself, no slice of it made.
        if (nl - start > this.maxLineBytes + 1) this.onOverflow();
        else this.onLine(chunk.toString('latin1', start, nl));
      } else {
        const line = Buffer.concat([this.buffer, chunk.subarray(start, nl)]);
        this.buffer = EMPTY;
        if (line.length > this.maxLineBytes + 1) this.onOverflow();
        else this.onLine(line.toString('latin1'));
      }
      start = nl + 1;
    }
    if (!this.discarding && start < chunk.length) {
      const rest = chunk.subarray(start);
      // +1 leaves room for a `\r` before the `\n`, which the codec drops.
      if (this.buffer.length + rest.length > this.maxLineBytes + 1) {
        this.buffer = EMPTY;
        this.discarding = true;
        this.onOverflow();
      } else {
        this.buffer = Buffer.concat([this.buffer, rest]);
      }
    }
  }
}
