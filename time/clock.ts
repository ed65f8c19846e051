/**
 * The clock contract: what every part of the bench that needs time is given, and what every clock keeps —
 * the system clock (bridge/clock.ts), the simulator's virtual clock (simulator/engine/virtual-clock.ts), the
 * plant clock the bridge runs on in plant time (simulator/engine/plant-epoch-clock.ts) and the tests' manual
 * clock (test/helpers/manual-clock.ts). One conformance suite (test/bridge/clock-conformance.test.ts) runs
 * on each of them.
 *
 * Types only: nothing here runs, so every folder may import it without depending on another's code.
 */

declare const timerHandleBrand: unique symbol;

/**
 * A pending timer, as its clock handed it out. Opaque: it is not a number, its contents are the clock's
 * business, and the only thing to do with it is give it back to the same clock's `clearTimeout`.
 */
export interface TimerHandle {
  readonly [timerHandleBrand]: 'TimerHandle';
}

/**
 * Time in milliseconds and one-shot timers on that time.
 *
 * Obligations of every implementation:
 *  - `now()` never goes back while time only runs forward (the system clock reads the OS wall clock, which an
 *    operator or NTP may step back: code that measures a duration uses a timer, not a difference of two
 *    `now()`s, wherever a step matters).
 *  - `setTimeout(fn, delayMs)` with a finite `delayMs` ≥ 0 runs `fn` once, when `now()` has reached the time
 *    it was called plus `delayMs`, never earlier, and never from inside the `setTimeout` call itself. Timers
 *    run in order of due time; timers due at the same time run in the order they were set. What a negative
 *    or non-finite delay does is the implementation's (the virtual clock refuses it).
 *  - `clearTimeout(handle)` before the timer ran means it never runs; a handle that has run, was cleared
 *    already, or comes from another clock is ignored.
 *  - Handles are opaque (see `TimerHandle`) and each `setTimeout` returns a new one.
 *
 * What the milliseconds mean is the clock's: epoch ms at wall speed (the system clock), virtual ms (the
 * virtual clock), plant time mapped to epoch ms from a run's start (the plant clock), a test's own epoch (the
 * manual clock). rig/README.md, "Bench time", says which one each run mode hands the bridge.
 */
export interface Clock {
  /** Current time, ms. */
  now(): number;
  /** Runs `fn` once, `delayMs` after now. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; ignored when it has run, was cleared, or is not this clock's. */
  clearTimeout(handle: TimerHandle): void;
}
