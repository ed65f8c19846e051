/**
 * The CO2 NDIR module as the gasboard sees it on UART2 (firmware/MODULES.md, "CO2 module"): a Modbus-RTU slave
 * that answers function 0x04 (read input registers) from this register map:
 *
 * | register | content |
 * |---|---|
 * | 0 | status bits: 0x1 warming up, 0x2 lamp/detector fault, 0x4 over range, 0x8 no compensation pressure |
 * | 1, 2 | CO2 concentration, ppm, 32-bit, high word first |
 * | 3 | gas temperature, 0.01 °C, signed |
 * | 4 | compensation pressure, 0.1 hPa |
 * | 5 | firmware version (0x0102 = 1.2) |
 *
 * It answers as the Modbus spec has a slave answer (Modbus Application Protocol V1.1b3 §6.4 and §7, Modbus over
 * serial line V1.02 §2.4): every other function gets exception 01 (illegal function), whatever its request's
 * length; for 0x04 a quantity outside 1..125 gets exception 03 (illegal data value), then registers outside
 * 0..5 exception 02 (illegal data address). Broadcasts (address 0) and frames for another slave address get
 * no answer, as on a shared bus. The emulator does no I/O: `receive()` takes the bytes the master sent and
 * returns what to send back and after how long.
 *
 * Framing. On the line an RTU frame ends with a silence of 3.5 characters, so a slave need not know how long
 * a request is. This emulator does not frame by silence: behind a PTY bytes arrive in chunks whose timing is
 * the event loop's, not the line's (4 ms at 9600 baud is shorter than a busy loop's turn), and behind the
 * wasm build a whole request arrives at one instant of a virtual clock and its answer is expected from the
 * same `receive()` call. It frames by content instead, which gives the same frames for every request a
 * master sends:
 * - a frame starts at a byte that can be a slave address (0..247) followed by a function code (1..127);
 * - for the public function codes the spec gives the request's length (fixed, or from its byte count field:
 *   `requestLength`), and the frame is that many bytes with a good CRC; a plausible start of such a request
 *   is waited for until its bytes are in, so the bytes inside a long frame (another slave's write, say) are
 *   never taken for a request of their own;
 * - for any other function code (user-defined, reserved) the frame is the shortest prefix, 4 to 256 bytes,
 *   whose CRC checks. A wrong prefix checks with a chance of 2^-16 per length tried; only requests this
 *   module cannot serve are framed so, and their answer is 01 whatever their length.
 * Bytes before the first frame found are noise and are dropped (counted in `counts.noiseBytes`).
 */

import { createRandom, type Random } from '../engine/random.js';

/** CRC-16/MODBUS a byte at a time: the reflected polynomial 0xA001's eight steps for each byte value. */
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    t[i] = crc;
  }
  return t;
})();

/** The CRC after one more byte (0..255). */
function crcStep(crc: number, byte: number): number {
  return (crc >>> 8) ^ CRC_TABLE[(crc ^ byte) & 0xff]!;
}

/** CRC-16/MODBUS: reflected polynomial 0xA001, initial 0xFFFF; sent low byte first. */
export function modbusCrc(bytes: Uint8Array): number {
  return crcOfFirst(bytes, bytes.length);
}

/** `bytes` with their CRC appended. */
export function withModbusCrc(bytes: number[]): Buffer {
  const out = Buffer.allocUnsafe(bytes.length + 2);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]!;
  const crc = crcOfFirst(out, bytes.length);
  out[bytes.length] = crc & 0xff;
  out[bytes.length + 1] = crc >>> 8;
  return out;
}

/** The CRC of the first `n` bytes of `bytes` (each taken as a byte, as Uint8Array.from would). */
function crcOfFirst(bytes: ArrayLike<number>, n: number): number {
  let crc = 0xffff;
  for (let i = 0; i < n; i++) crc = crcStep(crc, bytes[i]! & 0xff);
  return crc;
}

