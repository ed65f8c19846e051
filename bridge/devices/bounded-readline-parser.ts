/**
 * serialport's ReadlineParser with a bound: a board that sends bytes without ever sending `\n` would
 * otherwise grow the parser's buffer without limit. Past `maxLineBytes` the partial line is dropped,
 * `overflow` is emitted once, and everything up to the next `\n` is discarded, so the tail of the
 * over-long line is not read as a line of its own.
 */

import { ReadlineParser } from '@serialport/parser-readline';
import type { TransformCallback } from 'node:stream';

export interface BoundedReadlineParserOptions {
  /** Longest line kept, in bytes before the `\n`. */
  maxLineBytes: number;
}

export class BoundedReadlineParser extends ReadlineParser {
  private readonly maxLineBytes: number;
  private discarding = false;

  constructor({ maxLineBytes }: BoundedReadlineParserOptions) {
    // latin1: one byte is one character, so garbage bytes survive decoding and lengths are byte counts.
    super({ delimiter: '\n', encoding: 'latin1' });
    this.maxLineBytes = maxLineBytes;
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, cb: TransformCallback): void {
    if (this.discarding) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) return cb();
      this.discarding = false;
      chunk = chunk.subarray(nl + 1);
    }
    super._transform(chunk, encoding, (err?: Error | null) => {
      if (err) return cb(err);
      // +1 leaves room for a `\r` before the `\n`, which the codec drops.
      if (this.buffer.length > this.maxLineBytes + 1) {
        this.buffer = Buffer.alloc(0);
        this.discarding = true;
        this.emit('overflow');
      }
      cb();
    });
  }
}
