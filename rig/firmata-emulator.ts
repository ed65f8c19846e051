/**
 * A rig I/O board that speaks Firmata (the StandardFirmata subset johnny-five uses), for the fast and hil
 * modes and the tests: it answers the version, firmware, capability, analog-mapping and pin-state queries,
 * takes pin modes and digital writes, and reports digital inputs. Its relays act through `output` events
 * (the simulator, or a test, listens), its inputs are set with `setInput` (a door switch), and `wiring`
 * connects an output pin to an input pin, as a bench reads a valve output back.
 *
 * It is a byte-level device: feed it what the host writes with `receive`, and `attach` a sink for what it
 * sends. `attachFirmataEmulatorToPort` puts it on a serial port (e.g. the far end of a PTY pair).
 */

import { EventEmitter } from 'node:events';

const DIGITAL_MESSAGE = 0x90;
const ANALOG_MESSAGE = 0xe0;
const REPORT_ANALOG = 0xc0;
const REPORT_DIGITAL = 0xd0;
const SET_PIN_MODE = 0xf4;
const SET_DIGITAL_PIN_VALUE = 0xf5;
const REPORT_VERSION = 0xf9;
const SYSTEM_RESET = 0xff;
const START_SYSEX = 0xf0;
const END_SYSEX = 0xf7;
const QUERY_FIRMWARE = 0x79;
const CAPABILITY_QUERY = 0x6b;
const CAPABILITY_RESPONSE = 0x6c;
const ANALOG_MAPPING_QUERY = 0x69;
const ANALOG_MAPPING_RESPONSE = 0x6a;
const PIN_STATE_QUERY = 0x6d;
const PIN_STATE_RESPONSE = 0x6e;
const SAMPLING_INTERVAL = 0x7a;

export const FIRMATA_MODES = { INPUT: 0x00, OUTPUT: 0x01, ANALOG: 0x02, PULLUP: 0x0b } as const;

/** The longest sysex message taken; longer ones are dropped (a bounded buffer, as on the board). */
const MAX_SYSEX_BYTES = 256;

export interface FirmataEmulatorOptions {
  /** Digital pins 0..pinCount-1. Default 20 (an Uno: 14 digital + 6 analog). */
  pinCount?: number;
  /** Pins that are also analog inputs, in channel order. Default [14..19]. */
  analogPins?: number[];
  /** Output pin → input pin: writing the output sets the input, as a read-back wire does. Default {}. */
  wiring?: Record<number, number>;
  /** Firmware name reported. Default 'cellbench-rig-io'. */
  firmwareName?: string;
}

export interface FirmataEmulatorEvents {
  /** A pin in OUTPUT mode changed, e.g. a relay closed. */
  output: [pin: number, value: 0 | 1];
  mode: [pin: number, mode: number];
}

export class FirmataEmulator extends EventEmitter<FirmataEmulatorEvents> {
  readonly pinCount: number;
  readonly analogPins: number[];
  private readonly wiring: Record<number, number>;
  private readonly firmwareName: string;
  private readonly modes: number[];
  private readonly values: Array<0 | 1>;
  private readonly reportPorts = new Set<number>();
  private sink: ((bytes: Buffer) => void) | undefined;
  private pending: number[] = [];
  private inSysex = false;
  /** Bytes the parser dropped as not Firmata. */
  garbageBytes = 0;

  constructor(options: FirmataEmulatorOptions = {}) {
    super();
    this.pinCount = options.pinCount ?? 20;
    this.analogPins = options.analogPins ?? [14, 15, 16, 17, 18, 19];
    this.wiring = options.wiring ?? {};
    this.firmwareName = options.firmwareName ?? 'cellbench-rig-io';
    this.modes = Array.from({ length: this.pinCount }, () => FIRMATA_MODES.INPUT);
    this.values = Array.from({ length: this.pinCount }, () => 0 as const);
  }

  /** Connects the board's transmit line; on connect it announces itself, as StandardFirmata does at reset. */
  attach(sink: ((bytes: Buffer) => void) | undefined): void {
    this.sink = sink;
    this.pending = [];
    this.inSysex = false;
    this.reportPorts.clear();
    if (sink) {
      this.sendVersion();
      this.sendFirmware();
    }
  }

  /** The level of a pin (an output's last write, an input's last set). */
  pin(pin: number): 0 | 1 {
    return this.values[pin] ?? 0;
  }

  mode(pin: number): number {
    return this.modes[pin] ?? FIRMATA_MODES.INPUT;
  }

  /** Drives an input pin, e.g. the door switch. Reported when its port is reported. */
  setInput(pin: number, value: boolean): void {
    this.checkPin(pin);
    this.values[pin] = value ? 1 : 0;
    this.reportPort(pin >> 3);
  }

