/**
 * Drives a virtual clock at a fixed multiple of wall time, e.g. `scale: 60` for 1 s of wall time = 60 s
 * of plant time in a demo, or 3600 for 1 s = 1 h in a `hil` soak.
 *
 * On every tick of the injected host timer it advances the virtual clock by (wall time elapsed since the
 * previous tick) × scale. It measures elapsed wall time rather than counting ticks, so a late or skipped
 * tick does not make virtual time drift; after a long stall it catches up in one advance (the clock then
 * runs every timer that fell due, in order). The wall clock and the host timer are injected, so tests
 * drive this driver with fakes and nothing here reads `Date.now()` or calls the global timers.
 *
 * rig/hil-bench.ts drives its plant with it (`hil` mode): its `ticker` is this `WallTime`, the process's own
 * by default, and in tests a manual one whose every tick is one period of wall time.
 */
import { SimulatorError } from '../simulator-error.js';
import type { VirtualClock } from './virtual-clock.js';

/** The host's notion of time and its repeating timer, injected. */
export interface WallTime {
  /** Monotonic wall time, ms (e.g. `performance.now()`). */
  nowMs(): number;
  /** Repeating host timer (e.g. the global `setInterval`). */
  setInterval(callback: () => void, periodMs: number): unknown;
  /** Cancels what `setInterval` returned. */
  clearInterval(handle: unknown): void;
}

export interface ScaledRealtimeDriverOptions {
  /** The virtual clock to drive. Required. */
  clock: VirtualClock;
  /** Wall time source and host timer. Required (inject `performance` and the global timers in production). */
  wall: WallTime;
  /** Virtual ms per wall ms; finite, > 0. Default 60 (1 s wall = 1 min plant). */
  scale?: number;
  /** Wall ms between advances; finite, > 0. Default 100. */
  tickMs?: number;
}

export interface ScaledRealtimeDriver {
  /** Virtual ms per wall ms. */
  readonly scale: number;
  /** True between `start()` and `stop()`. */
  readonly running: boolean;
  /** Starts ticking. Throws `SIM_ERR_DRIVER_STATE` if already running. */
  start(): void;
  /** Advances the clock for the wall time elapsed since the last tick, then stops ticking. Idempotent. */
  stop(): void;
}

export function createScaledRealtimeDriver(options: ScaledRealtimeDriverOptions): ScaledRealtimeDriver {
  const { clock, wall } = options;
  const scale = options.scale ?? 60;
  const tickMs = options.tickMs ?? 100;
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"scale" must be a finite number > 0: ${scale}`);
  }
  if (!Number.isFinite(tickMs) || tickMs <= 0) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"tickMs" must be a finite number > 0: ${tickMs}`);
  }
  let handle: unknown;
  let running = false;
  let lastWallMs = 0;

  function tick(): void {
    const wallMs = wall.nowMs();
    const elapsedMs = wallMs - lastWallMs;
    lastWallMs = wallMs;
    // A wall clock that steps backwards (it should not: inject a monotonic one) never moves time back.
    if (elapsedMs > 0) clock.advance(elapsedMs * scale);
  }

  return {
    scale,
    get running() {
      return running;
    },
    start(): void {
      if (running) throw new SimulatorError('SIM_ERR_DRIVER_STATE', 'the scaled real-time driver is already running');
      running = true;
      lastWallMs = wall.nowMs();
      handle = wall.setInterval(tick, tickMs);
    },
    stop(): void {
      if (!running) return;
      wall.clearInterval(handle);
      running = false;
      tick();
    },
  };
}
