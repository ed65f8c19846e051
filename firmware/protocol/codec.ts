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

// decodeFrame reads every line a board sends, so it checks keys, values and the tail char by char: the same
// rules as KEY_RE, VALUE_RE and `\*[0-9A-Fa-f]{4}$`, without a regex call per field.
function isKeyChar(c: number, first: boolean): boolean {
  return (c >= 0x61 && c <= 0x7a) || (!first && ((c >= 0x30 && c <= 0x39) || c === 0x5f));
}

/** `s.slice(from, to)` matches KEY_RE. */
function isKey(s: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > 12) return false;
  for (let i = from; i < to; i++) if (!isKeyChar(s.charCodeAt(i), i === from)) return false;
  return true;
}

/** `s.slice(from, to)` matches VALUE_RE. */
function isValue(s: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > MAX_VALUE_CHARS) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x2a || c === 0x3d) return false;
  }
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function reject(code: RejectCode, reason: string): DecodeResult {
  return { ok: false, code, reason };
}

/**
 * Decodes one line, without its `\n` (a trailing `\r` is dropped here as on the board).
 * Never throws: every line gets a verdict, in the order PROTOCOL.md gives.
 */
export function decodeFrame(line: string): DecodeResult {
  if (line.endsWith('\r')) line = line.slice(0, -1);
  // Each UTF-16 unit is one latin1 byte.
  if (line.length > MAX_LINE_BYTES) {
    return reject('E_TOOLONG', `line is ${line.length} bytes, longer than ${MAX_LINE_BYTES}`);
  }
  const star = line.length - 5;
  let tailOk = star >= 0 && line.charCodeAt(star) === 0x2a;
  for (let i = star + 1; tailOk && i < line.length; i++) tailOk = isHexDigit(line.charCodeAt(i));
  if (!tailOk) return reject('E_SYNTAX', 'line does not end in "*" and 4 hex digits');
  const sentHex = line.slice(star + 1);
  const body = line.slice(0, star);
  const sent = Number.parseInt(sentHex, 16);
  const actual = crc16Ccitt(body);
  if (sent !== actual) {
    return reject('E_CRC', `checksum ${sentHex} does not match ${hex4(actual)}`);
  }
  // The body is the type and its pairs, each after one space (so an empty pair is a field without "=").
  const firstSpace = body.indexOf(' ');
  const type = firstSpace < 0 ? body : body.slice(0, firstSpace);
  if (!TYPE_RE.test(type)) return reject('E_SYNTAX', `type "${printable(type)}" is not 2-8 upper-case letters`);
  let pairCount = 0;
  for (let sp = firstSpace; sp >= 0; sp = body.indexOf(' ', sp + 1)) pairCount++;
  if (pairCount > MAX_FIELDS) return reject('E_SYNTAX', `${pairCount} fields, more than ${MAX_FIELDS}`);
  const fields: Array<[string, string]> = [];
  let start = firstSpace + 1; // 0: no pairs
  while (start > 0) {
    const next = body.indexOf(' ', start);
    const end = next < 0 ? body.length : next;
    const eq = body.indexOf('=', start);
    if (eq < 0 || eq >= end) return reject('E_SYNTAX', `field "${printable(body.slice(start, end))}" has no "="`);
    const key = body.slice(start, eq);
    if (!isKey(body, start, eq)) return reject('E_SYNTAX', `key "${printable(key)}" is not [a-z][a-z0-9_]{0,11}`);
    if (!isValue(body, eq + 1, end)) return reject('E_SYNTAX', `value of "${key}" is not 1-${MAX_VALUE_CHARS} printable characters`);
    // At most MAX_FIELDS: a scan is cheaper than a Set.
    for (const f of fields) if (f[0] === key) return reject('E_SYNTAX', `key "${key}" appears twice`);
    fields.push([key, body.slice(eq + 1, end)]);
    start = next + 1; // 0 after the last pair
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
  for (const f of frame.fields) if (f[0] === key) return f[1];
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
