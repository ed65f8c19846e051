/**
 * The clock the bridge runs on, injected so that tests drive time by hand. Transport timeouts (a
 * command's answer, a handshake) use it; readings carry the board's own time.
 */

export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