  private checkPin(pin: number): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= this.pinCount) throw new RangeError(`pin must be 0..${this.pinCount - 1}: ${pin}`);
  }

  private send(bytes: number[]): void {
    this.sink?.(Buffer.from(bytes));
  }

  private sendVersion(): void {
    this.send([REPORT_VERSION, 2, 5]);
  }

  private sendFirmware(): void {
    const name: number[] = [];
    for (const ch of Buffer.from(this.firmwareName, 'ascii')) name.push(ch & 0x7f, (ch >> 7) & 0x7f);
    this.send([START_SYSEX, QUERY_FIRMWARE, 2, 5, ...name, END_SYSEX]);
  }

  private reportPort(port: number): void {
    if (!this.reportPorts.has(port)) return;
    let v = 0;
    for (let i = 0; i < 8; i++) {
      const pin = port * 8 + i;
      if (pin >= this.pinCount) break;
      const m = this.modes[pin];
      if ((m === FIRMATA_MODES.INPUT || m === FIRMATA_MODES.PULLUP) && this.values[pin]) v |= 1 << i;
    }
    this.send([DIGITAL_MESSAGE | port, v & 0x7f, (v >> 7) & 0x7f]);
  }

  private write(pin: number, value: 0 | 1): void {
    if (pin < 0 || pin >= this.pinCount || this.modes[pin] !== FIRMATA_MODES.OUTPUT) return;
    if (this.values[pin] === value) return;
    this.values[pin] = value;
    this.emit('output', pin, value);
    const to = this.wiring[pin];
    if (to !== undefined) this.setInput(to, value === 1);
  }

  /** Bytes the host wrote. Never throws: what is not Firmata is counted and dropped. */
  receive(bytes: Buffer | Uint8Array): void {
    for (const b of bytes) this.byte(b);
  }

  private byte(b: number): void {
    if (this.inSysex) {
      if (b === END_SYSEX) {
        this.inSysex = false;
        this.sysex(this.pending);
        this.pending = [];
      } else if (this.pending.length >= MAX_SYSEX_BYTES) {
        this.garbageBytes += this.pending.length;
        this.inSysex = false;
        this.pending = [];
      } else this.pending.push(b);
      return;
    }
    if (b === START_SYSEX) {
      this.inSysex = true;
      this.pending = [];
      return;
    }
    if (b & 0x80) {
      if (this.pending.length > 0) this.garbageBytes += this.pending.length;
      this.pending = [b];
    } else if (this.pending.length > 0) {
      this.pending.push(b);
    } else {
      this.garbageBytes++;
      return;
    }
    const cmd = this.pending[0]!;
    const need = cmd === REPORT_VERSION || cmd === SYSTEM_RESET ? 1 : (cmd & 0xf0) === REPORT_ANALOG || (cmd & 0xf0) === REPORT_DIGITAL ? 2 : 3;
    if (this.pending.length < need) return;
    const [c, d1 = 0, d2 = 0] = this.pending;
    this.pending = [];
    this.command(c!, d1, d2);
  }

  private command(c: number, d1: number, d2: number): void {
    if (c === REPORT_VERSION) return this.sendVersion();
    if (c === SYSTEM_RESET) {
      this.reportPorts.clear();
      for (let p = 0; p < this.pinCount; p++) if (this.modes[p] === FIRMATA_MODES.OUTPUT) this.write(p, 0);
      return;
    }
    if (c === SET_PIN_MODE) {
      if (d1 >= this.pinCount) return;
      this.modes[d1] = d2;
      this.emit('mode', d1, d2);
      return;
    }
    if (c === SET_DIGITAL_PIN_VALUE) return this.write(d1, d2 ? 1 : 0);
    switch (c & 0xf0) {
      case DIGITAL_MESSAGE: {
        const port = c & 0x0f;
        const v = d1 | (d2 << 7);
        for (let i = 0; i < 8; i++) {
          const pin = port * 8 + i;
          if (pin < this.pinCount && this.modes[pin] === FIRMATA_MODES.OUTPUT) this.write(pin, (v >> i) & 1 ? 1 : 0);
        }
        return;
      }
      case REPORT_DIGITAL: {
        const port = c & 0x0f;
        if (d1) {
          this.reportPorts.add(port);
          this.reportPort(port);
        } else this.reportPorts.delete(port);
        return;
      }
      case REPORT_ANALOG:
      case ANALOG_MESSAGE:
        return; // no analog inputs are simulated yet
      default:
        this.garbageBytes += 3;
    }
  }

  private sysex(data: number[]): void {
    const [cmd, ...rest] = data;
    switch (cmd) {
      case QUERY_FIRMWARE:
        return this.sendFirmware();
      case CAPABILITY_QUERY: {
        const out = [START_SYSEX, CAPABILITY_RESPONSE];
        for (let p = 0; p < this.pinCount; p++) {
          out.push(FIRMATA_MODES.INPUT, 1, FIRMATA_MODES.OUTPUT, 1, FIRMATA_MODES.PULLUP, 1);
          if (this.analogPins.includes(p)) out.push(FIRMATA_MODES.ANALOG, 10);
          out.push(0x7f);
        }
        out.push(END_SYSEX);
        return this.send(out);
      }
      case ANALOG_MAPPING_QUERY: {
        const out = [START_SYSEX, ANALOG_MAPPING_RESPONSE];
        for (let p = 0; p < this.pinCount; p++) {
          const ch = this.analogPins.indexOf(p);
          out.push(ch < 0 ? 0x7f : ch);
        }
        out.push(END_SYSEX);
        return this.send(out);
      }
      case PIN_STATE_QUERY: {
        const pin = rest[0] ?? 0;
        if (pin >= this.pinCount) return;
        return this.send([START_SYSEX, PIN_STATE_RESPONSE, pin, this.modes[pin]!, this.values[pin]!, END_SYSEX]);
      }
      case SAMPLING_INTERVAL:
        return;
      default:
        this.garbageBytes += data.length + 2;
    }
  }
}

/** A port the emulator can sit on: anything with data events and a write. */
export interface ByteLink {
  on(event: 'data', fn: (bytes: Buffer) => void): unknown;
  write(bytes: Buffer): unknown;
}

/** Puts the emulator on an open serial port (its board side); returns a function that takes it off. */
export function attachFirmataEmulatorToPort(emulator: FirmataEmulator, link: ByteLink): () => void {
  const onData = (bytes: Buffer): void => emulator.receive(bytes);
  link.on('data', onData);
  emulator.attach((bytes) => void link.write(bytes));
  return () => {
    emulator.attach(undefined);
    (link as unknown as { off?: (e: string, f: (b: Buffer) => void) => void }).off?.('data', onData);
  };
}
