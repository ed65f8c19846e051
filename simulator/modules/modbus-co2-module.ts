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
 * Other functions get exception 01, registers beyond 5 exception 02, a count of 0 or over 8 exception 03.
 * Requests for another slave address are ignored, as on a shared bus. The emulator does no I/O: `receive()`
 * takes the bytes the board sent and returns what to send back and after how long.
 */

import { createRandom, type Random } from '../engine/random.js';

/** CRC-16/MODBUS: reflected polynomial 0xA001, initial 0xFFFF; sent low byte first. */
export function modbusCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** `bytes` with their CRC appended. */
export function withModbusCrc(bytes: number[]): Buffer {
  const crc = modbusCrc(Uint8Array.from(bytes));
  return Buffer.from([...bytes, crc & 0xff, crc >>> 8]);
}

export const CO2_STATUS = { warmup: 0x1, fault: 0x2, overRange: 0x4, noPressure: 0x8 } as const;
export const CO2_MODULE_REGISTERS = 6;
const FIRMWARE_VERSION = 0x0102;

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
 * `exception` (answers every request with exception 04, device failure), `warmup` (status: warming up).
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
  /** Requests answered, ignored (other address) and bytes dropped as noise, for tests. */
  readonly counts = { answered: 0, otherAddress: 0, noiseBytes: 0 };
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

  /** Takes bytes from the bus; returns the replies to send (none while a request is incomplete). */
  receive(bytes: Uint8Array): ModbusReply[] {
    const replies: ModbusReply[] = [];
    this.pending.push(...bytes);
    // Every request this module knows is 8 bytes; resynchronise on anything else a byte at a time.
    while (this.pending.length >= 8) {
      const frame = this.pending.slice(0, 8);
      const crc = frame[6]! | (frame[7]! << 8);
      if (modbusCrc(Uint8Array.from(frame.slice(0, 6))) !== crc) {
        this.pending.shift();
        this.counts.noiseBytes++;
        continue;
      }
      this.pending.splice(0, 8);
      const reply = this.answer(frame);
      if (reply) replies.push(reply);
    }
    if (this.pending.length > 64) {
      this.counts.noiseBytes += this.pending.length - 64;
      this.pending.splice(0, this.pending.length - 64);
    }
    return replies;
  }

  private answer(req: number[]): ModbusReply | undefined {
    const [addr, fn] = req as [number, number];
    if (addr !== this.address) {
      this.counts.otherAddress++;
      return undefined;
    }
    if (this.fault === 'silence') return undefined;
    let bytes: Buffer;
    const start = (req[2]! << 8) | req[3]!;
    const count = (req[4]! << 8) | req[5]!;
    if (this.fault === 'exception') bytes = withModbusCrc([addr, fn | 0x80, 0x04]);
    else if (fn !== 0x04) bytes = withModbusCrc([addr, fn | 0x80, 0x01]);
    else if (count === 0 || count > 8) bytes = withModbusCrc([addr, 0x84, 0x03]);
    else if (start + count > CO2_MODULE_REGISTERS) bytes = withModbusCrc([addr, 0x84, 0x02]);
    else {
      const regs = this.registers().slice(start, start + count);
      bytes = withModbusCrc([addr, 0x04, 2 * count, ...regs.flatMap((r) => [r >>> 8, r & 0xff])]);
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

