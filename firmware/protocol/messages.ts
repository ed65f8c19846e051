/**
 * Typed messages of protocol version 1 on top of the frame codec: what a board sends (identity, readings,
 * answers) and the commands a host may send. Field names and units follow firmware/PROTOCOL.md.
 */

import { ACTUATOR_NAMES, RD_DECIMALS, SERIAL_NUMBER_MAX_CHARS, SERIAL_NUMBER_RE, SETPOINT_LIMITS, type ActuatorName } from './board-facts.js';
import { field, type Frame } from './codec.js';

export const PROTOCOL_VERSION = 1;

export type NakCode = 'E_UNKNOWN' | 'E_ARG' | 'E_PROTO' | 'E_STATE' | 'E_SENSOR' | 'E_RANGE' | 'E_STORE';
export const NAK_CODES: readonly NakCode[] = ['E_UNKNOWN', 'E_ARG', 'E_PROTO', 'E_STATE', 'E_SENSOR', 'E_RANGE', 'E_STORE'];

/** Gases a CAL command calibrates, and the decimals its `ref` may have (those of RD). */
export type CalGas = 'o2' | 'co2';
export const CAL_GAS_DECIMALS: Readonly<Record<CalGas, number>> = { o2: RD_DECIMALS.o2, co2: RD_DECIMALS.co2 };
export type CalPoint = 'zero' | 'span' | 'factory';

/** An actuator a SET may name (board-facts.ts); kept under this name for the commands' `valve` field. */
export type ValveName = ActuatorName;
export const VALVE_NAMES: readonly ValveName[] = ACTUATOR_NAMES;

export interface BoardIdentity {
  kind: string;
  firmwareVersion: string;
  serialNumber: string;
  protocolVersion: number;
  capabilities: string[];
}

/** Error counters a board reports in `ST` (PROTOCOL.md, "Reconnect, replay and status"). */
export interface BoardStatusCounters {
  /** Lines rejected as E_CRC, E_SYNTAX, E_TOOLONG. */
  crc: number;
  syn: number;
  long: number;
  /** Sensor timeouts. */
  sto: number;
  /** Watchdog resets seen at power-up. */
  wdt: number;
  /** Frames the link did not take. */
  drop: number;
}

export type BoardMessage =
  /** `boot` is present on boards that count their power-ups (PROTOCOL.md, second part). */
  /** `cal` is the board's calibration count (PROTOCOL.md, "Calibration"), present on boards that calibrate. */
  | ({ type: 'ID'; id: number; boardMs: number; boot?: number; cal?: number } & BoardIdentity)
  /** Measured values are null where the board sent NA. */
  /** `cell`: the manifold cell measured (PROTOCOL.md); absent when the board does not send it. */
  | { type: 'RD'; seq: number; boardMs: number; o2Kpa: number | null; co2Kpa: number | null; tempC: number | null; cell?: number }
  /** `replay` is present on the ACK that ends a REPLAY: how many readings were sent, first and last seq. */
  | { type: 'ACK'; id: number; replay?: { n: number; from?: number; to?: number }; cal?: number }
  | { type: 'NAK'; id: number; code: string }
  | { type: 'ERR'; code: string }
  /** The answer to STATUS. */
  /** The answer to STATUS. `extra` holds the fields a board adds after the common ones (the gasboard: `ok`,
   * lines taken as frames, and `tx`, frames sent), as sent; absent when there are none. */
  | { type: 'ST'; id: number; upMs: number; boot: number; seq: number; ring: number; counters: BoardStatusCounters; extra?: Record<string, string> };

/** The fields every board sends in `ST`, in order (PROTOCOL.md). */
const ST_COMMON_FIELDS: readonly string[] = ['id', 'up', 'boot', 'seq', 'ring', 'crc', 'syn', 'long', 'sto', 'wdt', 'drop'];

/** A frame that is valid on the wire but does not make a board message. */
export class MessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageError';
  }
}

const UINT_RE = /^(0|[1-9][0-9]{0,9})$/;
const DECIMAL_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

