/**
 * Standard output whose reader may leave early, as `cellbench sim ... | head` does. When the reader has
 * gone, a write fails with EPIPE; a Unix tool then stops quietly, and so does the `cellbench` command: no
 * stack trace, no message, exit 0 (the reader took what it wanted).
 *
 * Short outputs go through process.stdout, whose EPIPE quietWhenStdoutCloses() swallows. A long output
 * made by a synchronous producer (the plant run) goes through StdoutChunks: its writes are synchronous, so
 * the output never piles up in memory faster than the reader takes it, and the first write after the
 * reader has gone throws StdoutClosedError, which stops the producer instead of letting it compute the rest.
 */

import { writeSync } from 'node:fs';

/** Thrown by StdoutChunks.write once stdout's reader has gone: the producer stops, the command returns 0. */
export class StdoutClosedError extends Error {
  constructor() {
    super('stdout was closed by its reader');
    this.name = 'StdoutClosedError';
  }
}

/** Whether a stream error means only that the reader went away. */
export function isClosedReaderError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

let installed = false;

/**
 * Makes a closed stdout quiet for the whole process: EPIPE (and writes after it) are swallowed, so what
 * is still written goes nowhere and the command ends on its own terms (the demo keeps running until
 * Ctrl-C or `--for`, and stops its processes as usual). Any other stdout error is said on stderr and makes
 * the exit code 1. Idempotent.
 */
export function quietWhenStdoutCloses(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (err: Error) => {
    if (isClosedReaderError(err)) return;
    process.exitCode = 1;
    process.stderr.write(`cellbench: cannot write to stdout: ${err.message}\n`);
  });
}

/** A 1 ms pause of this thread, for the rare pipe that stays non-blocking (EAGAIN). */
const pauseCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Collects text and writes it to stdout (fd 1) in chunks of about `chunkBytes` (default 64 KiB, one pipe's
 * buffer), synchronously: a long output neither sits in memory whole nor costs a write per line, and a
 * reader that has gone is noticed at the next chunk. Use it alone for a command's output: it bypasses
 * process.stdout's queue, so nothing should be waiting there.
 */
export class StdoutChunks {
  private pending: string[] = [];
  private pendingLength = 0;
  private closed = false;

  constructor(private readonly chunkBytes = 65_536) {
    // A pipe is non-blocking under libuv; blocking, a write waits for the reader as it does in any Unix
    // tool. (A file or a terminal already is; setBlocking is libuv's uv_stream_set_blocking.)
    const handle = (process.stdout as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })._handle;
    handle?.setBlocking?.(true);
  }

  /** Adds text; throws StdoutClosedError once stdout's reader has gone. */
  write(text: string): void {
    if (this.closed) throw new StdoutClosedError();
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= this.chunkBytes) this.flush();
  }

  /** Writes what is pending; throws StdoutClosedError once stdout's reader has gone. */
  flush(): void {
    if (this.closed) throw new StdoutClosedError();
    if (this.pendingLength === 0) return;
    const bytes = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(1, bytes, offset);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'EAGAIN') {
          Atomics.wait(pauseCell, 0, 0, 1);
          continue;
        }
        if (code === 'EPIPE') {
          this.closed = true;
          throw new StdoutClosedError();
        }
        throw err;
      }
    }
  }
}