export const CO2_STATUS = { warmup: 0x1, fault: 0x2, overRange: 0x4, noPressure: 0x8 } as const;
export const CO2_MODULE_REGISTERS = 6;
const FIRMWARE_VERSION = 0x0102;
const READ_INPUT_REGISTERS = 0x04;
/** The exception codes (Modbus Application Protocol V1.1b3 §7). */
const ILLEGAL_FUNCTION = 0x01;
const ILLEGAL_DATA_ADDRESS = 0x02;
const ILLEGAL_DATA_VALUE = 0x03;
const SERVER_DEVICE_FAILURE = 0x04;
/** A read of input registers asks for 1 to 125 (0x7D) of them (§6.4). */
const MAX_READ_REGISTERS = 0x7d;
/** An RTU frame (ADU) is at most 256 bytes: address, 253 bytes of PDU, CRC (serial line V1.02 §2.5.1). */
const MAX_ADU_BYTES = 256;
/** Address, function code and CRC: the shortest frame. */
const MIN_ADU_BYTES = 4;
/** The highest unicast address; 248..255 are reserved (serial line V1.02 §2.2). */
const MAX_SLAVE_ADDRESS = 247;

// The helpers of requestLength, at module level: a closure made per call costs more than the framing.
/** The byte at `i` of a frame as far as it has arrived, if it has. */
function at(f: ArrayLike<number>, i: number): number | undefined {
  return i < f.length ? f[i] : undefined;
}

/** The 16-bit word (high byte first) at `i`, if both its bytes have arrived. */
function word(f: ArrayLike<number>, i: number): number | undefined {
  return i + 1 < f.length ? (f[i]! << 8) | f[i + 1]! : undefined;
}

/** 1 address byte + PDU + 2 CRC bytes. */
function adu(pdu: number): number {
  return 1 + pdu + 2;
}

/** A request whose byte count at `countAt` is followed by that many bytes, and must equal `expected`. */
function counted(f: ArrayLike<number>, countAt: number, fixedPdu: number, expected?: number): number | 'more' | 'unknown' {
  const count = at(f, countAt);
  if (count === undefined) return 'more';
  if (expected !== undefined && count !== expected) return 'unknown';
  return adu(fixedPdu + count);
}

/**
 * The length in bytes of a request frame (address to CRC) of a public function code, as the spec lays its
 * PDU out: a number; 'more' when the bytes that tell it have not all arrived; 'unknown' for a function code
 * whose requests the spec does not give a length (user-defined and reserved codes, diagnostics' echo, MEI
 * types other than 0x0E) or whose byte count field contradicts its quantity. `f` is the frame from its
 * address on, as far as it has arrived.
 */
function requestLength(f: ArrayLike<number>): number | 'more' | 'unknown' {
  switch (at(f, 1)) {
    case undefined:
      return 'more';
    case 0x01: // read coils
    case 0x02: // read discrete inputs
    case 0x03: // read holding registers
    case 0x04: // read input registers
    case 0x05: // write single coil
    case 0x06: // write single register
      return adu(5);
    case 0x07: // read exception status
    case 0x0b: // get comm event counter
    case 0x0c: // get comm event log
    case 0x11: // report server ID
      return adu(1);
    case 0x08: {
      // diagnostics: sub-function and two data bytes, but sub-function 0 echoes data of any length
      const sub = word(f, 2);
      if (sub === undefined) return 'more';
      return sub === 0 ? 'unknown' : adu(5);
    }
    case 0x0f: {
      // write multiple coils: start, quantity, byte count = ceil(quantity / 8), values
      const qty = word(f, 4);
      if (qty === undefined) return 'more';
      return qty >= 1 && qty <= 0x7b0 ? counted(f, 6, 6, Math.ceil(qty / 8)) : 'unknown';
    }
    case 0x10: {
      // write multiple registers: start, quantity, byte count = 2 × quantity, values
      const qty = word(f, 4);
      if (qty === undefined) return 'more';
      return qty >= 1 && qty <= 0x7b ? counted(f, 6, 6, 2 * qty) : 'unknown';
    }
    case 0x14: // read file record: byte count, sub-requests of 7 bytes
    case 0x15: // write file record: byte count, sub-requests
      return counted(f, 2, 2);
    case 0x16: // mask write register: address, AND mask, OR mask
      return adu(7);
    case 0x17: {
      // read/write multiple registers: read start, read qty, write start, write qty, byte count = 2 × write qty
      const qty = word(f, 8);
      if (qty === undefined) return 'more';
      return qty >= 1 && qty <= 0x79 ? counted(f, 10, 10, 2 * qty) : 'unknown';
    }
    case 0x18: // read FIFO queue: FIFO pointer address
      return adu(3);
    case 0x2b: {
      // encapsulated interface transport: MEI 0x0E (read device identification) is code, object id
      const mei = at(f, 2);
      if (mei === undefined) return 'more';
      return mei === 0x0e ? adu(4) : 'unknown';
    }
    default:
      return 'unknown';
  }
}

