/**
 * A host's end of a board link for tests: sends command frames and waits for the board's frames as events,
 * never on the wall clock. Works on any serialport binding (the native one on a PTY, an in-memory one).
 */

import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream, type OpenOptions } from '@serialport/stream';
import { decodeFrame, encodeFrame, field, type Frame } from '../../../firmware/protocol/index.js';

export class BoardClient {
  /** Every line received, decoded or not, in order. */
  readonly lines: string[] = [];
  private readonly waiters: Array<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private readonly frames: Frame[] = [];
  private nextId = 1;

  private constructor(readonly port: SerialPortStream, firstId: number) {
    this.nextId = firstId;
    const parser = port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
    parser.on('data', (line: string) => this.onLine(line));
  }

  /** `firstId`: the id of the first command (default 1); pick one no other frame on the link uses. */
  static async open(path: string, binding: OpenOptions['binding'], firstId = 1): Promise<BoardClient> {
    const port = new SerialPortStream({ binding, path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return new BoardClient(port, firstId);
  }

  private onLine(line: string): void {
    this.lines.push(line);
    const r = decodeFrame(line);
    if (!r.ok) return;
    const i = this.waiters.findIndex((w) => w.test(r.frame));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(r.frame);
    else this.frames.push(r.frame);
  }

  /** The first frame (already received and not yet taken, or the next to come) for which `test` holds. */
  next(test: (f: Frame) => boolean): Promise<Frame> {
    const i = this.frames.findIndex(test);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** Forgets frames received so far that nobody took. */
  drop(): void {
    this.frames.length = 0;
  }

  /** Lines written so far (newlines sent): what a board's line counters must add up to. */
  linesWritten = 0;

  /** Writes raw bytes. */
  write(bytes: Buffer | string): void {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    for (const b of buf) if (b === 0x0a) this.linesWritten++;
    this.port.write(buf);
  }

  /** Sends a command with a fresh id; resolves with the frame that answers it (ACK, NAK, ID or ST). */
  async command(type: string, fields: Array<[string, string]> = []): Promise<Frame> {
    const id = String(this.nextId++);
    const answer = this.next((f) => ['ACK', 'NAK', 'ID', 'ST'].includes(f.type) && field(f, 'id') === id);
    this.write(encodeFrame({ type, fields: [['id', id], ...fields] }));
    return answer;
  }

  async close(): Promise<void> {
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

/** A frame's field as a number (NaN when absent or NA). */
export function num(f: Frame, key: string): number {
  const v = field(f, key);
  return v === undefined || v === 'NA' ? Number.NaN : Number(v);
}
