/**
 * The reference RQ-DCA controller as a runtime: one CellController per cell, fed by the bridge's reading
 * events, acting through board commands, and keeping each cell's memory in the bridge (its controller
 * record) so that a restarted controller resumes where it was. Everything goes through the BridgeClient
 * contract (contract.ts), so it runs the same in-process (fast mode) and as its own process (`cellbench
 * controller`).
 *
 * Work per cell is serial (one queue per cell), in the order readings arrive; `idle()` waits for every queue.
 * A reading older than the newest one handled (a replay after a link loss) is history, not news: it is not
 * decided on. A valve board (gasboard) gets `set_valve` for each valve whose wanted state differs from what
 * its board last ACKed; a palletunit gets its setpoints (`setpoint`) and its loop (`loop`, off during an RQ
 * window so that the cover is closed), and its local loop does the valves.
 */

import { CellController, newCellMemory, restoreCellMemory, varietyOf, type CellFacts, type CellMemory, type Decision, type Valves } from './cell-controller.js';
import type {
  AlarmView,
  BridgeClient,
  CellStatusView,
  ControllerAlarm,
  ControllerCommand,
  ControllerRuntime,
  DecisionLogEntry,
  DeviceView,
  ReadingView,
  Unsubscribe,
} from './contract.js';
import { regimeFor, resolveDcaConfig, type DcaConfig } from './dca-config.js';
import { RqStressDetector, type StressDetector } from './stress-detector.js';

export const CONTROLLER_NAME = 'cellbench-rq-dca';

export interface DcaControllerOptions {
  client: BridgeClient;
  /** The cells to control; default every cell the bridge knows at start(). */
  cells?: string[];
  /** Called with every decision and its reason. */
  log?: (entry: DecisionLogEntry) => void;
  /** Settings over DEFAULT_DCA_CONFIG (dca-config.ts). */
  config?: Partial<DcaConfig>;
  /** The stress detector. Default: RqStressDetector with the config's thresholds. */
  detector?: StressDetector;
}

/** Bridge alarms that make the O2 sensor untrustworthy. */
const SENSOR_ALARMS = new Set(['sensor_stale', 'calibration_drift']);
/** Two sensors of one cell further apart than this disagree, kPa O2. [E] */
const DISAGREE_KPA = 0.3;

interface CellRuntime {
  cellId: string;
  status: CellStatusView;
  mem: CellMemory;
  ctl: CellController;
  /** Valve states the board ACKed; undefined: unknown (sent again at the next reading). */
  acked: Partial<Valves>;
  pallet: { o2: number; co2: number; loop: boolean } | null;
  alarms: ControllerAlarm[];
  lastSavedMs: number;
  deviceStates: Map<string, string>;
  lastO2ByDevice: Map<string, { tMs: number; o2Kpa: number }>;
  queue: Promise<void>;
  statusStale: boolean;
}

export function createDcaController(options: DcaControllerOptions): ControllerRuntime {
  return new DcaController(options);
}

class DcaController implements ControllerRuntime {
  private readonly client: BridgeClient;
  private readonly config: DcaConfig;
  private readonly detector: StressDetector;
  private readonly cells = new Map<string, CellRuntime>();
  private readonly unsubscribes: Unsubscribe[] = [];
  private running = false;
  private failures: unknown[] = [];

  constructor(private readonly options: DcaControllerOptions) {
    this.client = options.client;
    this.config = resolveDcaConfig(options.config);
    this.detector = options.detector ?? new RqStressDetector(this.config);
  }

  async start(): Promise<void> {
    const ids = this.options.cells ?? (await this.client.cellIds());
    for (const cellId of ids) {
      const status = await this.client.cellStatus(cellId);
      const record = await this.client.loadRecord(cellId);
      const restored = record && record.controller === CONTROLLER_NAME ? restoreCellMemory(record.memory) : null;
      // The controller decides on reading times only; before a cell's first reading it starts at the bridge's
      // newest knowledge of it (its record), else at 0 until the first reading moves it on.
      const t = status.lastReading?.measuredAtMs ?? record?.status.atMs ?? 0;
      const mem = restored ?? newCellMemory(t, regimeFor(this.config, varietyOf(status.loading)).uloO2Kpa);
      const rt: CellRuntime = {
        cellId, status, mem, ctl: new CellController(cellId, this.config, this.detector), acked: {}, pallet: null,
        alarms: record?.alarms ?? [], lastSavedMs: record?.updatedAtMs ?? -Infinity, deviceStates: new Map(), lastO2ByDevice: new Map(),
        queue: Promise.resolve(), statusStale: false,
      };
      this.cells.set(cellId, rt);
      if (t > 0 || restored) this.emit(rt, t, restored ? 'resumed' : 'started', restored ? `record of ${new Date(record!.updatedAtMs).toISOString()}` : 'no record of this controller for the cell');
    }
    this.unsubscribes.push(
      this.client.on('reading', (r) => this.onReading(r)),
      this.client.on('device', (d) => this.onDevice(d)),
      this.client.on('alarm', (a) => this.onAlarm(a)),
      this.client.on('cell', (c) => {
        // Its own record saved is no news about the cell.
        if (c.change !== 'controller') this.markStale(c.cellId);
      }),
    );
    this.running = true;
  }

