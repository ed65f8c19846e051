/**
 * A bench in `fast` mode (DESIGN.md, "Three ways to run the same scenario"): in one process, a simulated
 * plant per cell, the board's wasm firmware behind the in-memory serialport binding, the real bridge (the
 * Fastify app and its SQLite store, no socket) and a controller speaking the bridge's API through the
 * in-process client — all on one virtual clock, as fast as the CPU goes. It is the base of the scenario
 * runner (issue 12): `createFastBench(options)`, `start()`, `runFor(ms)` / `runUntil(plantMs)`, the parts for
 * a scenario to act on (`cell(id).plant`, `.board`, `openDoor`, `client`, `app`), `record()`, `close()`.
 *
 *     const bench = createFastBench({ cells: [{ serialNumber: 'GB-1' }], seed: 7, controller: 'reference' });
 *     await bench.start();
 *     await bench.runFor(3 * 86_400_000);     // three plant days
 *     const rec = bench.record();              // the same for the same seed, byte for byte
 *     await bench.close();
 *
 * Time. One virtual clock, `plantClock`: plant ms since the run's start. The plants step on it, each board's
 * clock is moved to it (`WasmBoard.advanceTo`: board ms = plant ms), and the bridge runs on it as epoch ms
 * (`bridgeClock`, `runStartEpochMs` + plant ms, rig/README.md "Bench time"), timers included: a reading
 * measured at plant time T is stored at runStartEpochMs + T, and so are its alarm, event and command times.
 * Nothing reads the wall clock, except `timings()` (performance.now() around each part: measuring, never
 * pacing) and, with `controller: { listen }`, the timeout on a controller in another process.
 *
 * Lockstep. The run is a sequence of moments in plant time, each handled to the end before the next:
 *  - a sample moment, one CO2 poll before each reading (k × periodMs − min(periodMs, 1000)): the plant's
 *    sensors are read, the CO2 module emulator gets the values its next poll is answered with, and the O2
 *    module's line goes to the board, which takes both in at that moment (its reading's time is this one);
 *    a cell with `o2StreamMs` below the period (a palletunit, whose local loop wants a fresh O2 value at
 *    least every 10 s) gets a sample every `o2StreamMs` as well;
 *  - a reading moment (k × periodMs): the board sends its RD line;
 *  - every bridge timer's due time (handshake retries, silence checks, retention...), and each plant hour
 *    (a row of `record()`).
 * At a moment m: the boards are advanced to m (each Modbus request answered at once by its module emulator),
 * the virtual clock is advanced to m (the bridge's timers due by then run), then the bench lets the bridge
 * take in what the boards wrote (one macrotask turn: every microtask and nextTick has run by then), then
 * waits for the controller's `idle()`: every reading handled, every command it sent ACKed, every record
 * saved. A command's bytes reach the board through the binding and the board answers on the next microtask
 * at the same moment m, so no transport timeout (all on the virtual clock) can fall due meanwhile. A board
 * output that changes (a valve) is applied to its plant at once: the plant is first stepped to m with the
 * actuators it had, then switched. Plants step lazily, to each moment that needs them (a sample, a valve,
 * an hour row, the end of a run), with the actuators held in between.
 *
 * Determinism. Everything that happens is ordered by plant time and, within a moment, by the fixed order
 * of cells and of the event loop's queues; the plants' noise is seeded (`seed` × 1000 + the cell's index
 * unless the cell sets its own), the run starts at a fixed epoch (`runStartEpochMs`, default
 * DEFAULT_RUN_START_EPOCH_MS), and the store is in memory. The same options give the same `record()`,
 * byte for byte, in JSON.
 *
 * Lifecycle: start() loads the boards, builds the bridge (listening only with `controller: { listen }`),
 * waits for every board to be identified, then starts the controller; close() stops the controller, the
 * client and the bridge, always, and is safe to call twice.
 */

import type { FastifyInstance } from 'fastify';
import { buildApp, startBridge, type AuthOptions, type CellConfig, type RunningBridge } from '../bridge/index.js';
import {
  createDcaController,
  type BridgeClient,
  type BridgeEvents,
  type CommandOutcome,
  type ControllerCommand,
  type ControllerRecord,
  type ControllerRuntime,
  type DcaControllerOptions,
  type DecisionLogEntry,
  type ReadingView,
  type StoredControllerRecord,
} from '../controller/index.js';
import { UART, WasmBoard, WasmLinkBinding, type WasmBoardKind } from '../firmware/wasm/index.js';
import {
  createCellPlant,
  createPlantEpochClock,
  createVirtualClock,
  formatO2Line,
  ModbusCo2Module,
  type CellPlant,
  type CellPlantOptions,
  type PlantEpochClock,
  type VirtualClock,
} from '../simulator/index.js';
import { createInProcessClient } from './in-process-client.js';

