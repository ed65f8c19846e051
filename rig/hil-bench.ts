/**
 * A bench in `hil` mode on one machine: a simulated cell per board, each board a host-firmware process (or, per
 * cell with `target: 'avr-sim'`, the avr build in the simavr harness) whose UARTs are kernel PTYs (its sensor modules served by the simulator's O2-stream and Modbus CO2
 * emulators, rig/host-board.ts), and the bridge reading the boards' host links through the real serialport
 * binding.
 *
 * Time. The plant runs on its own virtual clock (`plantClock`), which the simulator's scaled real-time
 * driver advances by `timeScale` × the wall time elapsed on the injected `ticker` (a manual one in tests);
 * the plant steps and feeds its boards on that clock, every `tickMs` × `timeScale` plant ms. What the bridge's
 * clock is — and so what every time the bridge stores means — depends on `boardClock` (rig/README.md, "Bench
 * time"):
 *  - 'mono': the system clock, epoch ms at wall speed; boards count their own process time.
 *  - 'plant': `bridgeClock`, the plant's clock as epoch ms from the run's start (`runStartEpochMs` + plant
 *    ms), timers included; boards are sent the plant time. Reading times, alarm and event times, retention
 *    and `clock.now()` then all run at plant speed and agree. The bridge's transport timeouts (handshake,
 *    command, reconnect backoff) are passed multiplied by `timeScale`, so they last as long in wall time as in
 *    'mono'. Its silence check is in plant time too: keep one plant step (`tickMs` × `timeScale`) under 30 s,
 *    the window before the bridge has learned the board's period (e.g. a scale of 300 or less at 100 ms).
 *
 * Lifecycle: start() brings up boards, then the bridge, then the plant driver; stop() takes them down in
 * reverse order and always stops every process it started, even when start() failed half-way.
 */