  async idle(): Promise<void> {
    // Work queued while waiting is waited for too.
    for (;;) {
      const queues: Array<Promise<void>> = [];
      for (const c of this.cells.values()) queues.push(c.queue);
      await Promise.all(queues);
      let i = 0;
      let more = false;
      for (const c of this.cells.values()) more ||= c.queue !== queues[i++];
      if (!more) break;
    }
    if (this.failures.length > 0) {
      const err = this.failures[0];
      this.failures = [];
      throw err instanceof Error ? err : new Error(String(err));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const u of this.unsubscribes.splice(0)) u();
    await Promise.all([...this.cells.values()].map((c) => c.queue));
    for (const rt of this.cells.values()) {
      if (rt.mem.lastReadingMs !== null) await this.save(rt, rt.mem.lastReadingMs).catch(() => undefined);
    }
  }

  private enqueue(rt: CellRuntime, work: () => Promise<void>): void {
    rt.queue = rt.queue.then(work).catch((err: unknown) => {
      this.failures.push(err);
      this.emit(rt, rt.mem.lastReadingMs ?? 0, 'error', err instanceof Error ? err.message : String(err));
    });
  }

  private markStale(cellId: string): void {
    const rt = this.cells.get(cellId);
    if (rt) rt.statusStale = true;
  }

  private onDevice(d: DeviceView): void {
    for (const rt of this.cells.values()) if (rt.status.devices.some((x) => x.deviceId === d.id)) rt.deviceStates.set(d.id, d.state);
  }

  private onAlarm(a: AlarmView): void {
    if ((a.kind as string) !== 'controller') this.markStale(a.cellId);
  }

  private onReading(r: ReadingView): void {
    if (!this.running) return;
    const rt = this.cells.get(r.cellId);
    if (!rt) return;
    this.enqueue(rt, () => this.handle(rt, r));
  }

  private async handle(rt: CellRuntime, r: ReadingView): Promise<void> {
    if (r.o2Kpa !== null && !(r.flags && r.flags.length > 0)) rt.lastO2ByDevice.set(r.deviceId, { tMs: r.measuredAtMs, o2Kpa: r.o2Kpa });
    const primary = rt.status.devices[0]?.deviceId;
    if (primary !== undefined && r.deviceId !== primary) return;
    if (rt.mem.lastReadingMs !== null && r.measuredAtMs <= rt.mem.lastReadingMs) return;
    if (rt.statusStale) {
      rt.statusStale = false;
      rt.status = await this.client.cellStatus(rt.cellId);
    }
    const facts = this.factsOf(rt, r.measuredAtMs);
    const pressurePa = (r as ReadingView & { pressurePa?: number | null }).pressurePa ?? null;
    const d = rt.ctl.decide(rt.mem, { tMs: r.measuredAtMs, o2Kpa: r.o2Kpa, co2Kpa: r.co2Kpa, pressurePa, flagged: (r.flags?.length ?? 0) > 0 }, facts);
    for (const l of d.log) this.emit(rt, r.measuredAtMs, l.decision, l.reason);
    await this.act(rt, d, r.measuredAtMs);
    const alarmsChanged = !sameAlarms(d.alarms, rt.alarms);
    rt.alarms = d.alarms;
    if (d.changed || alarmsChanged || r.measuredAtMs - rt.lastSavedMs >= this.config.saveEveryMs) await this.save(rt, r.measuredAtMs);
  }