/** The default run start: 15 September 2026, 00:00 UTC, a harvest date; fixed so that records repeat. */
export const DEFAULT_RUN_START_EPOCH_MS = Date.UTC(2026, 8, 15);

const HOUR_MS = 3_600_000;
/** The gasboard asks its CO2 module this long before each reading, or a period if shorter (GB_CO2_LEAD_MS). */
const CO2_LEAD_MS = 1000;
/** A palletunit's loop takes a sensor without a fresh value for 10 s as failed (firmware/palletunit/config.h). */
const PALLETUNIT_O2_STREAM_MS = 1000;
/** Board outputs that drive the plant: gasboard (cell 1) n2 0, air 1, scrub 2; palletunit n2 0, air 1 (2 is its fan). */
const OUTPUTS: Record<WasmBoardKind, Partial<Record<number, 'n2' | 'air' | 'scrub'>>> = {
  gasboard: { 0: 'n2', 1: 'air', 2: 'scrub' },
  palletunit: { 0: 'n2', 1: 'air' },
};
/** Macrotask turns start() waits for every board to be identified (each turn lets one round trip finish). */
const HANDSHAKE_TURNS = 200;

export interface FastCellOptions {
  /** The bench cell's id in the bridge. Default: the serial number (the bridge's default cell of a board). */
  id?: string;
  /** The board's serial number, also its device id in the bridge; up to 16 of [A-Za-z0-9-]. */
  serialNumber: string;
  /** Default 'gasboard'. A palletunit's local loop drives the cell's N2 and air valves. */
  board?: WasmBoardKind;
  /** The simulated cell. Default: the plant's defaults, with the seed from the bench's `seed`. */
  plant?: CellPlantOptions;
  /** How often the O2 module sends a line, plant ms; a divisor of `periodMs`. Default: once a reading
   * (gasboard), 1000 (palletunit, whose loop needs a fresh value every 10 s). */
  o2StreamMs?: number;
}

/** A controller in this process: given the in-process client and the bench's decision log. */
export type ControllerFactory = (client: BridgeClient, log: (entry: DecisionLogEntry) => void) => ControllerRuntime;

export interface ListenOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Port 0 picks a free one (see `url`). */
  port: number;
  /** Wall ms to wait for the controller's record to reach a reading before the run fails. Default 30000. */
  recordTimeoutMs?: number;
}

export interface FastBenchOptions {
  cells: FastCellOptions[];
  /** Seeds each cell's plant as seed × 1000 + the cell's index, unless the cell sets its own. Default 1. */
  seed?: number;
  /** The boards' reading period, plant ms; at least 1000 and a multiple of 1000. Default 60000 (one a minute). */
  periodMs?: number;
  /** Epoch ms that plant time 0 is on the bridge's clock. Default DEFAULT_RUN_START_EPOCH_MS (never the system clock). */
  runStartEpochMs?: number;
  /**
   * Who controls the cells. 'reference' (default): the reference RQ-DCA (controller/dca-controller.ts) in
   * this process; 'none': nobody (a scenario or test drives the valves through `client`); a factory: your own
   * in-process controller; `{ listen }`: the bridge listens on HTTP and a controller in another process
   * drives it (it must save its record with status.atMs of each reading, LOCKSTEP_PACING).
   */
  controller?: 'reference' | 'none' | ControllerFactory | { listen: ListenOptions };
  /** Settings of the reference controller over its defaults. */
  controllerConfig?: DcaControllerOptions['config'];
  /** SQLite file for the bridge. Default ':memory:'. */
  dbPath?: string;
  /** The bridge's auth. Default { mode: 'open' }. */
  auth?: AuthOptions;
  /** An API token for the in-process client (with auth mode 'tokens'). Default none. */
  token?: string;
  /** Keep the controller's decisions in `decisions` and in `record()`. Default true. */
  logDecisions?: boolean;
}

export interface FastCell {
  readonly id: string;
  readonly serialNumber: string;
  readonly kind: WasmBoardKind;
  readonly plant: CellPlant;
  readonly board: WasmBoard;
  /** The CO2 module emulator on the board's UART2: set `.fault` to make it misbehave. */
  readonly co2Module: ModbusCo2Module;
}

/** One row of a cell's hourly record: the plant's truth and what the controller last said. */
export interface FastRecordRow {
  /** Plant hours since the run's start. */
  h: number;
  o2Kpa: number;
  co2Kpa: number;
  /** The controller's O2 setpoint and state as in its last saved record; null before one. */
  o2SetpointKpa: number | null;
  state: string | null;
  n2: boolean;
  air: boolean;
  scrub: boolean;
}

