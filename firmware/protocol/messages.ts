/**
 * Typed messages of protocol version 1 on top of the frame codec: what a board sends (identity, readings,
 * answers) and the commands a host may send. Field names and units follow firmware/PROTOCOL.md.
 */

import { field, type Frame } from './codec.js';

export const PROTOCOL_VERSION = 1;

export type NakCode = 'E_UNKNOWN' | 'E_ARG' | 'E_PROTO' | 'E_STATE';
export const NAK_CODES: readonly NakCode[] = ['E_UNKNOWN', 'E_ARG', 'E_PROTO', 'E_STATE'];

export type ValveName = 'n2' | 'air' | 'scrub';
export const VALVE_NAMES: readonly ValveName[] = ['n2', 'air', 'scrub'];

export interface BoardIdentity {
  kind: string;
  firmwareVersion: string;
  serialNumber: string;
  protocolVersion: number;
  capabilities: string[];
}

export type BoardMessage =
  | ({ type: 'ID'; id: number; boardMs: number } & BoardIdentity)
  /** Measured values are null where the board sent NA. */
  | { type: 'RD'; seq: number; boardMs: number; o2Kpa: number | null; co2Kpa: number | null; tempC: number | null }
  | { type: 'ACK'; id: number }
  | { type: 'NAK'; id: number; code: string }
  | { type: 'ERR'; code: string };

/** A frame that is valid on the wire but does not make a board message. */
export class MessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageError';
  }
}

const UINT_RE = /^(0|[1-9][0-9]{0,9})$/;
const DECIMAL_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const SERIAL_RE = /^[A-Za-z0-9-]{1,32}$/;

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
      if (!SERIAL_RE.test(serialNumber)) throw new MessageError(`ID field "sn" is not [A-Za-z0-9-]{1,32}: "${serialNumber}"`);
      return {
        type: 'ID',
        id: uint32(frame, 'id'),
        kind: need(frame, 'kind'),
        firmwareVersion: need(frame, 'fw'),
        serialNumber,
        protocolVersion: uint32(frame, 'proto'),
        capabilities: need(frame, 'caps').split(',').filter((c) => c.length > 0),
        boardMs: uint32(frame, 't'),
      };
    }
    case 'RD':
      return {
        type: 'RD',
        seq: uint32(frame, 'seq'),
        boardMs: uint32(frame, 't'),
        o2Kpa: measured(frame, 'o2'),
        co2Kpa: measured(frame, 'co2'),
        tempC: measured(frame, 'temp'),
      };
    case 'ACK':
      return { type: 'ACK', id: uint32(frame, 'id') };
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
  | { op: 'set_valve'; valve: ValveName; on: boolean };

/** The frame for a command with its id. */
export function commandFrame(id: number, command: Command): Frame {
  switch (command.op) {
    case 'hello':
      return { type: 'HELLO', fields: [['id', String(id)], ['proto', String(command.proto)]] };
    case 'set_valve':
      return { type: 'SET', fields: [['id', String(id)], ['valve', command.valve], ['on', command.on ? '1' : '0']] };
  }
}
