/**
 * Waiting on events, not on the wall clock. Each wait is bounded by the test's own timeout.
 */

import type { EventEmitter } from 'node:events';

/** Resolves with the arguments of the first `event` for which `predicate` holds. */
export function waitForEvent<T extends unknown[]>(
  emitter: EventEmitter | { on(e: string, f: (...a: T) => void): unknown; off(e: string, f: (...a: T) => void): unknown },
  event: string,
  predicate: (...args: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const handler = (...args: T): void => {
      if (!predicate(...args)) return;
      (emitter as EventEmitter).off(event, handler as never);
      resolve(args);
    };
    (emitter as EventEmitter).on(event, handler as never);
  });
}

/**
 * Re-checks `condition` after each turn of the event loop (setImmediate: I/O gets its turn) until it
 * holds. For state that is reached through I/O with no event to wait on; bounded by `maxTurns`.
 */
export async function until(condition: () => boolean, what: string, maxTurns = 200_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`gave up waiting for ${what}`);
}
