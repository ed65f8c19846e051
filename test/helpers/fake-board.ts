/**
 * A board written in TypeScript on serialport's mock binding (or on the far end of a PTY pair), for tests
 * of the bridge: it answers HELLO, SET, CAL, REPLAY and STATUS as firmware/PROTOCOL.md says, keeps measuring
 * into a ring buffer while no host listens, counts its boots, and lets a test send readings or raw
 * garbage. The real firmware on a real PTY is tested in test/e2e.
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
  /** How the board answers CAL: 'ack' (with the calibration count, one more each time), a NAK code, or
   * 'silent'. Default 'ack'. */
  answerCal?: 'ack' | 'silent' | string;
  /** The boot counter sent in ID; undefined leaves `boot` out of ID, as older firmware does. Default 1. */
  boot?: number | undefined;
  /** Readings the ring keeps. Default 256 (the gasboard's). */
  ringSize?: number;
  /** false answers REPLAY and STATUS with NAK E_UNKNOWN, as firmware before them did. Default true. */
  replay?: boolean;
}

/** One reading in the board's ring. */
export interface FakeReading {
  seq: number;
  t: number;
  o2: string;
  co2: string;
  temp: string;
}

export class FakeBoard extends EventEmitter<{ line: [line: string] }> {
  /** Where the board is plugged in; moveFakeBoard changes it. */
  path: string;
  readonly serialNumber: string;
  boardMs: number;
  answerSet: string;
  answerCal: string;
  /** Calibrations stored (the count a CAL's ACK carries). */
  calCount = 0;
  /** Every line the bridge sent, without its newline. */
  readonly received: string[] = [];
  boot: number | undefined;
  readonly ringSize: number;
  replay: boolean;
  /** The newest readings, oldest first, at most `ringSize`. */
  readonly ring: FakeReading[] = [];
  /** True between a HELLO and the link going away: readings are sent only then. */
  streaming = false;
  /** Error counters reported in ST. */
  readonly counters = { crc: 0, syn: 0, long: 0, sto: 0, wdt: 0, drop: 0 };
  private mockPort: MockPortBinding | undefined;
  private sink: ((bytes: Buffer) => void) | undefined;
  private seq = 0;
  private readonly upAtBoardMs: number;

  constructor(path: string, options: FakeBoardOptions = {}) {
    super();
    this.path = path;
    this.serialNumber = options.serialNumber ?? 'GB-0001';
    this.boardMs = options.boardMs ?? 5000;
    this.upAtBoardMs = 0;
    this.answerSet = options.answerSet ?? 'ack';
    this.answerCal = options.answerCal ?? 'ack';
    this.boot = 'boot' in options ? options.boot : 1;
    this.ringSize = options.ringSize ?? 256;
    this.replay = options.replay ?? true;
  }

  /** The mock port the bridge opened for this board (set by fakeBoardBinding). */
  get port(): MockPortBinding | undefined {
    return this.mockPort;
  }

  set port(port: MockPortBinding | undefined) {
    this.mockPort = port;
    this.streaming = false;
    this.sink = port ? (bytes) => port.emitData(bytes) : undefined;
  }

  /** Connects the board to any byte sink (a PTY's far end); undefined disconnects it. */
  attach(sink: ((bytes: Buffer) => void) | undefined): void {
    this.mockPort = undefined;
    this.streaming = false;
    this.sink = sink;
  }

  /** Whether a host side is there to take bytes. */
  get connected(): boolean {
    if (this.mockPort) return this.mockPort.isOpen;
    return this.sink !== undefined;
  }

