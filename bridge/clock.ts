/**
 * The clock the bridge runs on, injected so that tests drive time by hand. Transport timeouts (a
 * command's answer, a handshake) use it; readings carry the board's own time.
 *
 * `Clock` and `TimerHandle` are the project's one clock contract (time/clock.ts, types only), re-exported
 * here so that `bridge/clock.js` stays the bridge's door to them. Which clock a bench hands the bridge, and
 * what its milliseconds mean in each run mode, is in rig/README.md ("Bench time").
 */

import type { Clock, TimerHandle } from '../time/index.js';

export type { Clock, TimerHandle } from '../time/index.js';

/**
 * The process's own clock: epoch ms at wall speed (`Date.now()`), and the host's timers, unref'd so that a
 * pending timeout never keeps the process alive. Its handles are Node's `Timeout` objects, opaque to callers.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t as unknown as TimerHandle;
  },
  // Only Node's own Timeout objects: a number would name a host timer by its id, which no handle of ours is.
  clearTimeout: (h) => {
    if (typeof h === 'object' && h !== null) clearTimeout(h as unknown as ReturnType<typeof setTimeout>);
  },
};