function need(frame: Frame, key: string): string {
  const v = field(frame, key);
  if (v === undefined) throw new MessageError(`${frame.type} frame has no "${key}" field`);
  return v;
}

function uint32(frame: Frame, key: string): number {
  const v = need(frame, key);
  const n = Number(v);
  if (!UINT_RE.test(v) || n > 0xffffffff) throw new MessageError(`${frame.type} field "${key}" is not a 32-bit unsigned integer: "${v}"`);
  return n;
}

function measured(frame: Frame, key: string): number | null {
  const v = need(frame, key);
  if (v === 'NA') return null;
  if (!DECIMAL_RE.test(v)) throw new MessageError(`${frame.type} field "${key}" is not a decimal number or NA: "${v}"`);
  return Number(v);
}

/** Reads a frame a board sent. Throws MessageError for a frame of an unknown type or with a bad field. */
export function toBoardMessage(frame: Frame): BoardMessage {
  switch (frame.type) {
    case 'ID': {
      const serialNumber = need(frame, 'sn');
      if (!SERIAL_NUMBER_RE.test(serialNumber)) {
        throw new MessageError(`ID field "sn" is not [A-Za-z0-9-]{1,${SERIAL_NUMBER_MAX_CHARS}}: "${serialNumber}"`);
      }
      return {
        type: 'ID',
        id: uint32(frame, 'id'),
        kind: need(frame, 'kind'),
        firmwareVersion: need(frame, 'fw'),
        serialNumber,
        protocolVersion: uint32(frame, 'proto'),
        capabilities: need(frame, 'caps').split(',').filter((c) => c.length > 0),
        boardMs: uint32(frame, 't'),
        ...(field(frame, 'boot') !== undefined ? { boot: uint32(frame, 'boot') } : {}),
        ...(field(frame, 'cal') !== undefined ? { cal: uint32(frame, 'cal') } : {}),
      };
    }
    case 'RD': {
      const rd: BoardMessage & { type: 'RD' } = {
        type: 'RD',
        seq: uint32(frame, 'seq'),
        boardMs: uint32(frame, 't'),
        o2Kpa: measured(frame, 'o2'),
        co2Kpa: measured(frame, 'co2'),
        tempC: measured(frame, 'temp'),
      };
      // Set after, not spread in: one message per reading, and `cell` still comes last.
      if (field(frame, 'cell') !== undefined) rd.cell = uint32(frame, 'cell');
      return rd;
    }
    case 'ACK': {
      if (field(frame, 'cal') !== undefined) return { type: 'ACK', id: uint32(frame, 'id'), cal: uint32(frame, 'cal') };
      if (field(frame, 'n') === undefined) return { type: 'ACK', id: uint32(frame, 'id') };
      const n = uint32(frame, 'n');
      const replay = n === 0 ? { n } : { n, from: uint32(frame, 'from'), to: uint32(frame, 'to') };
      return { type: 'ACK', id: uint32(frame, 'id'), replay };
    }
    case 'ST': {
      const extraFields = frame.fields.filter(([k]) => !ST_COMMON_FIELDS.includes(k));
      return {
        ...(extraFields.length > 0 ? { extra: Object.fromEntries(extraFields) } : {}),
        type: 'ST',
        id: uint32(frame, 'id'),
        upMs: uint32(frame, 'up'),
        boot: uint32(frame, 'boot'),
        seq: uint32(frame, 'seq'),
        ring: uint32(frame, 'ring'),
        counters: {
          crc: uint32(frame, 'crc'),
          syn: uint32(frame, 'syn'),
          long: uint32(frame, 'long'),
          sto: uint32(frame, 'sto'),
          wdt: uint32(frame, 'wdt'),
          drop: uint32(frame, 'drop'),
        },
      };
    }
    case 'NAK':
      return { type: 'NAK', id: uint32(frame, 'id'), code: need(frame, 'code') };
    case 'ERR':
      return { type: 'ERR', code: need(frame, 'code') };
    default:
      throw new MessageError(`"${frame.type}" is not a frame type a board sends`);
  }
}

