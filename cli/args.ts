/**
 * Durations and numbers on the command line, each checked against its range; a value outside is a
 * UsageError that names the option and the range.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest delay a Node timer holds (2^31 − 1 ms, 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Parses a duration, a number with a unit: `500ms`, `30s`, `5m`, `2h`, `1d`. It must be at least 1 ms and
 * at most `maxMs` (default MAX_TIMER_MS, because every duration here ends up in a timer); throws a UsageError
 * naming the option and that range otherwise.
 */
export function parseDurationMs(text: string, option: string, maxMs = MAX_TIMER_MS): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`${option} must be a duration such as 30s, 5m, 2h or 500ms: "${text}"`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!Number.isFinite(ms) || ms < 1 || ms > maxMs) {
    const days = maxMs / UNIT_MS.d!;
    const max = days >= 1 ? `${maxMs}ms (${Math.floor(days * 10) / 10} days)` : `${maxMs}ms`;
    throw new UsageError(`${option} must be a duration from 1ms to ${max}: "${text}"`);
  }
  return ms;
}

/** A mistake on the command line: exit code 2 and the message, no stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses a positive integer option. */
export function parsePositiveInt(text: string, option: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`${option} must be an integer from 1 to ${max}: "${text}"`);
  }
  return Number(text);
}

/** Parses a TCP port; 0 asks the OS for a free one. */
export function parsePort(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`${option} must be a TCP port from 0 to 65535: "${text}"`);
  return Number(text);
}

/** The range of a number option: [min, max], or (min, max] with `above`; `integer` for whole numbers only. */
export interface NumberRange {
  min: number;
  max: number;
  above?: boolean;
  integer?: boolean;
  /** Said after the range in the message, e.g. "(a fifth of --gross-m3 to all of it)". */
  why?: string;
}

/** A number option (decimal or exponent notation): finite and inside `range`; a UsageError naming it otherwise. */
export function parseNumber(text: string, option: string, range: NumberRange): number {
  const value = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  const low = range.above ? value <= range.min : value < range.min;
  if (!Number.isFinite(value) || low || value > range.max || (range.integer && !Number.isInteger(value))) {
    const kind = range.integer ? 'an integer' : 'a number';
    const from = range.above ? `above ${range.min}` : `from ${range.min}`;
    throw new UsageError(`${option} must be ${kind} ${from} to ${range.max}${range.why ? ` ${range.why}` : ''}: "${text}"`);
  }
  return value;
}