export interface FastCellRecord {
  id: string;
  serialNumber: string;
  board: WasmBoardKind;
  seed: number;
  rows: FastRecordRow[];
  decisions: Array<Omit<DecisionLogEntry, 'cellId'>>;
  counts: { readingsStored: number; readingsPublished: number; commandsOk: number; commandsFailed: number; recordsSaved: number; decisions: number };
}

export interface FastRecord {
  runStartEpochMs: number;
  periodMs: number;
  seed: number;
  plantMs: number;
  cells: FastCellRecord[];
}

/** Wall ms spent in each part since start() returned (the run, not the loading), and the moments handled. */
export interface FastTimings {
  plantMs: number;
  /** The sensor-module emulators: the CO2 module's Modbus answers, the O2 module's lines. */
  modulesMs: number;
  firmwareMs: number;
  /** Ingest (serial stream, parser, pipeline, store, events, alarms), the bridge's timers, and the routes the controller called. */
  bridgeMs: number;
  /** The controller's own work (its requests to the bridge not included). */
  controllerMs: number;
  /** The bench's own loop. */
  benchMs: number;
  totalMs: number;
  moments: number;
}

export interface FastBench {
  readonly options: Readonly<FastBenchOptions>;
  readonly cells: readonly FastCell[];
  /** The plants, in the order of `options.cells`. */
  readonly plants: readonly CellPlant[];
  /** The plant's virtual clock, ms since the run's start. */
  readonly plantClock: VirtualClock;
  /** The bridge's clock: plant time as epoch ms. */
  readonly bridgeClock: PlantEpochClock;
  /** Plant ms since the run's start. */
  readonly plantMs: number;
  /** The bridge app (after start()). */
  readonly app: FastifyInstance;
  /** The in-process BridgeClient (after start()). */
  readonly client: BridgeClient;
  /** With `controller: { listen }`: the bridge's URL (after start()). */
  readonly url: string | undefined;
  /** The controller's decisions so far (with `logDecisions`). */
  readonly decisions: readonly DecisionLogEntry[];
  cell(id: string): FastCell;
  start(): Promise<void>;
  /** Runs `ms` of plant time. */
  runFor(ms: number): Promise<void>;
  /** Runs until plant time `plantMs` (≥ now). */
  runUntil(plantMs: number): Promise<void>;
  /** Opens or closes a cell's door: the plant's door, and `PUT /api/cells/:id/door` so that the bridge knows. */
  openDoor(cellId: string, open: boolean): Promise<void>;
  /**
   * Stops the in-process controller and starts a new one from the same options, as after a kill and a
   * restart: the new one knows only what the old one saved in the bridge (its records).
   */
  restartController(): Promise<void>;
  record(): FastRecord;
  timings(): FastTimings;
  close(): Promise<void>;
}

export function createFastBench(options: FastBenchOptions): FastBench {
  return new FastBenchImpl(options);
}

// ---------------------------------------------------------------------------------------------------------
// Where the wall time goes: one part at a time, switched at the seams (the boards' polls, the plants'
// steps, the client's requests, the loop's phases).

type Part = 'plant' | 'modules' | 'firmware' | 'bridge' | 'controller' | 'bench';

class TimeMeter {
  readonly totals: Record<Part, number> = { plant: 0, modules: 0, firmware: 0, bridge: 0, controller: 0, bench: 0 };
  private current: Part = 'bench';
  private since = performance.now();

  /** Zero totals, from now on, in the bench's own time. */
  reset(): void {
    for (const part of Object.keys(this.totals) as Part[]) this.totals[part] = 0;
    this.current = 'bench';
    this.since = performance.now();
  }

  /** From now on the time is `part`'s; returns whose it was. */
  switchTo(part: Part): Part {
    const now = performance.now();
    this.totals[this.current] += now - this.since;
    this.since = now;
    const was = this.current;
    this.current = part;
    return was;
  }