  private factsOf(rt: CellRuntime, tMs: number): CellFacts {
    const s = rt.status;
    // Plain loops: this runs for every reading.
    let sensorAlarm: AlarmView | undefined;
    for (const a of s.alarms) if (a.state === 'active' && SENSOR_ALARMS.has(a.kind)) {
      sensorAlarm = a;
      break;
    }
    let badDevice: readonly [string, string] | undefined;
    for (const d of s.devices) {
      const st = rt.deviceStates.get(d.deviceId);
      if (st !== undefined && st !== 'open') {
        badDevice = [d.deviceId, st];
        break;
      }
    }
    // Each recent O2 against the first recent one; the last pair that disagrees is named.
    let disagreement: string | null = null;
    let first: [string, { tMs: number; o2Kpa: number }] | undefined;
    for (const entry of rt.lastO2ByDevice) {
      if (tMs - entry[1].tMs > 15 * 60_000) continue;
      if (!first) {
        first = entry;
        continue;
      }
      const [a, va] = first;
      const [b, vb] = entry;
      if (Math.abs(va.o2Kpa - vb.o2Kpa) > DISAGREE_KPA) disagreement = `O2 of ${a} (${va.o2Kpa.toFixed(2)} kPa) and ${b} (${vb.o2Kpa.toFixed(2)} kPa) disagree by more than ${DISAGREE_KPA} kPa`;
    }
    const leak = s.leakTest ? { leakAreaCm2: s.leakTest.leakAreaCm2, freeVolumeM3: s.leakTest.freeVolumeM3, perHundredM3: s.leakTest.leakAreaCm2Per100M3 } : null;
    return {
      doorOpen: s.door?.open ?? false,
      calibrationDueAtMs: s.calibration?.dueAtMs ?? null,
      calibratedAtMs: s.calibration?.calibratedAtMs ?? null,
      leak,
      loading: s.loading,
      sensorAlarm: sensorAlarm ? `bridge alarm ${sensorAlarm.kind}: ${sensorAlarm.message}` : null,
      deviceProblem: badDevice ? `board ${badDevice[0]} is ${badDevice[1]}` : null,
      disagreement,
    };
  }

  /** Sends what differs from what the board last ACKed. */
  private async act(rt: CellRuntime, d: Decision, tMs: number): Promise<void> {
    const dev = rt.status.devices[0];
    if (!dev) return;
    const isPallet = dev.kind === 'palletunit' || dev.capabilities.includes('loop');
    if (isPallet) {
      const want = { o2: Math.max(0.3, d.o2SetpointKpa), co2: Math.max(0.1, d.co2SetpointKpa), loop: d.loopOn };
      if (!rt.pallet || rt.pallet.o2 !== want.o2 || rt.pallet.co2 !== want.co2) {
        if (await this.send(rt, dev.deviceId, { op: 'setpoint', o2Kpa: want.o2, co2Kpa: want.co2 }, tMs)) rt.pallet = { ...(rt.pallet ?? { loop: !want.loop }), o2: want.o2, co2: want.co2 };
      }
      if (rt.pallet && rt.pallet.loop !== want.loop) {
        if (await this.send(rt, dev.deviceId, { op: 'loop', on: want.loop }, tMs)) rt.pallet.loop = want.loop;
      }
      return;
    }
    for (const valve of ['n2', 'air', 'scrub'] as const) {
      if (!dev.capabilities.includes(`valve.${valve}`) && dev.capabilities.length > 0) continue;
      const on = d.valves[valve];
      if (rt.acked[valve] === on) continue;
      const cmd: ControllerCommand = dev.boardCell === null ? { op: 'set_valve', valve, on } : { op: 'set_valve', valve, on, cell: dev.boardCell };
      rt.acked[valve] = (await this.send(rt, dev.deviceId, cmd, tMs)) ? on : undefined;
    }
  }

  private async send(rt: CellRuntime, deviceId: string, cmd: ControllerCommand, tMs: number): Promise<boolean> {
    const outcome = await this.client.command(deviceId, cmd);
    if (!outcome.ok) this.emit(rt, tMs, `command ${JSON.stringify(cmd)} failed`, `${outcome.status} ${outcome.code ?? ''} ${outcome.message ?? ''}`.trim());
    return outcome.ok;
  }

  private async save(rt: CellRuntime, tMs: number): Promise<void> {
    const m = rt.mem;
    await this.client.saveRecord(rt.cellId, {
      controller: CONTROLLER_NAME,
      status: {
        state: m.state,
        reason: m.dcaBlock && !m.reason.startsWith('back to ULO') && m.state === 'ulo_hold' ? `${m.reason}; DCA not allowed: ${m.dcaBlock}` : m.reason,
        o2SetpointKpa: m.setpointKpa,
        co2SetpointKpa: regimeFor(this.config, varietyOf(rt.status.loading)).co2SetpointKpa,
        breakPointO2Kpa: m.breakPointKpa,
        rq: m.lastRq,
        atMs: tMs,
      },
      memory: m as unknown as Record<string, unknown>,
      alarms: rt.alarms,
    });
    rt.lastSavedMs = tMs;
  }

  private emit(rt: CellRuntime, atMs: number, decision: string, reason: string): void {
    this.options.log?.({ atMs, cellId: rt.cellId, state: rt.mem.state, decision, reason });
  }
}

/** The same controller alarms, field by field, in the same order (what saving the record would change). */
function sameAlarms(a: readonly ControllerAlarm[], b: readonly ControllerAlarm[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.code !== y.code || x.severity !== y.severity || x.message !== y.message || x.value !== y.value || x.threshold !== y.threshold) return false;
  }
  return true;
}
