/**
 * One board on one serial path: opens the port, reads lines, performs the handshake, correlates command
 * answers by id, reports readings, and reconnects with backoff when the link goes. It never throws on
 * what the board sends: every line is either a frame or counted as rejected.
 *
 * Lifecycle (the state is `DeviceState`):
 *
 *   closed ──start()──▶ opening ──open ok──▶ identifying ──ID received──▶ open ◀──ID──┐
 *                        ▲  │                    │   ▲ HELLO again every         │        │
 *                        │  │ open failed        └───┘ handshakeTimeoutMs         │        │
 *                        │  │                                 no frame for silenceMs,      │
 *                        │  │                                 or an unsolicited ID ▼       │
 *                        │  │                                              silent ─HELLO───┘
 *                        │  ▼                                 identifying / open / silent
 *                        └─ lost ◀──────── port closed, error or unplugged ─┘
 *                 (after backoffMs, doubling per failed attempt up to maxBackoffMs; reset once open)
 *
 *   close() from any state ──▶ closed (no more reconnects)
 *
 * `silent` is a board that reset (or hung) behind a port that stays open, as a USB–serial adapter powered
 * from the host does: no valid frame for `silenceMs` while open, or an `ID` nobody asked for (a board that
 * announces its power-up). The bridge greets it again with HELLO every handshakeTimeoutMs; commands in
 * flight fail, and the board's values are unknown until its ID (the device manager then decides whether
 * it is the same power-up).
 *
 * Commands go one at a time (one in flight), each with a fresh id; an answer is matched to the command
 * in flight by its id. A command that gets no answer within commandTimeoutMs on the injected clock is
 * sent again with a new id if it is idempotent (up to `retries` times), else it fails with
 * BRIDGE_ERR_COMMAND_TIMEOUT. While a REPLAY is in flight every RD is a replayed reading, and each one
 * re-arms the REPLAY's timeout: a long replay is slow, not dead.
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
import { LineSplitter } from './bounded-readline-parser.js';

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
  /** How often an idempotent command is sent again after a timeout. Default 2. */
  retries?: number;
  /** Reopen the port after it was lost or failed to open. Default true. */
  reconnect?: boolean;
  /** Wait before the first reopen. Default 250. */
  backoffMs?: number;
  /** Longest wait between reopens. Default 30000. */
  maxBackoffMs?: number;
  /**
   * No valid frame for this long while open makes the link `silent` (see above). Default 30000, until
   * `expectFramesEveryMs` says how often the board reports.
   */
  silenceMs?: number;
  /** Hands out command ids, unique across the bridge. */
  nextCommandId: () => number;
}

export type IdentityMessage = Extract<BoardMessage, { type: 'ID' }>;
export type ReadingMessage = Extract<BoardMessage, { type: 'RD' }>;
export type StatusMessage = Extract<BoardMessage, { type: 'ST' }>;

export type CommandOutcome =
  /** `cal`: the board's calibration count after a `cal` command (its ACK's `cal`). */
  | { outcome: 'ack'; id: number; replay?: { n: number; from?: number; to?: number }; cal?: number }
  | { outcome: 'nak'; id: number; code: string }
  | { outcome: 'status'; id: number; status: StatusMessage };

export type FinishedOutcome = 'ack' | 'nak' | 'timeout' | 'lost';

export interface BoardConnectionEvents {
  state: [state: DeviceState, reason: string];
  identified: [identity: IdentityMessage, atMs: number];
  /** `replayed` is true for a reading sent as the answer to REPLAY. */
  reading: [reading: ReadingMessage, receivedAtMs: number, replayed: boolean];
  /** A line that was skipped; `code` is the codec's reject code or E_MESSAGE for a bad board message. */
  rejected: [code: string, detail: string];
  /** The board sent ERR: it rejected a line the bridge sent. */
  boardError: [code: string];
  /** A valid answer (ACK, NAK, ST) was matched to its command. */
  answer: [];
  /** `retryOf` is the id of the attempt this one repeats; `actor` who asked for the command. */
  commandSent: [id: number, command: Command, atMs: number, retryOf: number | undefined, actor: string | undefined];
  commandFinished: [id: number, outcome: FinishedOutcome, atMs: number, nakCode?: string];
  /** An open attempt failed; a reopen is scheduled after `retryInMs` (or none when closed). */
  openFailed: [message: string, retryInMs: number | undefined];
  /** A valid frame nobody asked for that says something about the board (an `ID` while open). */
  unsolicited: [type: 'ID'];
}

