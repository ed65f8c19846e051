/**
 * One board on one serial path: opens the port, reads lines, performs the handshake, correlates command
 * answers by id, and reports readings. It never throws on what the board sends: every line is either a
 * frame or counted as rejected.
 *
 * Lifecycle (the state is `DeviceState`):
 *
 *   opening ──open ok──▶ identifying ──ID received──▶ open
 *      │                     │   ▲ HELLO again every handshakeTimeoutMs
 *      └──open failed──▶ closed   └──────────────┘
 *   identifying / open ──port closed or error──▶ lost      close() from any state ──▶ closed
 *
 * Reconnect with backoff after `lost`, and replay of the missed sequence range, come with issue 5.
 */

import { EventEmitter } from 'node:events';
import { SerialPortStream } from '@serialport/stream';
import type { Binding } from './binding.js';
import {
  commandFrame,
  decodeFrame,
  encodeFrame,
  MAX_LINE_BYTES,
  MessageError,
  PROTOCOL_VERSION,
  printable,
  toBoardMessage,
  type BoardMessage,
  type Command,
} from '../../firmware/protocol/index.js';
import { BridgeError } from '../errors.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { DeviceState } from '../events.js';
import { BoundedReadlineParser } from './bounded-readline-parser.js';

export interface BoardConnectionOptions {
  path: string;
  /** Default 115200, the protocol's rate. */
  baudRate?: number;
  binding: Binding;
  clock: Clock;
  /** How long to wait for ID after HELLO before sending HELLO again. Default 2000. */
  handshakeTimeoutMs?: number;
  /** How long a command waits for its ACK or NAK. Default 2000. */
  commandTimeoutMs?: number;
  /** Hands out command ids, unique across the bridge. */
  nextCommandId: () => number;
}

export type IdentityMessage = Extract<BoardMessage, { type: 'ID' }>;
export type ReadingMessage = Extract<BoardMessage, { type: 'RD' }>;

export type CommandOutcome = { outcome: 'ack'; id: number } | { outcome: 'nak'; id: number; code: string };

export interface BoardConnectionEvents {
  state: [state: DeviceState, reason: string];
  identified: [identity: IdentityMessage, atMs: number];
  reading: [reading: ReadingMessage, receivedAtMs: number];
  /** A line that was skipped; `code` is the codec's reject code or E_MESSAGE for a bad board message. */
  rejected: [code: string, detail: string];
  /** The board sent ERR: it rejected a line the bridge sent. */
  boardError: [code: string];
  commandSent: [id: number, command: Command, atMs: number];
  commandFinished: [id: number, outcome: 'ack' | 'nak' | 'timeout' | 'lost', atMs: number, nakCode?: string];
}

interface Pending {
  id: number;
  command: Command;
  resolve: (o: CommandOutcome) => void;
  reject: (e: Error) => void;
  timer: TimerHandle | undefined;
}

export class BoardConnection extends EventEmitter<BoardConnectionEvents> {
  readonly path: string;
  private readonly opts: Required<Omit<BoardConnectionOptions, 'binding' | 'clock' | 'nextCommandId' | 'path'>> &
    Pick<BoardConnectionOptions, 'binding' | 'clock' | 'nextCommandId'>;
  private port: SerialPortStream | undefined;
  private stateValue: DeviceState = 'closed';
  private helloId = 0;
  private helloTimer: TimerHandle | undefined;
  /** Commands waiting for their turn; the head is in flight once `inFlight` is set. */
  private readonly queue: Pending[] = [];
  private inFlight: Pending | undefined;
  identity: IdentityMessage | undefined;

  constructor(options: BoardConnectionOptions) {
    super();
    this.path = options.path;
    this.opts = {
      baudRate: 115200,
      handshakeTimeoutMs: 2000,
      commandTimeoutMs: 2000,
      ...options,
    };
  }

  get state(): DeviceState {
    return this.stateValue;
  }

