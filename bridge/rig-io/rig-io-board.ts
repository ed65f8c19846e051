/**
 * The rig I/O board: an Arduino running StandardFirmata on a real bench (or rig/firmata-emulator.ts in
 * the fast and hil modes), driven with johnny-five over firmata-io on our own serialport stream and
 * binding (so the fault binding and the mock work here too). Relays power-cycle boards under test and
 * work the door; inputs read valve outputs back and the door switch.
 *
 * Relays are johnny-five `Relay`s. Inputs are read with the board's Firmata `digitalRead` (reported by
 * the board on change), not with johnny-five's `Pin`/`Switch`, which poll on an interval they never stop.
 *
 * Lifecycle: `RigIoBoard.open()` opens the port, waits for johnny-five's `ready` (Firmata's version,
 * firmware and capability handshake) and resolves; `close()` closes the port.
 */

import { EventEmitter } from 'node:events';
import { SerialPortStream } from '@serialport/stream';
import type { Relay } from 'johnny-five';
import type { Binding } from '../devices/binding.js';
import type { Clock } from '../clock.js';
import { BridgeError } from '../errors.js';

export interface RigIoOptions {
  path: string;
  binding: Binding;
  /** StandardFirmata's rate. Default 57600. */
  baudRate?: number;
  /** Relay name → digital pin, e.g. `{ "power.GB-0001": 2, "door": 3 }`. */
  relays: Record<string, number>;
  /** Input name → digital pin, e.g. `{ "readback.n2": 6, "door": 7 }`. */
  inputs: Record<string, number>;
  /** How long to wait for the Firmata handshake, ms of the clock. Default 10000. */
  readyTimeoutMs?: number;
  clock: Clock;
}

export interface RigIoEvents {
  /** An input changed (and once for each input when reporting starts). */
  input: [name: string, value: boolean];
  /** The port went away. */
  lost: [reason: string];
}

export class RigIoBoard extends EventEmitter<RigIoEvents> {
  private readonly port: SerialPortStream;
  private readonly relays = new Map<string, Relay>();
  private readonly inputValues = new Map<string, boolean>();
  private readonly opts: RigIoOptions;
  private closed = false;

  private constructor(port: SerialPortStream, opts: RigIoOptions) {
    super();
    this.port = port;
    this.opts = opts;
  }

  static async open(opts: RigIoOptions): Promise<RigIoBoard> {
    for (const [name, pin] of [...Object.entries(opts.relays), ...Object.entries(opts.inputs)]) {
      if (!Number.isInteger(pin) || pin < 0 || pin > 127) throw new RangeError(`rig I/O pin of "${name}" must be 0..127: ${pin}`);
    }
    // Loaded here, not at import: a bridge without a rig board does not pay for johnny-five.
    const five = (await import('johnny-five')).default;
    const firmata = (await import('firmata-io')).default;
    const port = new SerialPortStream({ binding: opts.binding, path: opts.path, baudRate: opts.baudRate ?? 57600, autoOpen: false });
    const rig = new RigIoBoard(port, opts);
    // Firmata first, then open: it hears the port's `open`, which johnny-five waits for.
    const io = new firmata.Firmata(port, { reportVersionTimeout: 2000 });
    const board = new five.Board({ io, repl: false, debug: false, sigint: false, timeout: opts.readyTimeoutMs ?? 10_000 });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = opts.clock.setTimeout(
        () => reject(new BridgeError('BRIDGE_ERR_LINK_CLOSED', 503, `rig I/O board on ${opts.path} did not finish the Firmata handshake within ${opts.readyTimeoutMs ?? 10_000} ms`)),
        opts.readyTimeoutMs ?? 10_000,
      );
      board.once('ready', () => {
        opts.clock.clearTimeout(timer);
        resolve();
      });
      board.once('error', (err: Error) => {
        opts.clock.clearTimeout(timer);
        reject(err);
      });
    });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    try {
      await ready;
    } catch (err) {
      await rig.close();
      throw err;
    }
    port.on('close', () => {
      if (!rig.closed) rig.emit('lost', 'port closed');
    });
    for (const [name, pin] of Object.entries(opts.relays)) {
      // johnny-five's Relay writes the pin but leaves its mode alone; StandardFirmata only drives OUTPUT pins.
      io.pinMode(pin, io.MODES.OUTPUT);
      rig.relays.set(name, new five.Relay({ pin, type: 'NO', board }));
    }
    for (const [name, pin] of Object.entries(opts.inputs)) {
      io.pinMode(pin, io.MODES.INPUT);
      io.digitalRead(pin, (value) => {
        const v = value === 1;
        if (rig.inputValues.get(name) === v) return;
        rig.inputValues.set(name, v);
        rig.emit('input', name, v);
      });
    }
    return rig;
  }

  private relay(name: string): Relay {
    const r = this.relays.get(name);
    if (!r) throw new BridgeError('BRIDGE_ERR_NOT_FOUND', 404, `no rig relay "${name}"; relays are ${[...this.relays.keys()].join(', ') || 'none'}`);
    return r;
  }

  /** Closes (energises) or opens a relay. */
  setRelay(name: string, closed: boolean): void {
    const r = this.relay(name);
    if (closed) r.close();
    else r.open();
  }

  relayClosed(name: string): boolean {
    return this.relay(name).isClosed;
  }

  /** An input's last reported value; undefined before the board reported it. */
  input(name: string): boolean | undefined {
    if (!(name in this.opts.inputs)) throw new BridgeError('BRIDGE_ERR_NOT_FOUND', 404, `no rig input "${name}"`);
    return this.inputValues.get(name);
  }

  /** Opens a board's power relay for `offMs` on the clock and closes it again: a power cycle. */
  powerCycle(name: string, offMs: number): Promise<void> {
    this.setRelay(name, false);
    return new Promise((resolve) =>
      this.opts.clock.setTimeout(() => {
        if (!this.closed) this.setRelay(name, true);
        resolve();
      }, offMs),
    );
  }

  state(): { relays: Record<string, boolean>; inputs: Record<string, boolean | null> } {
    return {
      relays: Object.fromEntries([...this.relays].map(([n, r]) => [n, r.isClosed])),
      inputs: Object.fromEntries(Object.keys(this.opts.inputs).map((n) => [n, this.inputValues.get(n) ?? null])),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