  /** Runs `fn` as `part`'s time, then goes back to whoever had it. */
  run<T>(part: Part, fn: () => T): T {
    if (part === this.current) return fn(); // already its time (a board polled inside the firmware's phase)
    const was = this.switchTo(part);
    try {
      return fn();
    } finally {
      this.switchTo(was);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------

interface CellRun extends FastCell {
  index: number;
  seed: number;
  o2StreamMs: number;
  rows: FastRecordRow[];
  lastRecord: { o2SetpointKpa: number | null; state: string } | null;
  counts: { readingsPublished: number; commandsOk: number; commandsFailed: number; recordsSaved: number };
  /** The newest reading time published for this cell, bridge ms. */
  lastReadingAtMs: number;
  /** The CO2 module's last answer to the board's poll, while its values stay as they are (see wireBoard). */
  co2Memo: { request: Buffer; reply: Buffer } | null;
}

class FastBenchImpl implements FastBench {
  readonly options: Readonly<FastBenchOptions>;
  readonly plantClock: VirtualClock = createVirtualClock();
  readonly bridgeClock: PlantEpochClock;
  readonly decisions: DecisionLogEntry[] = [];
  private readonly runs: CellRun[] = [];
  private readonly periodMs: number;
  private readonly sampleLeadMs: number;
  private readonly seed: number;
  private readonly meter = new TimeMeter();
  private appValue: FastifyInstance | undefined;
  private running: RunningBridge | undefined;
  private clientValue: BridgeClient | undefined;
  private runtime: ControllerRuntime | undefined;
  private unsubscribe: (() => void) | undefined;
  private started = false;
  private closed = false;
  private runningLoop = false;
  private moments = 0;
  private nextRowMs = 0;
  private newReadings: ReadingView[] = [];
  /** A board wrote to its host link since the last macrotask turn: the bridge has something to take in. */
  private hostBytes = false;

  constructor(options: FastBenchOptions) {
    if (!Array.isArray(options.cells) || options.cells.length === 0) throw new RangeError('"cells" must list at least one cell');
    const periodMs = options.periodMs ?? 60_000;
    if (!Number.isInteger(periodMs) || periodMs < 1000 || periodMs % 1000 !== 0) {
      throw new RangeError(`"periodMs" must be a whole number of seconds, at least 1000: ${periodMs}`);
    }
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed)) throw new RangeError(`"seed" must be an integer: ${seed}`);
    const runStart = options.runStartEpochMs ?? DEFAULT_RUN_START_EPOCH_MS;
    if (!Number.isFinite(runStart)) throw new RangeError(`"runStartEpochMs" must be a finite number: ${runStart}`);
    const ids = new Set<string>();
    const serials = new Set<string>();
    for (const [i, c] of options.cells.entries()) {
      const id = c.id ?? c.serialNumber;
      if (typeof c.serialNumber !== 'string' || !/^[A-Za-z0-9-]{1,16}$/.test(c.serialNumber)) {
        throw new RangeError(`cells[${i}].serialNumber must be 1 to 16 characters of [A-Za-z0-9-]: "${String(c.serialNumber)}"`);
      }
      if (serials.has(c.serialNumber)) throw new RangeError(`cells[${i}].serialNumber "${c.serialNumber}" is used twice`);
      if (ids.has(id)) throw new RangeError(`cells[${i}]: cell id "${id}" is used twice`);
      const stream = c.o2StreamMs ?? (c.board === 'palletunit' ? PALLETUNIT_O2_STREAM_MS : periodMs);
      if (!Number.isInteger(stream) || stream < 1000 || periodMs % stream !== 0) {
        throw new RangeError(`cells[${i}].o2StreamMs must be a whole number of ms, at least 1000, that divides periodMs (${periodMs}): ${stream}`);
      }
      ids.add(id);
      serials.add(c.serialNumber);
    }
    this.options = options;
    this.periodMs = periodMs;
    this.sampleLeadMs = Math.min(periodMs, CO2_LEAD_MS);
    this.seed = seed;
    this.bridgeClock = createPlantEpochClock({ clock: this.plantClock, runStartEpochMs: runStart });
  }

  get cells(): readonly FastCell[] {
    return this.runs;
  }

  get plants(): readonly CellPlant[] {
    return this.runs.map((r) => r.plant);
  }

  get plantMs(): number {
    return this.plantClock.now();
  }

  get app(): FastifyInstance {
    if (!this.appValue) throw new Error('the fast bench is not started: call start() first');
    return this.appValue;
  }

  get client(): BridgeClient {
    if (!this.clientValue) throw new Error('the fast bench is not started: call start() first');
    return this.clientValue;
  }

  get url(): string | undefined {
    return this.running?.url;
  }

  cell(id: string): FastCell {
    const run = this.runs.find((r) => r.id === id || r.serialNumber === id);
    if (!run) throw new Error(`no cell "${id}" on this bench; cells are ${this.runs.map((r) => `"${r.id}"`).join(', ')}`);
    return run;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) throw new Error('the fast bench is already started');
    if (this.closed) throw new Error('the fast bench is closed');
    this.started = true;
    try {
      await this.startParts();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private async startParts(): Promise<void> {
    const opts = this.options;
    const binding = new WasmLinkBinding();
    for (const [index, c] of opts.cells.entries()) {
      const kind = c.board ?? 'gasboard';
      const seed = c.plant?.seed ?? this.seed * 1000 + index;
      const plant = createCellPlant({ ...c.plant, seed });
      const board = await WasmBoard.load({ board: kind, serialNumber: c.serialNumber, periodMs: this.periodMs });
      const co2Module = new ModbusCo2Module({ seed: seed + 1 });
      const run: CellRun = {
        id: c.id ?? c.serialNumber, serialNumber: c.serialNumber, kind, plant, board, co2Module, index, seed,
        o2StreamMs: c.o2StreamMs ?? (kind === 'palletunit' ? PALLETUNIT_O2_STREAM_MS : this.periodMs),
        rows: [], lastRecord: null,
        counts: { readingsPublished: 0, commandsOk: 0, commandsFailed: 0, recordsSaved: 0 },
        lastReadingAtMs: -Infinity,
        co2Memo: null,
      };
      this.wireBoard(run);
      binding.register(`wasm:${c.serialNumber}`, board);
      this.runs.push(run);
    }
    // The modules have values before the board's first poll (the CO2 module is asked at power-up).
    for (const run of this.runs) run.board.toUart(UART.o2, this.sample(run));

    const cells: CellConfig[] = this.runs.filter((r) => r.id !== r.serialNumber).map((r) => ({ id: r.id, deviceId: r.serialNumber }));
    const bridgeOptions = {
      // The bridge is told each board's period, as a bench's configuration would: at one reading a minute it
      // cannot learn it before its 30 s silence limit.
      ports: this.runs.map((r) => ({ path: `wasm:${r.serialNumber}`, periodMs: this.periodMs })),
      binding,
      dbPath: opts.dbPath ?? ':memory:',
      clock: this.bridgeClock,
      auth: opts.auth ?? { mode: 'open' as const },
      ...(cells.length > 0 ? { cells } : {}),
    };
    const listen = typeof opts.controller === 'object' ? opts.controller.listen : undefined;
    if (listen) {
      this.running = await startBridge({ ...bridgeOptions, host: listen.host ?? '127.0.0.1', port: listen.port });
      this.appValue = this.running.app;
    } else {
      this.appValue = buildApp(bridgeOptions);
      await this.appValue.ready();
    }
    const app = this.appValue;
    this.unsubscribe = app.events.subscribe((e) => {
      if (e.kind === 'reading') this.newReadings.push(e.reading);
    });
    await this.waitForBoardsOpen();

    this.clientValue = this.timedClient(createInProcessClient(app, opts.token !== undefined ? { token: opts.token } : {}));
    this.runtime = this.newController();
    if (this.runtime) await this.meter.run('controller', () => this.runtime!.start());
    this.takeRow();
    // What start() took (wasm, the app, the handshakes) is no part's share of a run.
    this.meter.reset();
  }

  /** The in-process controller the options ask for, not started; undefined for 'none' and `listen`. */
  private newController(): ControllerRuntime | undefined {
    const opts = this.options;
    const log = (entry: DecisionLogEntry): void => {
      if (opts.logDecisions ?? true) this.decisions.push(entry);
    };
    const controller = opts.controller ?? 'reference';
    if (controller === 'reference') {
      return createDcaController({ client: this.clientValue!, cells: this.runs.map((r) => r.id), log, ...(opts.controllerConfig ? { config: opts.controllerConfig } : {}) });
    }
    if (typeof controller === 'function') return controller(this.clientValue!, log);
    return undefined;
  }

  async restartController(): Promise<void> {
    if (!this.runtime) throw new Error('fast bench: restartController() needs an in-process controller (\'reference\' or a factory)');
    const old = this.runtime;
    this.runtime = undefined;
    await this.meter.run('controller', () => old.stop());
    // What a killed controller had in memory is gone; what it saved in the bridge is what the new one has.
    this.runtime = this.newController();
    await this.meter.run('controller', () => this.runtime!.start());
    this.meter.switchTo('bench');
  }

  /** A board's outputs drive its plant's actuators, and its polls are the firmware's time. */
  private wireBoard(run: CellRun): void {
    const { board, plant, co2Module } = run;
    const outputs = OUTPUTS[run.kind];
    board.on('output', (index, on) => {
      const actuator = outputs[index];
      if (actuator === undefined || plant.actuators[actuator] === on) return;
      // The valve switches now: the plant runs up to now with the actuators it had.
      this.meter.run('plant', () => this.syncPlant(run));
      plant.setActuators({ [actuator]: on });
    });
    board.on('uartData', (uart, bytes) => {
      if (uart !== UART.co2) return; // the O2 module ignores what it is sent
      // Answered at once, at the moment the request went out (the wasm board lives on the virtual clock). The
      // board asks the same question every second and the module's values change only at a sample moment,
      // so a fault-free module's answer is kept until then: the same bytes as receive() would give, its
      // `answered` count kept, without framing and CRCs 60 times a reading. Any fault goes through receive().
      const memo = run.co2Memo;
      if (memo && co2Module.fault === 'none' && memo.request.equals(bytes)) {
        co2Module.counts.answered++;
        board.toUart(UART.co2, memo.reply);
        return;
      }
      const replies = this.meter.run('modules', () => co2Module.receive(bytes));
      run.co2Memo = co2Module.fault === 'none' && replies.length === 1 ? { request: Buffer.from(bytes), reply: replies[0]!.bytes } : null;
      for (const reply of replies) board.toUart(UART.co2, reply.bytes);
    });
    board.on('hostData', () => {
      this.hostBytes = true;
    });
    const poll = board.pollNow.bind(board);
    board.pollNow = () => this.meter.run('firmware', poll);
  }

  /** Lets the handshakes run (HELLO, ID) at plant time 0 until every board is open. */
  private async waitForBoardsOpen(): Promise<void> {
    const app = this.app;
    for (let turn = 0; turn < HANDSHAKE_TURNS; turn++) {
      const states = new Map(app.devices.list().map((d) => [d.id, d.state] as const));
      if (this.runs.every((r) => states.get(r.serialNumber) === 'open')) return;
      await macrotaskTurn();
    }
    const states = new Map(app.devices.list().map((d) => [d.id, d.state] as const));
    const notOpen = this.runs.filter((r) => states.get(r.serialNumber) !== 'open').map((r) => `${r.serialNumber} (${states.get(r.serialNumber) ?? 'not seen'})`);
    throw new Error(`fast bench: the bridge did not identify board(s) ${notOpen.join(', ')} at start; is the wasm build current (make -C firmware wasm)?`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown> | undefined): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    await attempt(() => this.runtime?.stop());
    await attempt(() => this.clientValue?.close());
    this.unsubscribe?.();
    await attempt(() => (this.running ? this.running.close() : this.appValue?.close()));
    if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
  }

  // ---- the lockstep loop -------------------------------------------------------------------------------

  async runFor(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`"ms" must be a finite number ≥ 0: ${ms}`);
    await this.runUntil(this.plantMs + ms);
  }

  async runUntil(plantMs: number): Promise<void> {
    if (!this.started || !this.appValue) throw new Error('the fast bench is not started: call start() first');
    if (this.closed) throw new Error('the fast bench is closed');
    if (this.runningLoop) throw new Error('the fast bench is already running: await the runFor/runUntil in progress');
    if (!Number.isFinite(plantMs) || plantMs < this.plantMs) throw new RangeError(`"plantMs" must be a finite time ≥ now (${this.plantMs}): ${plantMs}`);
    this.runningLoop = true;
    try {
      while (this.plantMs < plantMs) await this.moment(this.nextMoment(plantMs));
      for (const run of this.runs) this.meter.run('plant', () => this.syncPlant(run));
    } finally {
      this.runningLoop = false;
      this.meter.switchTo('bench');
    }
  }

  /** The next moment after now, at most `untilMs`: a sample, a reading, a bridge timer, an hour row. */
  private nextMoment(untilMs: number): number {
    const now = this.plantMs;
    // The first time after now that is a multiple of the period (a reading), of an O2 stream's period less the
    // lead (a sample). Written out, not a helper closure: a closure made per moment costs more than the sum.
    let next = Math.min(untilMs, (Math.floor(now / this.periodMs) + 1) * this.periodMs, this.nextRowMs);
    const lead = this.sampleLeadMs;
    for (const run of this.runs) next = Math.min(next, (Math.floor((now + lead) / run.o2StreamMs) + 1) * run.o2StreamMs - lead);
    const timer = this.plantClock.nextDueMs();
    if (timer !== undefined && timer > now) next = Math.min(next, timer);
    return next;
  }

  private async moment(m: number): Promise<void> {
    this.moments++;
    const meter = this.meter;
    // The modules see the plant as it is at m: the CO2 module's next answer, then the O2 line after the board is at m.
    // Plain loops and switches, no closures: this runs a few times a reading.
    const runs = this.runs;
    const sampling: CellRun[] = [];
    const lines: Buffer[] = [];
    for (const run of runs) if ((m + this.sampleLeadMs) % run.o2StreamMs === 0) sampling.push(run);
    if (sampling.length > 0) {
      meter.switchTo('plant');
      for (const run of sampling) this.syncPlant(run, m);
      meter.switchTo('modules');
      for (const run of sampling) lines.push(this.sample(run));
    }
    meter.switchTo('firmware');
    for (const run of runs) run.board.advanceTo(m);
    for (let i = 0; i < sampling.length; i++) {
      const board = sampling[i]!.board;
      board.toUart(UART.o2, lines[i]!);
      board.pollNow();
    }
    // The bridge's timers due by m run at their time (each was a moment of its own), then what the boards said.
    meter.switchTo('bridge');
    const timerDue = (this.plantClock.nextDueMs() ?? Infinity) <= m;
    this.plantClock.advanceTo(m);
    // A moment where no board spoke and no bridge timer ran (most sample moments) leaves the bridge nothing to do.
    if (this.hostBytes || timerDue) {
      this.hostBytes = false;
      await macrotaskTurn();
    }
    meter.switchTo('controller');
    if (this.newReadings.length > 0) {
      const readings = this.newReadings;
      this.newReadings = [];
      for (const r of readings) {
        const run = this.runOf(r.cellId);
        if (run) {
          run.counts.readingsPublished++;
          run.lastReadingAtMs = Math.max(run.lastReadingAtMs, r.measuredAtMs);
        }
      }
      if (this.runtime) await this.runtime.idle();
      else if (typeof this.options.controller === 'object') await this.awaitExternalController(readings);
    }
    meter.switchTo('bench');
    if (m >= this.nextRowMs) this.takeRow();
  }

  /** The cell run of a bench cell id (a loop: this runs for every reading). */
  private runOf(cellId: string): CellRun | undefined {
    for (const run of this.runs) if (run.id === cellId) return run;
    return undefined;
  }

  /** Steps a cell's plant up to `toMs` (default: now) with the actuators it has. */
  private syncPlant(run: CellRun, toMs = this.plantMs): void {
    const dtS = (toMs - run.plant.timeS * 1000) / 1000;
    if (dtS > 1e-9) run.plant.step(dtS);
  }

  /** One measurement by the cell's modules: the CO2 module's values, and the O2 line to send. */
  private sample(run: CellRun): Buffer {
    const s = run.plant.readSensors();
    const pressurePa = run.plant.absolutePressurePa();
    run.co2Module.setValues({ co2Kpa: s.co2Kpa, tempC: s.tempC, pressurePa });
    run.co2Memo = null;
    return Buffer.from(formatO2Line({ o2Kpa: s.o2Kpa, tempC: s.tempC, pressurePa }), 'latin1');
  }

  /**
   * LOCKSTEP_PACING for a controller in another process: each cell that had a reading moves on once its
   * controller record says `status.atMs` ≥ that reading's time. Waits on the wall clock (the other process
   * needs the event loop), failing after `recordTimeoutMs` with the cells it waited for.
   */
  private async awaitExternalController(readings: ReadingView[]): Promise<void> {
    const listen = (this.options.controller as { listen: ListenOptions }).listen;
    const timeoutMs = listen.recordTimeoutMs ?? 30_000;
    const wanted = new Map<string, number>();
    for (const r of readings) wanted.set(r.cellId, Math.max(wanted.get(r.cellId) ?? -Infinity, r.measuredAtMs));
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      for (const [cellId, atMs] of wanted) {
        const rec = await this.client.loadRecord(cellId).catch(() => null);
        if (rec && rec.status.atMs >= atMs) {
          wanted.delete(cellId);
          const run = this.runs.find((r) => r.id === cellId);
          if (run) run.lastRecord = { o2SetpointKpa: rec.status.o2SetpointKpa, state: rec.status.state };
        }
      }
      if (wanted.size === 0) return;
      if (performance.now() > deadline) {
        const waiting = [...wanted].map(([c, t]) => `${c} (reading of ${new Date(t).toISOString()})`).join(', ');
        throw new Error(`fast bench: no controller record reached the reading within ${timeoutMs} ms for cell(s) ${waiting}; does the controller save its record with status.atMs of each reading (LOCKSTEP_PACING)?`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  // ---- what a scenario does ------------------------------------------------------------------------------

  async openDoor(cellId: string, open: boolean): Promise<void> {
    const run = this.cell(cellId) as CellRun;
    if (this.runningLoop) throw new Error('openDoor: the bench is running; call it between runs');
    this.meter.run('plant', () => this.syncPlant(run));
    run.plant.setActuators({ door: open });
    const res = await this.app.inject({
      method: 'PUT',
      url: `/api/cells/${encodeURIComponent(run.id)}/door`,
      payload: { open },
      ...(this.options.token !== undefined ? { headers: { authorization: `Bearer ${this.options.token}` } } : {}),
    });
    if (res.statusCode !== 200) {
      const body = safeJson(res.body) as { code?: string; message?: string } | undefined;
      throw new Error(`openDoor: PUT /api/cells/${run.id}/door: ${res.statusCode} ${body?.code ?? ''} ${body?.message ?? res.body}`.trim());
    }
    await macrotaskTurn();
    await this.runtime?.idle();
    this.meter.switchTo('bench');
  }

  // ---- the record --------------------------------------------------------------------------------------

  private takeRow(): void {
    const h = this.plantMs / HOUR_MS;
    for (const run of this.runs) {
      this.meter.run('plant', () => this.syncPlant(run));
      const t = run.plant.truth();
      const a = run.plant.actuators;
      run.rows.push({
        h,
        o2Kpa: round(t.o2Kpa, 4),
        co2Kpa: round(t.co2Kpa, 4),
        o2SetpointKpa: run.lastRecord?.o2SetpointKpa ?? null,
        state: run.lastRecord?.state ?? null,
        n2: a.n2,
        air: a.air,
        scrub: a.scrub,
      });
    }
    this.nextRowMs = (Math.floor(this.plantMs / HOUR_MS) + 1) * HOUR_MS;
  }

  record(): FastRecord {
    const byCell = new Map<string, Array<Omit<DecisionLogEntry, 'cellId'>>>();
    for (const d of this.decisions) {
      const { cellId, ...rest } = d;
      let list = byCell.get(cellId);
      if (!list) byCell.set(cellId, (list = []));
      list.push(rest);
    }
    return {
      runStartEpochMs: this.bridgeClock.runStartEpochMs,
      periodMs: this.periodMs,
      seed: this.seed,
      plantMs: this.plantMs,
      cells: this.runs.map((run) => {
        const decisions = byCell.get(run.id) ?? [];
        return {
          id: run.id,
          serialNumber: run.serialNumber,
          board: run.kind,
          seed: run.seed,
          rows: run.rows.map((r) => ({ ...r })),
          decisions,
          counts: {
            readingsStored: this.appValue ? this.appValue.store.readings.count(run.serialNumber) : 0,
            ...run.counts,
            decisions: decisions.length,
          },
        };
      }),
    };
  }

  timings(): FastTimings {
    this.meter.switchTo('bench');
    const t = this.meter.totals;
    return {
      plantMs: t.plant,
      modulesMs: t.modules,
      firmwareMs: t.firmware,
      bridgeMs: t.bridge,
      controllerMs: t.controller,
      benchMs: t.bench,
      totalMs: t.plant + t.modules + t.firmware + t.bridge + t.controller + t.bench,
      moments: this.moments,
    };
  }

  // ---- the client the controller gets --------------------------------------------------------------------

  /**
   * The in-process client, counted and timed: its requests are the bridge's time (while any is in flight),
   * and the records the controller saves are kept for the hourly rows.
   */
  private timedClient(inner: BridgeClient): BridgeClient {
    let inFlight = 0;
    let resumeTo: Part = 'controller';
    const meter = this.meter;
    const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
      if (inFlight++ === 0) resumeTo = meter.switchTo('bridge');
      try {
        return await fn();
      } finally {
        if (--inFlight === 0) meter.switchTo(resumeTo);
      }
    };
    return {
      cellIds: () => timed(() => inner.cellIds()),
      cellStatus: (cellId) => timed(() => inner.cellStatus(cellId)),
      readings: (cellId, fromMs, toMs) => timed(() => inner.readings(cellId, fromMs, toMs)),
      command: async (deviceId: string, command: ControllerCommand): Promise<CommandOutcome> => {
        const outcome = await timed(() => inner.command(deviceId, command));
        const run = this.runs.find((r) => r.serialNumber === deviceId);
        if (run) run.counts[outcome.ok ? 'commandsOk' : 'commandsFailed']++;
        return outcome;
      },
      loadRecord: (cellId): Promise<StoredControllerRecord | null> => timed(() => inner.loadRecord(cellId)),
      saveRecord: async (cellId: string, record: ControllerRecord): Promise<void> => {
        await timed(() => inner.saveRecord(cellId, record));
        const run = this.runOf(cellId);
        if (run) {
          run.counts.recordsSaved++;
          run.lastRecord = { o2SetpointKpa: record.status.o2SetpointKpa, state: record.status.state };
        }
      },
      on: <K extends keyof BridgeEvents>(event: K, listener: (payload: BridgeEvents[K]) => void) => inner.on(event, listener),
      close: () => inner.close(),
    };
  }
}

/** One turn of the event loop: every microtask and nextTick queued before it (and by them) has run. */
function macrotaskTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
