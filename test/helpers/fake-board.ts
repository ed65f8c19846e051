/**
 * A board written in TypeScript on serialport's mock binding, for unit tests of the bridge: it answers
 * HELLO and SET as firmware/PROTOCOL.md says, and lets a test send readings or raw garbage. The real
 * firmware on a real PTY is tested in test/e2e.
 */

import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import { EventEmitter } from 'node:events';
import { decodeFrame, encodeFrame, field, type Frame } from '../../firmware/protocol/index.js';
import type { Binding } from '../../bridge/index.js';

export interface FakeBoardOptions {
  serialNumber?: string;
  /** The board's clock at the handshake. Default 5000. */
  boardMs?: number;
  /** How the board answers SET: 'ack', a NAK code, or 'silent'. Default 'ack'. */
  answerSet?: 'ack' | 'silent' | string;
}

export class FakeBoard extends EventEmitter<{ line: [line: string] }> {
  readonly path: string;
  readonly serialNumber: string;
  boardMs: number;
  answerSet: string;
  /** Every line the bridge sent, without its newline. */
  readonly received: string[] = [];
  port: MockPortBinding | undefined;
  private seq = 0;

  constructor(path: string, options: FakeBoardOptions = {}) {
    super();
    this.path = path;
    this.serialNumber = options.serialNumber ?? 'GB-0001';
    this.boardMs = options.boardMs ?? 5000;
    this.answerSet = options.answerSet ?? 'ack';
  }

  /** Bytes as the board would put them on the wire. */
  sendRaw(data: string | Buffer): void {
    if (!this.port) throw new Error(`fake board ${this.path} is not open`);
    this.port.emitData(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  send(frame: Frame): void {
    this.sendRaw(encodeFrame(frame));
  }

  /** Sends a reading measured `afterMs` after the last one; returns its seq. */
  sendReading(values: { o2?: string; co2?: string; temp?: string } = {}, afterMs = 1000): number {
    this.seq++;
    this.boardMs += afterMs;
    this.send({
      type: 'RD',
      fields: [
        ['seq', String(this.seq)],
        ['t', String(this.boardMs)],
        ['o2', values.o2 ?? '20.90'],
        ['co2', values.co2 ?? '0.040'],
        ['temp', values.temp ?? '1.50'],
      ],
    });
    return this.seq;
  }

  /** Called with every complete line the bridge wrote. */
  onHostLine(line: string): void {
    this.received.push(line);
    this.emit('line', line);
    const d = decodeFrame(line);
    if (!d.ok) return;
    const id = field(d.frame, 'id') ?? '0';
    if (d.frame.type === 'HELLO') {
      this.send({
        type: 'ID',
        fields: [
          ['id', id],
          ['kind', 'gasboard'],
          ['fw', '0.1.0'],
          ['sn', this.serialNumber],
          ['proto', '1'],
          ['caps', 'o2,co2,temp,valve.n2,valve.air,valve.scrub'],
          ['t', String(this.boardMs)],
        ],
      });
    } else if (d.frame.type === 'SET') {
      if (this.answerSet === 'silent') return;
      if (this.answerSet === 'ack') this.send({ type: 'ACK', fields: [['id', id]] });
      else this.send({ type: 'NAK', fields: [['id', id], ['code', this.answerSet]] });
    }
  }
}

/**
 * A binding that is serialport's MockBinding, except that what the bridge writes to a port goes to the
 * FakeBoard registered for that path. Answers are sent on a later tick, as a real board's would be.
 */
export function fakeBoardBinding(boards: FakeBoard[]): Binding {
  MockBinding.reset();
  const byPath = new Map(boards.map((b) => [b.path, b]));
  for (const b of boards) MockBinding.createPort(b.path, { echo: false, record: false });
  return {
    ...MockBinding,
    list: () => MockBinding.list(),
    async open(options) {
      const port = await MockBinding.open(options);
      const board = byPath.get(options.path);
      if (board) {
        board.port = port;
        let pending = '';
        const write = port.write.bind(port);
        port.write = async (buffer: Buffer) => {
          await write(buffer);
          pending += buffer.toString('latin1');
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            setImmediate(() => board.onHostLine(line));
          }
        };
      }
      return port;
    },
  } as Binding;
}
