/**
 * Durations on the command line: a number with a unit, `500ms`, `30s`, `5m`, `2h`, `1d`.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration; throws a UsageError naming the option and what is allowed. */
export function parseDurationMs(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`${option} must be a duration such as 30s, 5m, 2h or 500ms: "${text}"`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${option} must be longer than zero: "${text}"`);
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