interface Pending {
  id: number;
  command: Command;
  actor: string | undefined;
  attempt: number;
  resolve: (o: CommandOutcome) => void;
  reject: (e: Error) => void;
  timer: TimerHandle | undefined;
}

/** Commands that do the same when they arrive twice, so a timed-out one may be sent again. */
export function isIdempotent(command: Command): boolean {
  switch (command.op) {
    case 'hello':
    case 'set_valve':
    case 'replay':
    case 'status':
    // Absolute settings: the same setpoints or loop state twice is the same state.
    case 'setpoint':
    case 'loop':
      return true;
    case 'cal':
      // A zero or span stored twice moves the calibration count on (and a span taken twice, on a sensor that
      // moved meanwhile, is another calibration): never sent again after a timeout.
      return false;
    default:
      // A command added later is not retried until someone decides it is safe to send twice.
      return false;
  }
}

export class BoardConnection extends EventEmitter<BoardConnectionEvents> {
  readonly path: string;
  private readonly opts: Required<Omit<BoardConnectionOptions, 'binding' | 'clock' | 'nextCommandId' | 'path'>> &
    Pick<BoardConnectionOptions, 'binding' | 'clock' | 'nextCommandId'>;
  private port: SerialPortStream | undefined;
  private stateValue: DeviceState = 'closed';
  private helloId = 0;
  private helloTimer: TimerHandle | undefined;
  private reopenTimer: TimerHandle | undefined;
  private silenceTimer: TimerHandle | undefined;
  private silenceMsValue: number;
  private lastFrameMs = 0;
  private failedOpens = 0;
  private stopped = true;
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
      retries: 2,
      reconnect: true,
      backoffMs: 250,
      maxBackoffMs: 30_000,
      silenceMs: 30_000,
      ...options,
    };
    this.silenceMsValue = this.opts.silenceMs;
    if (!(this.opts.backoffMs > 0)) throw new RangeError(`"backoffMs" must be positive: ${this.opts.backoffMs}`);
    if (!Number.isInteger(this.opts.retries) || this.opts.retries < 0) throw new RangeError(`"retries" must be a whole number ≥ 0: ${this.opts.retries}`);
  }

  get state(): DeviceState {
    return this.stateValue;
  }

  /** How long without a valid frame makes the link silent, ms. */
  get silenceMs(): number {
    return this.silenceMsValue;
  }

  /**
   * The board reports every `periodMs` (the device manager learns it from the readings): silence is then a
   * few periods, 3 periods plus a second, and at least 3 s.
   */
  expectFramesEveryMs(periodMs: number): void {
    if (!(periodMs > 0) || !Number.isFinite(periodMs)) return;
    this.silenceMsValue = Math.max(3000, Math.round(3 * periodMs + 1000));
    if (this.silenceTimer) {
      // The pending check was armed for the old length: arm it again from the last frame.
      this.opts.clock.clearTimeout(this.silenceTimer);
      this.silenceTimer = undefined;
      const last = this.lastFrameMs;
      this.armSilence();
      this.lastFrameMs = last;
    }
  }

  /**
   * Notes a frame and makes sure a silence check is pending. One timer per silence period, not one per
   * frame: when it fires early (frames came meanwhile) it is armed again for the rest.
   */
  private armSilence(now = this.opts.clock.now()): void {
    const clock = this.opts.clock;
    this.lastFrameMs = now;
    if (this.silenceTimer) return;
    const check = (): void => {
      this.silenceTimer = undefined;
      if (this.stateValue !== 'open') return;
      const quietMs = clock.now() - this.lastFrameMs;
      if (quietMs >= this.silenceMsValue) this.goSilent(`no frame for ${quietMs} ms`);
      else this.silenceTimer = clock.setTimeout(check, this.silenceMsValue - quietMs);
    };
    this.silenceTimer = clock.setTimeout(check, this.silenceMsValue);
  }

  private stopSilence(): void {
    if (this.silenceTimer) this.opts.clock.clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }

  /** The board stopped talking or announced a reset: greet it again. */
  private goSilent(reason: string): void {
    if (this.stateValue !== 'open') return;
    this.stopSilence();
    this.failPending(`board went silent: ${reason}`);
    this.setState('silent', reason);
    this.sendHello();
  }

  private setState(state: DeviceState, reason: string): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('state', state, reason);
  }

  /** Starts the lifecycle: opens the port now and keeps reopening it until close(). Never throws. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attemptOpen();
  }

  /**
   * Opens the port and starts the handshake. Resolves once the port is open (not once identified);
   * rejects when it cannot be opened (and, with `reconnect`, a reopen is scheduled).
   */
  async open(): Promise<void> {
    this.stopped = false;
    const err = await this.attemptOpen();
    if (err) throw err;
  }

  private backoffDelayMs(): number {
    const exp = Math.min(this.failedOpens, 20);
    return Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** exp);
  }

  private scheduleReopen(): number | undefined {
    if (this.stopped || !this.opts.reconnect || this.reopenTimer) return undefined;
    const delay = this.backoffDelayMs();
    this.failedOpens++;
    this.reopenTimer = this.opts.clock.setTimeout(() => {
      this.reopenTimer = undefined;
      void this.attemptOpen();
    }, delay);
    return delay;
  }

  private async attemptOpen(): Promise<Error | undefined> {
    if (this.port || this.stopped) return undefined;
    this.setState('opening', this.failedOpens === 0 ? 'open requested' : `reopen attempt ${this.failedOpens}`);
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
      if (this.port === port) this.port = undefined;
      if (this.stopped) return err as Error;
      this.setState('lost', `open failed: ${(err as Error).message}`);
      const retryInMs = this.scheduleReopen();
      this.emit('openFailed', (err as Error).message, retryInMs);
      return err as Error;
    }
    if (this.stopped || this.port !== port) {
      // close() ran while the port was opening.
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
      return undefined;
    }
    // The port's chunks go straight to the line splitter (bounded-readline-parser.ts), each line to onLine as
    // soon as it is complete: a Transform stream in between would cost more than decoding the line.
    const lines = new LineSplitter(
      { maxLineBytes: MAX_LINE_BYTES },
      (line) => {
        if (this.port === port) this.onLine(line);
      },
      () => this.emit('rejected', 'E_TOOLONG', `line longer than ${MAX_LINE_BYTES} bytes`),
    );
    port.on('data', (chunk: Buffer) => lines.push(chunk));
    port.on('close', () => this.onLinkGone(port, 'port closed'));
    port.on('error', (err: Error) => this.onLinkGone(port, `port error: ${err.message}`));
    this.setState('identifying', 'port open');
    this.sendHello();
    return undefined;
  }

  private sendHello(): void {
    if (this.stateValue !== 'identifying' && this.stateValue !== 'silent') return;
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
    if (this.stateValue === 'open') this.armSilence(now);
    switch (msg.type) {
      case 'ID':
        if (this.stateValue === 'open') {
          // Nobody asked: the board restarted and announces itself. It is a frame, and evidence.
          this.emit('unsolicited', 'ID');
          this.goSilent(`unsolicited ID (id=${msg.id}): the board restarted`);
          return;
        }
        if ((this.stateValue !== 'identifying' && this.stateValue !== 'silent') || msg.id !== this.helloId) {
          this.emit('rejected', 'E_MESSAGE', `ID answers HELLO id=${msg.id}, expected id=${this.helloId}`);
          return;
        }
        if (this.helloTimer) this.opts.clock.clearTimeout(this.helloTimer);
        this.helloTimer = undefined;
        this.failedOpens = 0;
        this.identity = msg;
        this.emit('identified', msg, now);
        this.setState('open', `identified as ${msg.serialNumber}`);
        this.armSilence();
        this.pump();
        return;
      case 'RD': {
        if (this.stateValue !== 'open') {
          this.emit('rejected', 'E_MESSAGE', `reading seq=${msg.seq} before the handshake`);
          return;
        }
        const p = this.inFlight;
        const replayed = p?.command.op === 'replay';
        if (replayed) this.armTimeout(p); // progress: the replay is alive
        this.emit('reading', msg, now, replayed);
        return;
      }
      case 'ACK':
      case 'NAK':
      case 'ST':
        this.onAnswer(msg, now);
        return;
      case 'ERR':
        this.emit('boardError', msg.code);
        return;
    }
  }

  private onAnswer(msg: Extract<BoardMessage, { type: 'ACK' | 'NAK' | 'ST' }>, now: number): void {
    const p = this.inFlight;
    if (!p || p.id !== msg.id) {
      this.emit('rejected', 'E_MESSAGE', `${msg.type} id=${msg.id} answers no command in flight`);
      return;
    }
    // NAK answers any command; STATUS is answered by ST instead of ACK, every other command by ACK.
    if (msg.type !== 'NAK' && (msg.type === 'ST') !== (p.command.op === 'status')) {
      this.emit('rejected', 'E_MESSAGE', `${msg.type} id=${msg.id} is not an answer to ${p.command.op}`);
      return;
    }
    if (p.timer) this.opts.clock.clearTimeout(p.timer);
    this.inFlight = undefined;
    this.emit('answer');
    if (msg.type === 'ACK') {
      this.emit('commandFinished', p.id, 'ack', now);
      p.resolve({
        outcome: 'ack',
        id: p.id,
        ...(msg.replay ? { replay: msg.replay } : {}),
        ...(msg.cal !== undefined && p.command.op === 'cal' ? { cal: msg.cal } : {}),
      });
    } else if (msg.type === 'ST') {
      this.emit('commandFinished', p.id, 'ack', now);
      p.resolve({ outcome: 'status', id: p.id, status: msg });
    } else {
      this.emit('commandFinished', p.id, 'nak', now, msg.code);
      p.resolve({ outcome: 'nak', id: p.id, code: msg.code });
    }
    this.pump();
  }

  /**
   * Sends a command; resolves with its ACK, NAK or ST. Commands go one at a time, in order. Rejects with
   * BRIDGE_ERR_COMMAND_TIMEOUT when no answer comes in time (after the retries of an idempotent command),
   * BRIDGE_ERR_LINK_CLOSED when the link goes first, BRIDGE_ERR_DEVICE_NOT_OPEN when it is not open.
   */
  send(command: Command, actor?: string): Promise<CommandOutcome> {
    if (this.stateValue !== 'open') {
      return Promise.reject(
        new BridgeError('BRIDGE_ERR_DEVICE_NOT_OPEN', 409, `board on ${this.path} is "${this.stateValue}"; cannot send ${command.op}`),
      );
    }
    return new Promise<CommandOutcome>((resolve, reject) => {
      this.queue.push({ id: 0, command, actor, attempt: 0, resolve, reject, timer: undefined });
      this.pump();
    });
  }

  /** Commands waiting, including the one in flight. */
  get queued(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  private pump(): void {
    if (this.inFlight || this.stateValue !== 'open') return;
    const next = this.queue.shift();
    if (!next) return;
    this.transmit(next, undefined);
  }

  private transmit(p: Pending, retryOf: number | undefined): void {
    p.id = this.opts.nextCommandId();
    this.inFlight = p;
    this.emit('commandSent', p.id, p.command, this.opts.clock.now(), retryOf, p.actor);
    this.armTimeout(p);
    this.writeLine(encodeFrame(commandFrame(p.id, p.command)));
  }

  private armTimeout(p: Pending): void {
    if (p.timer) this.opts.clock.clearTimeout(p.timer);
    p.timer = this.opts.clock.setTimeout(() => this.onTimeout(p), this.opts.commandTimeoutMs);
  }

  private onTimeout(p: Pending): void {
    if (this.inFlight !== p) return;
    p.timer = undefined;
    this.emit('commandFinished', p.id, 'timeout', this.opts.clock.now());
    if (isIdempotent(p.command) && p.attempt < this.opts.retries) {
      p.attempt++;
      this.transmit(p, p.id);
      return;
    }
    this.inFlight = undefined;
    const tries = p.attempt + 1;
    p.reject(
      new BridgeError(
        'BRIDGE_ERR_COMMAND_TIMEOUT',
        504,
        `board on ${this.path} did not answer command id=${p.id} (${p.command.op}) within ${this.opts.commandTimeoutMs} ms` +
          (tries > 1 ? ` (${tries} attempts)` : ''),
        { details: { commandId: p.id, attempts: tries } },
      ),
    );
    this.pump();
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

  private onLinkGone(port: SerialPortStream, reason: string): void {
    if (this.port !== port) return;
    if (this.helloTimer) this.opts.clock.clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.stopSilence();
    this.port = undefined;
    this.failPending(reason);
    if (port.isOpen) port.close(() => undefined);
    if (this.stopped) return;
    this.setState('lost', reason);
    this.scheduleReopen();
  }

  /** Closes the port and stops reconnecting; pending commands fail with BRIDGE_ERR_LINK_CLOSED. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.helloTimer) this.opts.clock.clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.stopSilence();
    if (this.reopenTimer) this.opts.clock.clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    this.failPending('closed by the bridge');
    const port = this.port;
    this.port = undefined;
    this.setState('closed', 'closed by the bridge');
    if (port?.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }
}