  /** The last seq taken (0 before the first reading of this boot). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Bytes as the board would put them on the wire. */
  sendRaw(data: string | Buffer): void {
    if (!this.sink || !this.connected) throw new Error(`fake board ${this.path} is not open`);
    this.sink(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  send(frame: Frame): void {
    this.sendRaw(encodeFrame(frame));
  }

  private readingFrame(r: FakeReading): Frame {
    return { type: 'RD', fields: [['seq', String(r.seq)], ['t', String(r.t)], ['o2', r.o2], ['co2', r.co2], ['temp', r.temp]] };
  }

  /**
   * Takes a reading `afterMs` after the last one into the ring, and sends it when a host is listening
   * (after HELLO, link up); returns its seq. The board measures whether or not anyone listens.
   */
  measure(values: { o2?: string; co2?: string; temp?: string } = {}, afterMs = 1000): number {
    this.seq++;
    this.boardMs += afterMs;
    const r: FakeReading = { seq: this.seq, t: this.boardMs, o2: values.o2 ?? '20.90', co2: values.co2 ?? '0.040', temp: values.temp ?? '1.50' };
    this.ring.push(r);
    if (this.ring.length > this.ringSize) this.ring.shift();
    if (this.streaming && this.connected) this.send(this.readingFrame(r));
    return this.seq;
  }

  /** Time passes on the board without a reading (its clock runs whatever the host's clock does). */
  elapse(ms: number): void {
    this.boardMs += ms;
  }

  /** Sends a reading measured `afterMs` after the last one; returns its seq. */
  sendReading(values: { o2?: string; co2?: string; temp?: string } = {}, afterMs = 1000): number {
    if (!this.connected) throw new Error(`fake board ${this.path} is not open`);
    this.streaming = true;
    return this.measure(values, afterMs);
  }

  /** Power-up again: the boot counter goes up, seq and ring start over, the board waits for HELLO. */
  powerCycle(boardMs = 1000): void {
    if (this.boot !== undefined) this.boot++;
    this.seq = 0;
    this.ring.length = 0;
    this.boardMs = boardMs;
    this.streaming = false;
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
          ...(this.boot !== undefined ? [['boot', String(this.boot)] as const] : []),
        ],
      });
      this.streaming = true;
    } else if (d.frame.type === 'SET') {
      if (this.answerSet === 'silent') return;
      if (this.answerSet === 'ack') this.send({ type: 'ACK', fields: [['id', id]] });
      else this.send({ type: 'NAK', fields: [['id', id], ['code', this.answerSet]] });
    } else if (d.frame.type === 'CAL') {
      if (this.answerCal === 'silent') return;
      if (this.answerCal !== 'ack') return this.send({ type: 'NAK', fields: [['id', id], ['code', this.answerCal]] });
      this.calCount++;
      this.send({ type: 'ACK', fields: [['id', id], ['cal', String(this.calCount)]] });
    } else if (d.frame.type === 'REPLAY' || d.frame.type === 'STATUS') {
      if (!this.replay) return this.send({ type: 'NAK', fields: [['id', id], ['code', 'E_UNKNOWN']] });
      if (d.frame.type === 'STATUS') return this.sendStatus(id);
      const from = Number(field(d.frame, 'from'));
      const to = Number(field(d.frame, 'to'));
      if (!Number.isInteger(from) || !Number.isInteger(to) || from > to || to - from + 1 > 1024) {
        return this.send({ type: 'NAK', fields: [['id', id], ['code', 'E_ARG']] });
      }
      const sent = this.ring.filter((r) => r.seq >= from && r.seq <= to);
      for (const r of sent) this.send(this.readingFrame(r));
      const ack: Array<[string, string]> = [['id', id], ['n', String(sent.length)]];
      if (sent.length > 0) ack.push(['from', String(sent[0]!.seq)], ['to', String(sent.at(-1)!.seq)]);
      this.send({ type: 'ACK', fields: ack });
    }
  }

  private sendStatus(id: string): void {
    this.send({
      type: 'ST',
      fields: [
        ['id', id],
        ['up', String(this.boardMs - this.upAtBoardMs)],
        ['boot', String(this.boot ?? 0)],
        ['seq', String(this.seq)],
        ['ring', String(this.ring.length)],
        ['crc', String(this.counters.crc)],
        ['syn', String(this.counters.syn)],
        ['long', String(this.counters.long)],
        ['sto', String(this.counters.sto)],
        ['wdt', String(this.counters.wdt)],
        ['drop', String(this.counters.drop)],
      ],
    });
  }
}

/** The mock ports open now, by path, so that a board can be moved to a port the bridge already has open. */
const openMockPorts = new Map<string, MockPortBinding>();

/**
 * Moves a board to another path, as a board unplugged and plugged into another USB socket: from now on it
 * talks on `path` (and on the port the bridge has open there, if any).
 */
export function moveFakeBoard(board: FakeBoard, path: string): void {
  board.path = path;
  const port = openMockPorts.get(path);
  board.port = port?.isOpen ? port : undefined;
}

/**
 * A binding that is serialport's MockBinding, except that what the bridge writes to a port goes to the
 * FakeBoard whose path it is. Answers are sent on a later tick, as a real board's would be. `emptyPaths`
 * are ports with nothing behind them (yet).
 */
export function fakeBoardBinding(boards: FakeBoard[], emptyPaths: string[] = []): Binding {
  MockBinding.reset();
  openMockPorts.clear();
  for (const path of [...boards.map((b) => b.path), ...emptyPaths]) MockBinding.createPort(path, { echo: false, record: false });
  return {
    ...MockBinding,
    list: () => MockBinding.list(),
    async open(options) {
      const port = await MockBinding.open(options);
      openMockPorts.set(options.path, port);
      const board = boards.find((b) => b.path === options.path);
      if (board) board.port = port;
      let pending = '';
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        pending += buffer.toString('latin1');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          setImmediate(() => {
            // A line still on its way when the port closed never reaches the board.
            const to = boards.find((b) => b.port === port);
            if (to && port.isOpen) to.onHostLine(line);
          });
        }
      };
      return port;
    },
  } as Binding;
}
