/**
 * A bench in `hil` mode on one machine: a simulated cell per board, each board a host-firmware process (or, per
 * cell with `target: 'avr-sim'`, the avr build in the simavr harness) whose UARTs are kernel PTYs (its sensor modules served by the simulator's O2-stream and Modbus CO2
 * emulators, rig/host-board.ts), and the bridge reading the boards' host links through the real serialport
 * binding. The plant runs
 * on its own time, `timeScale` plant seconds per wall second, advanced on the injected timer.
 *
 * Lifecycle: start() brings up boards, then the bridge, then the plant driver; stop() takes them down in
 * reverse order and always stops every process it started, even when start() failed half-way.
 */

import { closeSync, fchmodSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { startBridge, type AuthOptions, type LinkCounters, type RunningBridge } from '../bridge/index.js';
import { createCellPlant, type CellPlant, type CellPlantOptions } from '../simulator/index.js';
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

export interface Ticker {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

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
  /** The timer that drives the plant. Default: the process's own. */
  ticker?: Ticker;
  /** Bridge logging. Default false. */
  logger?: boolean | { level: string };
  /** Called with every line a board prints on stderr. */
  onBoardLog?: (serialNumber: string, line: string) => void;
  /**
   * The boards' clock: 'mono' (default), each board process's own monotonic clock; 'plant', the plant's
   * virtual time, sent to each board on its plant link before every sensor update (board ms = plant ms).
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
  private ticker: unknown;

  constructor(options: HilBenchOptions) {
    if (options.cells.length === 0) throw new Error('a bench needs at least one cell');
    const timeScale = options.timeScale ?? 60;
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`"timeScale" must be a positive number: ${timeScale}`);
    this.opts = options;
    this.ownsRunDir = options.runDir === undefined;
    this.runDir = options.runDir ?? join(tmpdir(), `cellbench-${process.pid}`);
  }

  get url(): string {
    if (!this.bridge) throw new Error('the bench is not started');
    return this.bridge.url;
  }

  async start(): Promise<void> {
    try {
      mkdirSync(this.runDir, { recursive: true });
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
        ports: this.cells.map((c) => ({ path: c.board.linkPath })),
        plugins: this.opts.bridgePlugins ?? [],
        logger: this.opts.logger ?? false,
        auth: this.opts.auth ?? { mode: 'open' },
      });
      this.startPlantDriver();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** One plant step's worth to a board: its time (on the plant clock), then a measurement by its modules. */
  private feed(cell: HilCell): void {
    const s = cell.plant.readSensors();
    if (this.opts.boardClock === 'plant') cell.board.setPlantTime(s.timeS * 1000);
    cell.board.feed({ o2Kpa: s.o2Kpa, co2Kpa: s.co2Kpa, tempC: s.tempC });
  }

  private startPlantDriver(): void {
    const tickMs = this.opts.tickMs ?? 100;
    const plantStepS = (tickMs / 1000) * (this.opts.timeScale ?? 60);
    const ticker = this.opts.ticker ?? globalThis;
    this.ticker = ticker.setInterval(() => {
      for (const cell of this.cells) {
        cell.plant.step(plantStepS);
        this.feed(cell);
      }
    }, tickMs);
  }

  /** Counters summed over every board. */
  totals(): LinkCounters {
    if (!this.bridge) return { frames: 0, stored: 0, rejected: 0, boardErrors: 0 };
    return this.bridge.app.devices.totals();
  }

  /** Stops the plant driver, the bridge and every board process; safe to call more than once. */
  async stop(): Promise<void> {
    if (this.ticker !== undefined) {
      (this.opts.ticker ?? globalThis).clearInterval(this.ticker as ReturnType<typeof setInterval>);
      this.ticker = undefined;
    }
    const bridge = this.bridge;
    this.bridge = undefined;
    if (bridge) await bridge.close();
    await Promise.all(this.cells.map((c) => c.board.stop()));
    if (this.ownsRunDir) rmSync(this.runDir, { recursive: true, force: true });
  }
}
