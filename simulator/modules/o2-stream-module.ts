/**
 * The O2 sensor module as the gasboard sees it on UART1 (firmware/MODULES.md, "O2 module"): a luminescent O2
 * sensor that streams one ASCII line per measurement,
 *
 *     O 0209.5 T +01.50 P 1013.2 S 00 *5A\r\n
 *
 * O2 partial pressure in mbar, temperature in °C, barometric pressure in mbar, a status byte, and an XOR
 * checksum of every byte before the `*`. This emulator turns the plant's sensor values into those bytes, with
 * the module's faults on demand. It does no I/O: whoever owns the UART writes what `nextLine()` returns.
 */

import { createRandom, type Random } from '../engine/random.js';

/** Status bits of the S field. */
export const O2_STATUS = {
  warmup: 0x01,
  o2SignalLow: 0x02,
  tempFault: 0x04,
  pressureFault: 0x08,
  endOfLife: 0x10,
} as const;

export interface O2ModuleValues {
  /** O2 partial pressure, kPa; null: the sensor gives none (sent with the O2-signal-low status bit). */
  o2Kpa: number | null;
  /** Gas temperature, °C; null: sent with the temperature-fault bit. */
  tempC: number | null;
  /** Barometric pressure, Pa; null: sent with the pressure-fault bit. */
  pressurePa: number | null;
}

/**
 * What the module does wrong, if anything:
 * - `silence`: it sends nothing (a dead module, a broken wire);
 * - `garbage`: random bytes instead of its line (noise on the wire, a wrong baud rate);
 * - `bad-checksum`: its line with a wrong checksum (a corrupted byte);
 * - `warmup`: its line with the warming-up bit (values not valid yet).
 */
export type O2ModuleFault = 'none' | 'silence' | 'garbage' | 'bad-checksum' | 'warmup';

export interface O2StreamModuleOptions {
  /** Seed of the garbage fault's bytes. Default 1. */
  seed?: number;
  /** Bytes of garbage per line in the garbage fault. Default 40. */
  garbageBytes?: number;
}

/** XOR of the bytes of `text` (latin1). */
export function o2LineChecksum(text: string): number {
  let x = 0;
  // latin1 takes each UTF-16 unit's low byte.
  for (let i = 0; i < text.length; i++) x ^= text.charCodeAt(i) & 0xff;
  return x;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** `value` with `decimals` decimals, zero-padded to `intDigits` integer digits, no sign. */
function padded(value: number, intDigits: number, decimals: number): string {
  const text = Math.abs(value).toFixed(decimals);
  if (decimals <= 0) return text.padStart(intDigits, '0');
  // A text without a point (NaN) has no fraction: `undefined`, as it always came out.
  if (text.indexOf('.') < 0) return `${text.padStart(intDigits, '0')}.undefined`;
  // The point and exactly `decimals` digits follow the integer part, so padding the text pads that part.
  return text.padStart(intDigits + 1 + decimals, '0');
}

/** Two upper-case hex digits for each byte value: the status and the checksum, once a line per module. */
const HEX2 = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

/** The module's line for these values and status (with CR LF). Out-of-range values are clamped to the field. */
export function formatO2Line(values: O2ModuleValues, extraStatus = 0): string {
  let status = extraStatus;
  if (values.o2Kpa === null || !Number.isFinite(values.o2Kpa)) status |= O2_STATUS.o2SignalLow;
  if (values.tempC === null || !Number.isFinite(values.tempC)) status |= O2_STATUS.tempFault;
  if (values.pressurePa === null || !Number.isFinite(values.pressurePa)) status |= O2_STATUS.pressureFault;
  const o2Mbar = clamp((values.o2Kpa ?? 0) * 10, 0, 9999.9);
  const tempC = clamp(values.tempC ?? 0, -99.99, 99.99);
  const pMbar = clamp((values.pressurePa ?? 0) / 100, 0, 9999.9);
  // A status beyond a byte (an odd extraStatus) is written as toString(16) writes it.
  const statusHex = HEX2[status] ?? status.toString(16).toUpperCase().padStart(2, '0');
  const text = `O ${padded(o2Mbar, 4, 1)} T ${tempC < 0 ? '-' : '+'}${padded(tempC, 2, 2)} P ${padded(pMbar, 4, 1)} S ${statusHex} `;
  return `${text}*${HEX2[o2LineChecksum(text)]}\r\n`;
}

export class O2StreamModule {
  fault: O2ModuleFault = 'none';
  private readonly random: Random;
  private readonly garbageBytes: number;

  constructor(options: O2StreamModuleOptions = {}) {
    this.random = createRandom(options.seed ?? 1);
    this.garbageBytes = options.garbageBytes ?? 40;
  }

  /** The bytes the module sends for one measurement of these values (empty when silent). */
  nextLine(values: O2ModuleValues): Buffer {
    switch (this.fault) {
      case 'silence':
        return Buffer.alloc(0);
      case 'garbage':
        return this.garbage(this.garbageBytes);
      case 'bad-checksum': {
        const line = formatO2Line(values);
        const star = line.indexOf('*');
        const wrong = ((parseInt(line.slice(star + 1, star + 3), 16) ^ 0x5a) & 0xff).toString(16).toUpperCase().padStart(2, '0');
        return Buffer.from(`${line.slice(0, star + 1)}${wrong}\r\n`, 'latin1');
      }
      case 'warmup':
        return Buffer.from(formatO2Line(values, O2_STATUS.warmup), 'latin1');
      case 'none':
        return Buffer.from(formatO2Line(values), 'latin1');
    }
  }

  private garbage(n: number): Buffer {
    const out = Buffer.alloc(n);
    // Seeded, so a fault run is reproducible.
    for (let i = 0; i < n; i++) out[i] = this.random.nextUint32() & 0xff;
    return out;
  }
}