/** Commands a host sends; `id` is added by whoever sends them. */
export type Command =
  | { op: 'hello'; proto: number }
  /** Sets one actuator of one cell (`cell` 1 to the board's cells; absent: cell 1, and left out of the frame). */
  | { op: 'set_valve'; valve: ValveName; on: boolean; cell?: number }
  /** The palletunit's loop setpoints (SETPT), within SETPOINT_LIMITS; stored in its EEPROM. */
  | { op: 'setpoint'; o2Kpa: number; co2Kpa: number }
  /** The palletunit's local loop on (1) or off (0: the host drives the outputs with SET). */
  | { op: 'loop'; on: boolean }
  /** Replays readings `from`..`to` (inclusive, from ≤ to, at most MAX_REPLAY_READINGS). */
  | { op: 'replay'; from: number; to: number }
  | { op: 'status' }
  /**
   * Calibrates one gas (PROTOCOL.md, "Calibration"): `ref` in the gas's RD unit (kPa) for zero and span, absent
   * for factory. The ACK carries the board's new calibration count (`cal`). Not idempotent: a span or zero sent
   * twice stores twice (the count moves on), so the bridge never retries it.
   */
  | { op: 'cal'; gas: CalGas; point: CalPoint; ref?: number };

/** The most readings one REPLAY may ask for. */
export const MAX_REPLAY_READINGS = 1024;

/** The frame for a command with its id. */
export function commandFrame(id: number, command: Command): Frame {
  switch (command.op) {
    case 'hello':
      return { type: 'HELLO', fields: [['id', String(id)], ['proto', String(command.proto)]] };
    case 'set_valve': {
      const fields: Array<[string, string]> = [['id', String(id)], ['valve', command.valve], ['on', command.on ? '1' : '0']];
      if (command.cell !== undefined) fields.push(['cell', String(command.cell)]);
      return { type: 'SET', fields };
    }
    case 'setpoint':
      return {
        type: 'SETPT',
        fields: [
          ['id', String(id)],
          ['o2', command.o2Kpa.toFixed(SETPOINT_LIMITS.o2Kpa.decimals)],
          ['co2', command.co2Kpa.toFixed(SETPOINT_LIMITS.co2Kpa.decimals)],
        ],
      };
    case 'loop':
      return { type: 'LOOP', fields: [['id', String(id)], ['on', command.on ? '1' : '0']] };
    case 'replay':
      return { type: 'REPLAY', fields: [['id', String(id)], ['from', String(command.from)], ['to', String(command.to)]] };
    case 'status':
      return { type: 'STATUS', fields: [['id', String(id)]] };
    case 'cal':
      return calCommandFrame(id, command.gas, command.point, command.ref);
  }
}

/** The REPLAY frame for readings `from`..`to` (inclusive). A board refuses (NAK E_ARG) from > to or more than
 * MAX_REPLAY_READINGS readings. */
export function replayCommandFrame(id: number, from: number, to: number): Frame {
  return commandFrame(id, { op: 'replay', from, to });
}

/** The STATUS frame; a board answers it with one ST frame. */
export function statusCommandFrame(id: number): Frame {
  return commandFrame(id, { op: 'status' });
}

/**
 * The CAL frame (PROTOCOL.md, "Calibration"): `refValue` in the gas's RD unit (kPa), written with its RD
 * decimals; required for zero and span, absent for factory. The ACK carries the new calibration count as `cal`.
 * (`commandFrame(id, { op: 'cal', ... })` gives the same frame.)
 */
export function calCommandFrame(id: number, gas: CalGas, point: CalPoint, refValue?: number): Frame {
  if ((point === 'factory') !== (refValue === undefined)) {
    throw new RangeError(point === 'factory' ? 'CAL point=factory takes no ref' : `CAL point=${point} needs a ref value`);
  }
  const fields: Array<[string, string]> = [['id', String(id)], ['gas', gas], ['point', point]];
  if (refValue !== undefined) fields.push(['ref', refValue.toFixed(CAL_GAS_DECIMALS[gas])]);
  return { type: 'CAL', fields };
}