export interface Co2ModuleValues {
  /** CO2 partial pressure, kPa; null: the module reports a detector fault. */
  co2Kpa: number | null;
  tempC: number | null;
  /** Pressure the module compensates with, Pa; null: the no-pressure status bit. */
  pressurePa: number | null;
}

/**
 * What the module does wrong, if anything: `silence` (never answers), `garbage` (random bytes before its
 * answer), `bad-crc` (its answer with a wrong CRC), `slow` (answers after `slowMs`, later than the board waits),
 * `exception` (answers every read with exception 04, device failure: the read fails where a good one would
 * be carried out, so an unserved function is still 01, a bad read still 02 or 03), `warmup` (status: warming up).
 */
export type Co2ModuleFault = 'none' | 'silence' | 'garbage' | 'bad-crc' | 'slow' | 'exception' | 'warmup';

export interface ModbusCo2ModuleOptions {
  /** Slave address. Default 1. */
  address?: number;
  /** Answer delay, ms, when not slow: the module's processing time. Default 0. */
  answerDelayMs?: number;
  /** Delay of the slow fault, ms. Default 1000 (the gasboard waits 300). */
  slowMs?: number;
  /** Seed of the garbage fault. Default 1. */
  seed?: number;
}

export interface ModbusReply {
  /** When to send it, ms after the request's last byte arrived. */
  delayMs: number;
  bytes: Buffer;
}

export class ModbusCo2Module {
  fault: Co2ModuleFault = 'none';
  readonly address: number;
  /** Requests answered, broadcasts and frames for other addresses (not answered), bytes dropped as noise. */
  readonly counts = { answered: 0, broadcasts: 0, otherAddress: 0, noiseBytes: 0 };
  private values: Co2ModuleValues = { co2Kpa: null, tempC: null, pressurePa: null };
  private pending: number[] = [];
  private readonly answerDelayMs: number;
  private readonly slowMs: number;
  private readonly random: Random;

  constructor(options: ModbusCo2ModuleOptions = {}) {
    this.address = options.address ?? 1;
    this.answerDelayMs = options.answerDelayMs ?? 0;
    this.slowMs = options.slowMs ?? 1000;
    this.random = createRandom(options.seed ?? 1);
  }

  setValues(values: Co2ModuleValues): void {
    this.values = { ...values };
  }

  /** The input registers for the current values. */
  registers(): number[] {
    const v = this.values;
    let status = this.fault === 'warmup' ? CO2_STATUS.warmup : 0;
    const pressurePa = v.pressurePa !== null && Number.isFinite(v.pressurePa) ? v.pressurePa : null;
    if (pressurePa === null) status |= CO2_STATUS.noPressure;
    if (v.co2Kpa === null || !Number.isFinite(v.co2Kpa)) status |= CO2_STATUS.fault;
    const pKpa = (pressurePa ?? 101325) / 1000;
    let ppm = Math.round(((v.co2Kpa ?? 0) / pKpa) * 1e6);
    if (ppm < 0) ppm = 0;
    if (ppm > 1_000_000) {
      ppm = 1_000_000;
      status |= CO2_STATUS.overRange;
    }
    const tempCenti = Math.round(Math.min(327.67, Math.max(-327.68, v.tempC ?? 0)) * 100);
    return [
      status,
      (ppm >>> 16) & 0xffff,
      ppm & 0xffff,
      tempCenti & 0xffff,
      Math.round(Math.min(65535, (pressurePa ?? 0) / 10)) & 0xffff,
      FIRMWARE_VERSION,
    ];
  }

