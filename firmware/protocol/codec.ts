/**
 * The board protocol's frame codec in TypeScript: the same rules as firmware/common/frame.c, checked
 * against the same golden frames. firmware/PROTOCOL.md is the source of truth for every rule here.
 */

import { crc16Ccitt } from './crc16.js';

/** Longest line, in bytes before the `\n`. */
export const MAX_LINE_BYTES = 160;
export const MAX_FIELDS = 16;
export const MAX_VALUE_CHARS = 64;

/** Why a line was rejected before it could be read as a frame. */
export type RejectCode = 'E_TOOLONG' | 'E_SYNTAX' | 'E_CRC';

/** A frame: its type and its fields in the order they appeared (or are to be written). */
export interface Frame {
  type: string;
  fields: ReadonlyArray<readonly [key: string, value: string]>;
}

export type DecodeResult =
  | { ok: true; frame: Frame }
  | { ok: false; code: RejectCode; reason: string };

const TYPE_RE = /^[A-Z]{2,8}$/;
const KEY_RE = /^[a-z][a-z0-9_]{0,11}$/;
// Printable ASCII 0x21..0x7E without '*' (0x2A) and '=' (0x3D).
const VALUE_RE = /^[\x21-\x29\x2B-\x3C\x3E-\x7E]{1,64}$/;
const TAIL_RE = /\*([0-9A-Fa-f]{4})$/;

function reject(code: RejectCode, reason: string): DecodeResult {
  return { ok: false, code, reason };
}

/**
 * Decodes one line, without its `\n` (a trailing `\r` is dropped here as on the board).
 * Never throws: every line gets a verdict, in the order PROTOCOL.md gives.
 */
export function decodeFrame(line: string): DecodeResult {
  if (line.endsWith('\r')) line = line.slice(0, -1);
  if (Buffer.byteLength(line, 'latin1') > MAX_LINE_BYTES) {
    return reject('E_TOOLONG', `line is ${line.length} bytes, longer than ${MAX_LINE_BYTES}`);
  }
  const tail = TAIL_RE.exec(line);
  if (!tail) return reject('E_SYNTAX', 'line does not end in "*" and 4 hex digits');
  const body = line.slice(0, tail.index);
  const sent = Number.parseInt(tail[1]!, 16);
  const actual = crc16Ccitt(body);
  if (sent !== actual) {
    return reject('E_CRC', `checksum ${tail[1]} does not match ${hex4(actual)}`);
  }
  const parts = body.split(' ');
  const type = parts[0]!;
  if (!TYPE_RE.test(type)) return reject('E_SYNTAX', `type "${printable(type)}" is not 2-8 upper-case letters`);
  const pairs = parts.slice(1);
  if (pairs.length > MAX_FIELDS) return reject('E_SYNTAX', `${pairs.length} fields, more than ${MAX_FIELDS}`);
  const fields: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) return reject('E_SYNTAX', `field "${printable(pair)}" has no "="`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!KEY_RE.test(key)) return reject('E_SYNTAX', `key "${printable(key)}" is not [a-z][a-z0-9_]{0,11}`);
    if (!VALUE_RE.test(value)) return reject('E_SYNTAX', `value of "${key}" is not 1-${MAX_VALUE_CHARS} printable characters`);
    if (seen.has(key)) return reject('E_SYNTAX', `key "${key}" appears twice`);
    seen.add(key);
    fields.push([key, value]);
  }
  return { ok: true, frame: { type, fields } };
}

/**
 * Encodes a frame to its line, including the checksum and the `\n`.
 * Throws when the frame breaks the grammar: the host must never send what a board would reject.
 */
export function encodeFrame(frame: Frame): string {
  if (!TYPE_RE.test(frame.type)) throw new RangeError(`frame type "${frame.type}" is not 2-8 upper-case letters`);
  if (frame.fields.length > MAX_FIELDS) throw new RangeError(`frame has ${frame.fields.length} fields, more than ${MAX_FIELDS}`);
  let body = frame.type;
  const seen = new Set<string>();
  for (const [key, value] of frame.fields) {
    if (!KEY_RE.test(key)) throw new RangeError(`field key "${key}" is not [a-z][a-z0-9_]{0,11}`);
    if (!VALUE_RE.test(value)) throw new RangeError(`value "${value}" of field "${key}" is not 1-${MAX_VALUE_CHARS} printable characters without "*" or "="`);
    if (seen.has(key)) throw new RangeError(`field key "${key}" appears twice`);
    seen.add(key);
    body += ` ${key}=${value}`;
  }
  const line = `${body}*${hex4(crc16Ccitt(body))}`;
  if (line.length > MAX_LINE_BYTES) throw new RangeError(`frame is ${line.length} bytes, longer than ${MAX_LINE_BYTES}`);
  return `${line}\n`;
}

/** The value of one field, or undefined. */
export function field(frame: Frame, key: string): string | undefined {
  for (const [k, v] of frame.fields) if (k === key) return v;
  return undefined;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** Shows control and non-ASCII characters as \xNN so that an error message stays one readable line. */
export function printable(s: string, max = 40): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return cut.replace(/[^\x20-\x7E]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
