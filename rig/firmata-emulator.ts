/**
 * A rig I/O board that speaks Firmata (firmata/protocol, protocol.md, version 2.5 as StandardFirmata 2.5
 * reports it), for the fast and hil modes and the tests: it answers the version, firmware, capability,
 * analog-mapping and pin-state queries, takes pin modes, digital writes and SYSTEM_RESET, and reports digital
 * inputs. Its relays act through `output` events (the simulator, or a test, listens), its inputs are driven
 * with `setInput` (a door switch), and `wiring` connects an output pin to an input pin, as a bench reads a
 * valve output back.
 *
 * What it is, in the protocol's terms:
 * - Every pin is digital, with the modes INPUT, OUTPUT and PULLUP (capability response); a SET_PIN_MODE to
 *   any other mode is refused with a STRING_DATA message and the pin keeps its mode. It simulates no analog
 *   input, so the analog mapping gives no pin a channel and REPORT_ANALOG has nothing to report.
 * - A pin's state (PIN_STATE_RESPONSE) is, as protocol.md says, not its value: for an output the value last
 *   written to it, for an input its pull-up (0 for INPUT, 1 for PULLUP).
 * - An input's level is what drives it from outside (`setInput`, or the output wired to it), else its
 *   pull-up's 1 in PULLUP mode, else 0. An output drives its relay (and its wire) while it is an OUTPUT at 1.
 * - Power-up and SYSTEM_RESET: every pin an INPUT without pull-up, every written value 0, no reporting.
 *   A reset opens every relay that was closed (`output` events), as a board's outputs drop when it resets.
 * - Enabling REPORT_DIGITAL for a port reports the port at once (protocol 2.4), then on every change.
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
const STRING_DATA = 0x71;
const SAMPLING_INTERVAL = 0x7a;
/** The analog mapping's "no channel" and the capability response's end of a pin's modes. */
const NONE = 0x7f;

export const FIRMATA_MODES = { INPUT: 0x00, OUTPUT: 0x01, ANALOG: 0x02, PULLUP: 0x0b } as const;
/** The modes every pin of this board has, with their resolution (1: binary), in capability order. */
const PIN_MODES: ReadonlyArray<readonly [mode: number, resolution: number]> = [
  [FIRMATA_MODES.INPUT, 1],
  [FIRMATA_MODES.OUTPUT, 1],
  [FIRMATA_MODES.PULLUP, 1],
];

/** The longest sysex message taken; longer ones are dropped (a bounded buffer, as on the board). */
const MAX_SYSEX_BYTES = 256;

export interface FirmataEmulatorOptions {
  /** Digital pins 0..pinCount-1, at most 128. Default 20 (an Uno's 14 digital pins and A0..A5 used as digital). */
  pinCount?: number;
  /** Output pin → input pin: the output drives the input, as a read-back wire does. Default {}. */
  wiring?: Record<number, number>;
  /** Firmware name reported. Default 'cellbench-rig-io'. */
  firmwareName?: string;
}

export interface FirmataEmulatorEvents {
  /** A relay changed: 1 when its pin became an OUTPUT driven high, 0 when it stopped being one. */
  output: [pin: number, value: 0 | 1];
  mode: [pin: number, mode: number];
}

export class FirmataEmulator extends EventEmitter<FirmataEmulatorEvents> {
  readonly pinCount: number;
  private readonly wiring: Record<number, number>;
  private readonly firmwareName: string;
  private readonly modes: number[];
  /** What was last written to each pin as an output (its state while it is one). */
  private readonly written: Array<0 | 1>;
  /** What drives each pin from outside (a switch, a wire); undefined: nothing. */
  private readonly driven: Array<0 | 1 | undefined>;
  /** Whether each pin's output drives its relay now, as last emitted. */
  private readonly relays: Array<0 | 1>;
  private readonly reportPorts = new Set<number>();
  private sink: ((bytes: Buffer) => void) | undefined;
  private pending: number[] = [];
  private inSysex = false;
  /** Bytes the parser dropped as not Firmata. */
  garbageBytes = 0;