import { closeSync, fchmodSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { startBridge, systemClock, type AuthOptions, type Clock, type LinkCounters, type RunningBridge } from '../bridge/index.js';
import {
  createCellPlant,
  createPlantEpochClock,
  createScaledRealtimeDriver,
  createVirtualClock,
  type CellPlant,
  type CellPlantOptions,
  type PlantEpochClock,
  type ScaledRealtimeDriver,
  type VirtualClock,
  type WallTime,
} from '../simulator/index.js';
import { HostBoard } from './host-board.js';

export interface HilCellOptions {
  /** The board's serial number, also its device id in the bridge. */
  serialNumber: string;
  /** Options of the simulated cell (preset, volumes, leak, seed ...). Default: the plant's defaults. */
  plant?: CellPlantOptions;
  /** The board on this cell: a gasboard (default), or a palletunit whose local loop drives the cell's N2 and
   * air valves (its fan has nothing to drive in the plant). */
  board?: 'gasboard' | 'palletunit';
  /** What runs the board: 'host', the host build as a process (default); 'avr-sim', the avr build in simavr
   * (slower to start, and its O2 UART is at 9600 baud: keep `periodMs` at 200 or more). */
  target?: 'host' | 'avr-sim';
  /**
   * The board's EEPROM file (boot counter, calibration, provisioning), for a board whose state outlives the
   * bench, as a real board's does. Made before the board starts if missing, readable and writable by its
   * owner only (0600), in folders made for their owner only (0700); folders that exist are left as they are.
   * Default: next to the board's PTY link in `runDir` (linkPath + ".eeprom"), which goes with a temp runDir.
   */
  eepromPath?: string;
}

/**
 * The wall time the plant driver measures and the repeating timer it ticks on (the simulator's `WallTime`):
 * `nowMs()` monotonic wall ms, `setInterval`/`clearInterval` the host's timer. Tests inject a manual one.
 */
export type Ticker = WallTime;

/** The process's own: `performance.now()` and the global interval timer. */
const processTicker: Ticker = {
  nowMs: () => performance.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** The bridge's transport timeouts at their defaults (bridge/app.ts), in wall ms. */
const BRIDGE_TRANSPORT_MS = { commandTimeoutMs: 2000, handshakeTimeoutMs: 2000, backoffMs: 250, maxBackoffMs: 30_000 } as const;

export interface HilBenchOptions {
  cells: HilCellOptions[];
  /** Plant seconds per wall second. Default 60 (one minute of storage each second). */
  timeScale?: number;
  /** Wall ms between plant steps and sensor updates to the boards. Default 100. */
  tickMs?: number;
  /** Boards' streaming period, board ms. Default 1000. */
  periodMs?: number;
  /** Folder for the boards' PTY symlinks. Default: a new folder under the OS temp dir. */
  runDir?: string;
  /** Bridge HTTP host and port. Defaults '127.0.0.1', 8080; port 0 picks a free one. */
  host?: string;
  port?: number;
  /** SQLite file for the bridge. Default '.cellbench/bench.sqlite'. */
  dbPath?: string;
  /** Plugins for the bridge's HTTP server, e.g. the dashboard. */
  bridgePlugins?: FastifyPluginAsync[];
  /** The bridge's auth. Default { mode: 'open' }: an open bench on loopback, anyone here acts as operator. */
  auth?: AuthOptions;
  /** The wall time and timer the plant driver ticks on. Default: the process's own (`performance.now()`, the global
   * `setInterval`). */
  ticker?: Ticker;
  /** With `boardClock: 'plant'`: the epoch ms that plant time 0 (the run's start) maps to on the bridge's clock.
   * Default: the system clock at start(). */
  runStartEpochMs?: number;
  /** Bridge logging. Default false. */
  logger?: boolean | { level: string };
  /** Called with every line a board prints on stderr. */
  onBoardLog?: (serialNumber: string, line: string) => void;
  /**
   * The boards' clock: 'mono' (default), each board process's own monotonic clock, and the bridge on the
   * system clock; 'plant', the plant's virtual time, sent to each board on its plant link before every sensor
   * update (board ms = plant ms), and the bridge on the plant's clock (`bridgeClock`, epoch ms from the run's
   * start). See "Time" above.
   */
  boardClock?: 'mono' | 'plant';
}

/**
 * Makes `path` an owner-only file (0600), empty if it is new (the board erases and sizes it), in folders
 * made 0700 where missing. The firmware would create it 0644; made here first, it keeps this mode.
 */
function makeOwnerOnlyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'a', 0o600);
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

export interface HilCell {
  serialNumber: string;
  plant: CellPlant;
  board: HostBoard;
}

export class HilBench {
  readonly cells: HilCell[] = [];
  bridge: RunningBridge | undefined;
  readonly runDir: string;
  private readonly opts: HilBenchOptions;
  private readonly ownsRunDir: boolean;
  private readonly timeScale: number;
  private readonly tickMs: number;
  /** The plant's virtual clock, ms since the run's start; the driver moves it, the plant steps on it. */
  readonly plantClock: VirtualClock = createVirtualClock();
  private epochClock: PlantEpochClock | undefined;
  private driver: ScaledRealtimeDriver | undefined;

  constructor(options: HilBenchOptions) {
    if (options.cells.length === 0) throw new Error('a bench needs at least one cell');
    const timeScale = options.timeScale ?? 60;
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`"timeScale" must be a positive number: ${timeScale}`);
    const tickMs = options.tickMs ?? 100;
    if (!(tickMs > 0) || !Number.isFinite(tickMs)) throw new RangeError(`"tickMs" must be a positive number: ${tickMs}`);
    this.timeScale = timeScale;
    this.tickMs = tickMs;
    this.opts = options;
    this.ownsRunDir = options.runDir === undefined;
    this.runDir = options.runDir ?? join(tmpdir(), `cellbench-${process.pid}`);
  }

  /**
   * The clock the bridge runs on: with `boardClock: 'plant'` the plant's clock as epoch ms from the run's start
   * (set by start()), otherwise the system clock.
   */
  get bridgeClock(): Clock {
    if (this.opts.boardClock !== 'plant') return systemClock;
    if (!this.epochClock) throw new Error('the bench is not started');
    return this.epochClock;
  }

  get url(): string {
    if (!this.bridge) throw new Error('the bench is not started');
    return this.bridge.url;
  }

  async start(): Promise<void> {
    try {
      mkdirSync(this.runDir, { recursive: true });
      const plantTime = this.opts.boardClock === 'plant';
      if (plantTime) {
        this.epochClock = createPlantEpochClock({ clock: this.plantClock, runStartEpochMs: this.opts.runStartEpochMs ?? systemClock.now() });
      }
      for (const cell of this.opts.cells) {
        const plant = createCellPlant(cell.plant ?? {});
        if (cell.eepromPath !== undefined) makeOwnerOnlyFile(cell.eepromPath);
        const board = await HostBoard.start({
          linkPath: join(this.runDir, cell.serialNumber),
          serialNumber: cell.serialNumber,
          periodMs: this.opts.periodMs ?? 1000,
          clock: this.opts.boardClock ?? 'mono',
          board: cell.board ?? 'gasboard',
          target: cell.target ?? 'host',
          ...(cell.eepromPath !== undefined ? { eepromPath: cell.eepromPath } : {}),
        });
        board.on('outputs', (o) => plant.setActuators({ n2: o.n2, air: o.air, scrub: o.scrub }));
        board.on('log', (line) => this.opts.onBoardLog?.(cell.serialNumber, line));
        this.cells.push({ serialNumber: cell.serialNumber, plant, board });
        this.feed(this.cells.at(-1)!);
      }
      this.bridge = await startBridge({
        host: this.opts.host ?? '127.0.0.1',
        port: this.opts.port ?? 8080,
        dbPath: this.opts.dbPath ?? '.cellbench/bench.sqlite',
        ports: this.cells.map((c) => ({ path: c.board.linkPath, periodMs: this.opts.periodMs ?? 1000 })),
        plugins: this.opts.bridgePlugins ?? [],
        logger: this.opts.logger ?? false,
        auth: this.opts.auth ?? { mode: 'open' },
        ...(plantTime ? { clock: this.bridgeClock, ...this.plantTimeTransport() } : {}),
      });
      this.startPlantDriver();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** The bridge's transport timeouts in plant ms, so that they last as long in wall time as on the system clock. */
  private plantTimeTransport(): Record<keyof typeof BRIDGE_TRANSPORT_MS, number> {
    const scaled = (ms: number): number => Math.round(ms * this.timeScale);
    return {
      commandTimeoutMs: scaled(BRIDGE_TRANSPORT_MS.commandTimeoutMs),
      handshakeTimeoutMs: scaled(BRIDGE_TRANSPORT_MS.handshakeTimeoutMs),
      backoffMs: scaled(BRIDGE_TRANSPORT_MS.backoffMs),
      maxBackoffMs: scaled(BRIDGE_TRANSPORT_MS.maxBackoffMs),
    };
  }

  /** One plant step's worth to a board: its time (on the plant clock), then a measurement by its modules. */
  private feed(cell: HilCell): void {
    const s = cell.plant.readSensors();
    if (this.opts.boardClock === 'plant') cell.board.setPlantTime(s.timeS * 1000);
    cell.board.feed({ o2Kpa: s.o2Kpa, co2Kpa: s.co2Kpa, tempC: s.tempC });
  }

  /**
   * The plant steps on its virtual clock, one step of `tickMs` × `timeScale` plant ms, and the scaled real-time
   * driver moves that clock by the wall time the ticker measures × `timeScale`: one step per tick when ticks
   * come on time, every step that fell due (in order) after a late one.
   */
  private startPlantDriver(): void {
    const plantStepS = (this.tickMs / 1000) * this.timeScale;
    this.plantClock.setInterval(() => {
      for (const cell of this.cells) {
        cell.plant.step(plantStepS);
        this.feed(cell);
      }
    }, this.tickMs * this.timeScale);
    this.driver = createScaledRealtimeDriver({
      clock: this.plantClock,
      wall: this.opts.ticker ?? processTicker,
      scale: this.timeScale,
      tickMs: this.tickMs,
    });
    this.driver.start();
  }

  /** Counters summed over every board. */
  totals(): LinkCounters {
    if (!this.bridge) return { frames: 0, stored: 0, rejected: 0, boardErrors: 0 };
    return this.bridge.app.devices.totals();
  }

  /** Stops the plant driver, the bridge and every board process; safe to call more than once. */
  async stop(): Promise<void> {
    // The driver's last advance (the wall time since its last tick) runs before the boards and bridge go.
    this.driver?.stop();
    this.driver = undefined;
    const bridge = this.bridge;
    this.bridge = undefined;
    if (bridge) await bridge.close();
    await Promise.all(this.cells.map((c) => c.board.stop()));
    if (this.ownsRunDir) rmSync(this.runDir, { recursive: true, force: true });
  }
}