  private setState(state: DeviceState, reason: string): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('state', state, reason);
  }

  /** Opens the port and starts the handshake. Resolves once the port is open (not once identified). */
  async open(): Promise<void> {
    if (this.port) throw new BridgeError('BRIDGE_ERR_INTERNAL', 500, `port ${this.path} is already open`);
    this.setState('opening', 'open requested');
    const port = new SerialPortStream({
      binding: this.opts.binding,
      path: this.path,
      baudRate: this.opts.baudRate,
      autoOpen: false,
    });
    this.port = port;
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      this.port = undefined;
      this.setState('closed', `open failed: ${(err as Error).message}`);
      throw err;
    }
    const parser = port.pipe(new BoundedReadlineParser({ maxLineBytes: MAX_LINE_BYTES }));
    parser.on('data', (line: string) => this.onLine(line));
    parser.on('overflow', () => this.emit('rejected', 'E_TOOLONG', `line longer than ${MAX_LINE_BYTES} bytes`));
    port.on('close', () => this.onLinkGone('port closed'));
    port.on('error', (err: Error) => this.onLinkGone(`port error: ${err.message}`));
    this.setState('identifying', 'port open');
    this.sendHello();
  }

  private sendHello(): void {
    if (this.stateValue !== 'identifying') return;
    this.helloId = this.opts.nextCommandId();
    this.writeLine(encodeFrame(commandFrame(this.helloId, { op: 'hello', proto: PROTOCOL_VERSION })));
    this.helloTimer = this.opts.clock.setTimeout(() => this.sendHello(), this.opts.handshakeTimeoutMs);
  }

  private writeLine(line: string): void {
    const port = this.port;
    if (!port || !port.isOpen) return;
    port.write(Buffer.from(line, 'latin1'));
  }

  private onLine(line: string): void {
    const decoded = decodeFrame(line);
    if (!decoded.ok) {
      this.emit('rejected', decoded.code, `${decoded.reason}: "${printable(line)}"`);
      return;
    }
    let msg: BoardMessage;
    try {
      msg = toBoardMessage(decoded.frame);
    } catch (err) {
      if (err instanceof MessageError) {
        this.emit('rejected', 'E_MESSAGE', err.message);
        return;
      }
      throw err;
    }
    this.onMessage(msg);
  }

  private onMessage(msg: BoardMessage): void {
    const now = this.opts.clock.now();
    switch (msg.type) {
      case 'ID':
        if (msg.id !== this.helloId) {
          this.emit('rejected', 'E_MESSAGE', `ID answers HELLO id=${msg.id}, expected id=${this.helloId}`);
          return;
        }
        if (this.helloTimer) this.opts.clock.clearTimeout(this.helloTimer);
        this.helloTimer = undefined;
        this.identity = msg;
        this.emit('identified', msg, now);
        this.setState('open', `identified as ${msg.serialNumber}`);
        this.pump();
        return;
      case 'RD':
        if (this.stateValue !== 'open') {
          this.emit('rejected', 'E_MESSAGE', `reading seq=${msg.seq} before the handshake`);
          return;
        }
        this.emit('reading', msg, now);
        return;
      case 'ACK':
      case 'NAK':
        this.onAnswer(msg, now);
        return;
      case 'ERR':
        this.emit('boardError', msg.code);
        return;
    }
  }

  private onAnswer(msg: Extract<BoardMessage, { type: 'ACK' | 'NAK' }>, now: number): void {
    const p = this.inFlight;
    if (!p || p.id !== msg.id) {
      this.emit('rejected', 'E_MESSAGE', `${msg.type} id=${msg.id} answers no command in flight`);
      return;
    }
    if (p.timer) this.opts.clock.clearTimeout(p.timer);
    this.inFlight = undefined;
    if (msg.type === 'ACK') {
      this.emit('commandFinished', p.id, 'ack', now);
      p.resolve({ outcome: 'ack', id: p.id });
    } else {
      this.emit('commandFinished', p.id, 'nak', now, msg.code);
      p.resolve({ outcome: 'nak', id: p.id, code: msg.code });
    }
    this.pump();
  }

  /**
   * Sends a command; resolves with its ACK or NAK. Commands go one at a time, in order. Rejects with
   * BRIDGE_ERR_COMMAND_TIMEOUT when no answer comes in time, BRIDGE_ERR_LINK_CLOSED when the link goes.
   */
  send(command: Command): Promise<CommandOutcome> {
    if (this.stateValue !== 'open') {
      return Promise.reject(
        new BridgeError('BRIDGE_ERR_DEVICE_NOT_OPEN', 409, `board on ${this.path} is "${this.stateValue}"; cannot send ${command.op}`),
      );
    }
    return new Promise<CommandOutcome>((resolve, reject) => {
      this.queue.push({ id: 0, command, resolve, reject, timer: undefined });
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight || this.stateValue !== 'open') return;
    const next = this.queue.shift();
    if (!next) return;
    next.id = this.opts.nextCommandId();
    this.inFlight = next;
    const now = this.opts.clock.now();
    this.emit('commandSent', next.id, next.command, now);
    next.timer = this.opts.clock.setTimeout(() => {
      if (this.inFlight !== next) return;
      this.inFlight = undefined;
      this.emit('commandFinished', next.id, 'timeout', this.opts.clock.now());
      next.reject(
        new BridgeError(
          'BRIDGE_ERR_COMMAND_TIMEOUT',
          504,
          `board on ${this.path} did not answer command id=${next.id} (${next.command.op}) within ${this.opts.commandTimeoutMs} ms`,
        ),
      );
      this.pump();
    }, this.opts.commandTimeoutMs);
    this.writeLine(encodeFrame(commandFrame(next.id, next.command)));
  }

  private failPending(reason: string): void {
    const now = this.opts.clock.now();
    const all = this.inFlight ? [this.inFlight, ...this.queue] : [...this.queue];
    this.inFlight = undefined;
    this.queue.length = 0;
    for (const p of all) {
      if (p.timer) this.opts.clock.clearTimeout(p.timer);
      if (p.id) this.emit('commandFinished', p.id, 'lost', now);
      p.reject(new BridgeError('BRIDGE_ERR_LINK_CLOSED', 503, `link to ${this.path} closed before the answer: ${reason}`));
    }
  }

  private onLinkGone(reason: string): void {
    if (this.stateValue === 'closed' || this.stateValue === 'lost') return;
    if (this.helloTimer) this.opts.clock.clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.failPending(reason);
    this.port = undefined;
    this.setState('lost', reason);
  }

  /** Closes the port; pending commands fail with BRIDGE_ERR_LINK_CLOSED. */
  async close(): Promise<void> {
    if (this.helloTimer) this.opts.clock.clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.failPending('closed by the bridge');
    const port = this.port;
    this.port = undefined;
    this.setState('closed', 'closed by the bridge');
    if (port?.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }
}
