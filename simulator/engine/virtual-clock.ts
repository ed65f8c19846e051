/**
 * Virtual time in milliseconds, with timers that run in virtual time. The simulator is the single source
 * of plant time (DESIGN.md): nothing here reads the wall clock or uses the host's timers. It keeps the
 * project's clock contract (`Clock`, time/clock.ts) — `now()`, `setTimeout`, `clearTimeout` with opaque
 * handles — and adds what only a virtual clock can do: be moved (`advance`, `advanceTo`) and be looked into
 * (`pendingTimers`, `nextDueMs`).
 *
 * Modes. This clock is driven by hand: whoever owns it calls `advance(ms)`, and that is the whole story
 * for tests and for the `fast` mode's first slice. Two drivers sit on top of the same clock:
 *  - scaled real time (`scaled-realtime-driver.ts`, here now): advances the clock by the elapsed wall time
 *    times a scale, e.g. 1 s of wall time = 60 s of plant time for a demo; the wall clock and the host
 *    timer are injected.
 *  - lockstep (`lockstep-driver.ts`): advances the clock in quanta and waits at a barrier after each (the
 *    wasm firmware catching up with `WasmBoard.advanceTo`), as fast as the CPU goes.
 * Epoch milliseconds for the bridge come from `plant-epoch-clock.ts`, which maps this clock's time onto the
 * run's start.
 *
 * Timer semantics:
 *  - `advance(ms)` runs every timer due at or before `now() + ms`, in order of due time; timers due at the
 *    same time run in the order they were scheduled. While a timer runs, `now()` reads its due time.
 *  - A timer scheduled from inside a callback runs in the same `advance` if it falls due within it, so a
 *    chain of zero-delay timers all run (each after the ones already queued for that instant).
 *  - Handles are opaque objects (not numbers): a handle from another clock, or a number, never matches a
 *    timer here, so clearing it is ignored.
 *  - An interval reschedules itself at due + period before its callback runs; clearing it from inside
 *    its own callback stops it.
 *  - `advance` from inside a timer callback throws `SIM_ERR_CLOCK_REENTRANT`: nested time would break the
 *    ordering. If a callback throws, the error propagates; the clock stays at that timer's due time and
 *    the remaining due timers stay queued for the next `advance`.
 */
import type { Clock, TimerHandle } from '../../time/index.js';
import { SimulatorError } from '../simulator-error.js';

/** Opaque handle of a virtual timer: the contract's `TimerHandle` (the name is kept for existing imports). */
export type VirtualTimerId = TimerHandle;

export interface VirtualClockOptions {
  /** Virtual time at creation, ms. Default 0. */
  startMs?: number;
}

export interface VirtualClock extends Clock {
  /** Current virtual time, ms. */
  now(): number;
  /** Moves time forward by `ms` (finite, ≥ 0), running the timers that fall due, in order. */
  advance(ms: number): void;
  /** Moves time forward to `timeMs` (≥ `now()`), running the timers that fall due, in order. */
  advanceTo(timeMs: number): void;
  /** Runs `callback` once, `delayMs` (finite, ≥ 0) after now. */
  setTimeout(callback: () => void, delayMs: number): VirtualTimerId;
  /** Runs `callback` every `periodMs` (finite, > 0), first at now + periodMs. */
  setInterval(callback: () => void, periodMs: number): VirtualTimerId;
  /** Cancels a timeout; unknown, foreign or already-run handles are ignored, as with the host's `clearTimeout`. */
  clearTimeout(handle: VirtualTimerId): void;
  /** Cancels an interval; unknown handles are ignored. */
  clearInterval(handle: VirtualTimerId): void;
  /** Number of timers waiting to run. */
  pendingTimers(): number;
  /** Due time of the next timer, ms, or `undefined` when none is waiting. */
  nextDueMs(): number | undefined;
}

interface Timer {
  /** What the caller holds: a frozen empty object, so it says nothing and cannot be forged. */
  handle: TimerHandle;
  dueMs: number;
  /** Scheduling order, to break ties between timers due at the same time. */
  seq: number;
  /** 0 for a timeout. */
  periodMs: number;
  callback: () => void;
}

function checkMs(name: string, value: number, allowZero: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    const rule = allowZero ? 'a finite number ≥ 0' : 'a finite number > 0';
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"${name}" must be ${rule}: ${value}`);
  }
}

export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const startMs = options.startMs ?? 0;
  if (!Number.isFinite(startMs)) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"startMs" must be a finite number: ${startMs}`);
  }
  let nowMs = startMs;
  let nextSeq = 0;
  let advancing = false;
  /** Sorted by (dueMs, seq); the next timer to run is first. */
  const queue: Timer[] = [];

  function insert(timer: Timer): void {
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = queue[mid]!;
      if (other.dueMs < timer.dueMs || (other.dueMs === timer.dueMs && other.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, timer);
  }

  function schedule(callback: () => void, delayMs: number, periodMs: number): VirtualTimerId {
    if (typeof callback !== 'function') {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"callback" must be a function: ${typeof callback}`);
    }
    const handle = Object.freeze({}) as TimerHandle;
    insert({ handle, dueMs: nowMs + delayMs, seq: nextSeq++, periodMs, callback });
    return handle;
  }

  function clear(handle: VirtualTimerId): void {
    const index = queue.findIndex((t) => t.handle === handle);
    if (index >= 0) queue.splice(index, 1);
  }

  function advanceTo(targetMs: number): void {
    if (advancing) {
      throw new SimulatorError(
        'SIM_ERR_CLOCK_REENTRANT',
        `the virtual clock cannot be advanced from inside one of its timers (now ${nowMs} ms)`,
      );
    }
    if (!Number.isFinite(targetMs) || targetMs < nowMs) {
      throw new SimulatorError(
        'SIM_ERR_INVALID_OPTION',
        `"timeMs" must be a finite number ≥ now (${nowMs} ms): ${targetMs}`,
      );
    }
    advancing = true;
    try {
      for (;;) {
        const next = queue[0];
        if (next === undefined || next.dueMs > targetMs) break;
        queue.shift();
        nowMs = next.dueMs;
        if (next.periodMs > 0) {
          next.dueMs += next.periodMs;
          next.seq = nextSeq++;
          insert(next);
        }
        next.callback();
      }
      nowMs = targetMs;
    } finally {
      advancing = false;
    }
  }

  return {
    now: () => nowMs,
    advance(ms: number): void {
      checkMs('ms', ms, true);
      advanceTo(nowMs + ms);
    },
    advanceTo,
    setTimeout(callback: () => void, delayMs: number): VirtualTimerId {
      checkMs('delayMs', delayMs, true);
      return schedule(callback, delayMs, 0);
    },
    setInterval(callback: () => void, periodMs: number): VirtualTimerId {
      checkMs('periodMs', periodMs, false);
      return schedule(callback, periodMs, periodMs);
    },
    clearTimeout: clear,
    clearInterval: clear,
    pendingTimers: () => queue.length,
    nextDueMs: () => queue[0]?.dueMs,
  };
}