  /**
   * Takes bytes from the bus, in any pieces; returns the replies to send, one per request addressed to this
   * module (none while a request is incomplete). Frames as the file's comment says.
   */
  receive(bytes: Uint8Array): ModbusReply[] {
    const replies: ModbusReply[] = [];
    const pending = this.pending;
    for (let i = 0; i < bytes.length; i++) pending.push(bytes[i]!);
    for (;;) {
      const found = this.nextFrame();
      if (found === undefined) break;
      this.counts.noiseBytes += found.start;
      let frame: number[];
      if (found.start === 0 && found.end === this.pending.length) {
        // The whole of it is one request (a master's usual poll): taken as it is, nothing left pending.
        frame = this.pending;
        this.pending = [];
      } else {
        frame = this.pending.slice(found.start, found.end);
        this.pending.splice(0, found.end);
      }
      const reply = this.answer(frame);
      if (reply) replies.push(reply);
    }
    // A frame is at most MAX_ADU_BYTES: older bytes cannot belong to one.
    if (this.pending.length > MAX_ADU_BYTES) {
      this.counts.noiseBytes += this.pending.length - MAX_ADU_BYTES;
      this.pending.splice(0, this.pending.length - MAX_ADU_BYTES);
    }
    return replies;
  }

  /**
   * The first complete frame in `pending` (its start and end), or undefined to wait for more bytes. Starts are
   * tried in order; a start that can only be noise is passed over; a plausible start of a request of known
   * length that has not all arrived holds everything after it back.
   */
  private nextFrame(): { start: number; end: number } | undefined {
    const p = this.pending;
    for (let start = 0; start + 1 < p.length; start++) {
      if (p[start]! > MAX_SLAVE_ADDRESS || p[start + 1]! < 1 || p[start + 1]! > 0x7f) continue;
      const view = p.slice(start, start + MAX_ADU_BYTES);
      const length = requestLength(view);
      if (length === 'more') return undefined;
      if (typeof length === 'number') {
        if (length > MAX_ADU_BYTES) continue;
        if (view.length < length) return undefined;
        if (crcOfFirst(view, length) === 0) return { start, end: start + length };
        continue;
      }
      // Unknown length: the shortest prefix whose CRC checks (the CRC over a frame and its own CRC is 0).
      let crc = 0xffff;
      for (let i = 0; i < view.length; i++) {
        crc = crcStep(crc, view[i]!);
        if (i + 1 >= MIN_ADU_BYTES && crc === 0) return { start, end: start + i + 1 };
      }
    }
    return undefined;
  }

  private answer(req: number[]): ModbusReply | undefined {
    const [addr, fn] = req as [number, number];
    if (addr === 0) {
      this.counts.broadcasts++; // a broadcast is never answered (serial line V1.02 §2.1)
      return undefined;
    }
    if (addr !== this.address) {
      this.counts.otherAddress++;
      return undefined;
    }
    if (this.fault === 'silence') return undefined;
    let bytes: Buffer;
    // The checks in the order of the state diagram for 0x04 (Application Protocol V1.1b3 §6.4): function,
    // quantity, address range, then the read itself. A 0x04 frame is 8 bytes (requestLength).
    const start = fn === READ_INPUT_REGISTERS ? (req[2]! << 8) | req[3]! : 0;
    const count = fn === READ_INPUT_REGISTERS ? (req[4]! << 8) | req[5]! : 0;
    if (fn !== READ_INPUT_REGISTERS) bytes = withModbusCrc([addr, fn | 0x80, ILLEGAL_FUNCTION]);
    else if (count < 1 || count > MAX_READ_REGISTERS) bytes = withModbusCrc([addr, fn | 0x80, ILLEGAL_DATA_VALUE]);
    else if (start + count > CO2_MODULE_REGISTERS) bytes = withModbusCrc([addr, fn | 0x80, ILLEGAL_DATA_ADDRESS]);
    else if (this.fault === 'exception') bytes = withModbusCrc([addr, fn | 0x80, SERVER_DEVICE_FAILURE]);
    else {
      const regs = this.registers().slice(start, start + count);
      const frame = [addr, fn, 2 * count];
      for (const r of regs) frame.push(r >>> 8, r & 0xff);
      bytes = withModbusCrc(frame);
    }
    if (this.fault === 'bad-crc') bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xa5, bytes.length - 1);
    if (this.fault === 'garbage') bytes = Buffer.concat([this.garbage(12), bytes]);
    this.counts.answered++;
    return { delayMs: this.fault === 'slow' ? this.slowMs : this.answerDelayMs, bytes };
  }

  private garbage(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      const b = this.random.nextUint32() & 0xff;
      // Never the slave address: garbage that starts like an answer is the board's problem to see through,
      // but here the point is bytes a master must skip.
      out[i] = b === this.address ? 0xff : b;
    }
    return out;
  }
}