  constructor(options: FirmataEmulatorOptions = {}) {
    super();
    this.pinCount = options.pinCount ?? 20;
    if (!Number.isInteger(this.pinCount) || this.pinCount < 1 || this.pinCount > 128) {
      throw new RangeError(`"pinCount" must be an integer 1..128: ${this.pinCount}`);
    }
    this.wiring = options.wiring ?? {};
    this.firmwareName = options.firmwareName ?? 'cellbench-rig-io';
    this.modes = Array.from({ length: this.pinCount }, () => FIRMATA_MODES.INPUT);
    this.written = Array.from({ length: this.pinCount }, () => 0 as const);
    this.driven = Array.from({ length: this.pinCount }, () => undefined);
    this.relays = Array.from({ length: this.pinCount }, () => 0 as const);
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

  /** The level of a pin: an output's written value, an input's level (see the file's comment). */
  pin(pin: number): 0 | 1 {
    if (this.modes[pin] === FIRMATA_MODES.OUTPUT) return this.written[pin] ?? 0;
    return this.level(pin);
  }

  mode(pin: number): number {
    return this.modes[pin] ?? FIRMATA_MODES.INPUT;
  }

  /** Drives an input pin from outside, e.g. the door switch. Reported when its port is reported. */
  setInput(pin: number, value: boolean): void {
    this.checkPin(pin);
    this.drive(pin, value ? 1 : 0);
  }

  private checkPin(pin: number): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= this.pinCount) throw new RangeError(`pin must be 0..${this.pinCount - 1}: ${pin}`);
  }

  private level(pin: number): 0 | 1 {
    return this.driven[pin] ?? (this.modes[pin] === FIRMATA_MODES.PULLUP ? 1 : 0);
  }

  private isInput(pin: number): boolean {
    return this.modes[pin] === FIRMATA_MODES.INPUT || this.modes[pin] === FIRMATA_MODES.PULLUP;
  }

  /** Sets what drives `pin` from outside and reports its port if its input level changed. */
  private drive(pin: number, value: 0 | 1 | undefined): void {
    const before = this.level(pin);
    this.driven[pin] = value;
    if (this.isInput(pin) && this.level(pin) !== before) this.reportPort(pin >> 3);
  }

  private send(bytes: number[]): void {
    this.sink?.(Buffer.from(bytes));
  }

  private sendVersion(): void {
    this.send([REPORT_VERSION, 2, 5]);
  }

  private sendFirmware(): void {
    this.send([START_SYSEX, QUERY_FIRMWARE, 2, 5, ...sevenBitPairs(this.firmwareName), END_SYSEX]);
  }

  private sendString(text: string): void {
    this.send([START_SYSEX, STRING_DATA, ...sevenBitPairs(text), END_SYSEX]);
  }

  private reportPort(port: number): void {
    if (!this.reportPorts.has(port)) return;
    let v = 0;
    for (let i = 0; i < 8; i++) {
      const pin = port * 8 + i;
      if (pin >= this.pinCount) break;
      if (this.isInput(pin) && this.level(pin)) v |= 1 << i;
    }
    this.send([DIGITAL_MESSAGE | port, v & 0x7f, (v >> 7) & 0x7f]);
  }

  /** Emits the relay's change when whether `pin` drives it changed, and drives its wire. */
  private updateRelay(pin: number): void {
    const on: 0 | 1 = this.modes[pin] === FIRMATA_MODES.OUTPUT && this.written[pin] === 1 ? 1 : 0;
    if (this.relays[pin] === on) return;
    this.relays[pin] = on;
    this.emit('output', pin, on);
    const to = this.wiring[pin];
    if (to !== undefined && to >= 0 && to < this.pinCount) this.drive(to, on);
  }

  private write(pin: number, value: 0 | 1): void {
    if (pin < 0 || pin >= this.pinCount || this.modes[pin] !== FIRMATA_MODES.OUTPUT) return;
    this.written[pin] = value;
    this.updateRelay(pin);
  }

  private setMode(pin: number, mode: number): void {
    if (pin >= this.pinCount) return;
    if (!PIN_MODES.some(([m]) => m === mode)) {
      this.sendString(`pin ${pin} has no mode ${mode}`);
      return;
    }
    const before = this.modes[pin]!;
    if (before === mode) return;
    const wasInputLevel = this.isInput(pin) ? this.level(pin) : undefined;
    this.modes[pin] = mode;
    // A pin that becomes an output has had nothing written to it yet.
    if (mode === FIRMATA_MODES.OUTPUT) this.written[pin] = 0;
    this.emit('mode', pin, mode);
    this.updateRelay(pin);
    if (this.isInput(pin) && this.level(pin) !== wasInputLevel) this.reportPort(pin >> 3);
  }

  /** Power-up state: every pin an INPUT, nothing written, no reporting; relays that were closed open. */
  private reset(): void {
    this.reportPorts.clear();
    for (let p = 0; p < this.pinCount; p++) {
      const changed = this.modes[p] !== FIRMATA_MODES.INPUT;
      this.modes[p] = FIRMATA_MODES.INPUT;
      this.written[p] = 0;
      if (changed) this.emit('mode', p, FIRMATA_MODES.INPUT);
      this.updateRelay(p);
    }
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
        return;
      }
      if (b & 0x80) {
        // Every byte of a sysex payload has its top bit clear: a command byte ends a sysex cut short.
        this.garbageBytes += this.pending.length + 1;
        this.inSysex = false;
        this.pending = [];
      } else {
        if (this.pending.length >= MAX_SYSEX_BYTES) {
          this.garbageBytes += this.pending.length;
          this.inSysex = false;
          this.pending = [];
        } else this.pending.push(b);
        return;
      }
    }
    if (b === START_SYSEX) {
      if (this.pending.length > 0) this.garbageBytes += this.pending.length;
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
    if (c === SYSTEM_RESET) return this.reset();
    if (c === SET_PIN_MODE) return this.setMode(d1, d2);
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
      case REPORT_ANALOG: // no pin has an analog channel (the analog mapping says so): nothing to report
      case ANALOG_MESSAGE: // an analog write (PWM): no pin has the mode
        return;
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
        for (let p = 0; p < this.pinCount; p++) out.push(...PIN_MODES.flat(), NONE);
        out.push(END_SYSEX);
        return this.send(out);
      }
      case ANALOG_MAPPING_QUERY:
        return this.send([START_SYSEX, ANALOG_MAPPING_RESPONSE, ...Array.from({ length: this.pinCount }, () => NONE), END_SYSEX]);
      case PIN_STATE_QUERY: {
        const pin = rest[0] ?? 0;
        if (pin >= this.pinCount) return;
        return this.send([START_SYSEX, PIN_STATE_RESPONSE, pin, this.modes[pin]!, this.pinState(pin), END_SYSEX]);
      }
      case SAMPLING_INTERVAL:
        return; // it samples nothing analog
      default:
        this.garbageBytes += data.length + 2;
    }
  }

  /** protocol.md: an output's state is the value written to it; an input's its pull-up. One 7-bit byte. */
  private pinState(pin: number): number {
    const mode = this.modes[pin];
    if (mode === FIRMATA_MODES.OUTPUT) return this.written[pin]!;
    return mode === FIRMATA_MODES.PULLUP ? 1 : 0;
  }
}

/** Text as Firmata sends it in a sysex: each character as two 7-bit bytes, LSB first. */
function sevenBitPairs(text: string): number[] {
  const out: number[] = [];
  for (const ch of Buffer.from(text, 'latin1')) out.push(ch & 0x7f, (ch >> 7) & 0x7f);
  return out;
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
