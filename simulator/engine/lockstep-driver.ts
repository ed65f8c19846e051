/**
 * Lockstep, as fast as possible: the `fast` mode's clock driver (DESIGN.md). It advances a virtual clock
 * in fixed quanta and, after each quantum, waits for a barrier — the other side (the wasm firmware, a
 * bridge under test) says it has caught up with that time — before the next one. No wall clock: the run
 * goes as fast as both sides compute, and it is deterministic, because the order of events is fixed by
 * virtual time alone.
 *
 *     for t = now + q, now + 2q, … ≤ until:   clock.advanceTo(t);  await barrier(t)
 *
 * The last quantum is shortened to land exactly on `untilMs`. A barrier that throws or rejects stops the
 * run with its error, the clock staying at the quantum it had reached.
 */
import { SimulatorError } from '../simulator-error.js';
import type { VirtualClock } from './virtual-clock.js';

export interface LockstepDriverOptions {
  /** The virtual clock to drive. Required. */
  clock: VirtualClock;
  /** Virtual ms per quantum, finite, > 0. Default 100. */
  quantumMs?: number;
  /** Called after each quantum with the new virtual time; the next quantum waits for it. Default: none. */
  barrier?: (nowMs: number) => void | Promise<void>;
}

export interface LockstepDriver {
  readonly quantumMs: number;
  /** True while `runUntil` is running. */
  readonly running: boolean;
  /** Advances quantum by quantum to `untilMs` (≥ now). Rejects with SIM_ERR_DRIVER_STATE if already running. */
  runUntil(untilMs: number): Promise<void>;
}

export function createLockstepDriver(options: LockstepDriverOptions): LockstepDriver {
  const { clock } = options;
  const quantumMs = options.quantumMs ?? 100;
  if (!Number.isFinite(quantumMs) || quantumMs <= 0) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"quantumMs" must be a finite number > 0: ${quantumMs}`);
  }
  const barrier = options.barrier;
  let running = false;
  return {
    quantumMs,
    get running() {
      return running;
    },
    async runUntil(untilMs: number): Promise<void> {
      if (running) throw new SimulatorError('SIM_ERR_DRIVER_STATE', 'the lockstep driver is already running');
      if (!Number.isFinite(untilMs) || untilMs < clock.now()) {
        throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"untilMs" must be a finite time ≥ now (${clock.now()}): ${untilMs}`);
      }
      running = true;
      try {
        while (clock.now() < untilMs) {
          clock.advanceTo(Math.min(untilMs, clock.now() + quantumMs));
          if (barrier) await barrier(clock.now());
        }
      } finally {
        running = false;
      }
    },
  };
}
