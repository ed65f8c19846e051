/**
 * The controller's whole view of a site: a small client of the bridge's API. A DCA controller — ours or a
 * customer's — reads readings, cell facts and alarms, sends actuator commands, and persists its own state
 * through the bridge; it never reaches the plant, the boards or the store any other way. Two implementations
 * keep this contract: `createHttpBridgeClient` (controller/http-client.ts: REST with fetch, events over
 * socket.io) for a controller that runs as its own process against any bridge, and the fast bench's
 * in-process client (rig/in-process-client.ts: the same Fastify routes through `app.inject`, the same events
 * from the bridge's event hub), so the fast mode runs the same controller code on the real routes.
 *
 * controller/README.md, "The contract", lists the routes and events behind each method, and the environment
 * a launched controller gets (CELLBENCH_BRIDGE_URL, CELLBENCH_TOKEN, CELLBENCH_CELLS).
 *
 * Time. Every time here is bridge time, epoch ms: a reading's `measuredAtMs` is when the board measured it.
 * The controller decides on reading times, never on a clock of its own, so it behaves the same at wall speed,
 * at a scaled plant speed and in lockstep.
 */

import type { AlarmView, CellChange, DeviceView, ReadingView } from '../bridge/events.js';

export type { AlarmView, CellChange, DeviceView, ReadingView };

/** Where a cell is measured and driven: a board, and the board's cell number on a sampling manifold. */
export interface CellDeviceRef {
  deviceId: string;
  /** The board's cell number (1–8); null for a one-cell board (commands then carry no `cell`). */
  boardCell: number | null;
  /** The board's kind (`gasboard`, `palletunit`) and capabilities, when the bridge has identified it. */
  kind: string | null;
  capabilities: string[];
}

/** The result of an airtightness test, as entered by whoever ran it (`PUT /api/cells/:id/leak-test`). */
export interface LeakTestView {
  /** 'pressure-decay': the room pressurised and its half-time measured; 'closed-cell': estimated from gas data. */
  method: 'pressure-decay' | 'closed-cell';
  /** Effective leak area, cm². */
  leakAreaCm2: number;
  /** The room's gross volume and its free gas volume, m³. */
  grossVolumeM3: number;
  freeVolumeM3: number;
  /** leakAreaCm2 per 100 m³ of gross volume: the DCA limit is 0.10 (DOMAIN.md §1). */
  leakAreaCm2Per100M3: number;
  /** The pressure-decay figures, when the method was 'pressure-decay'. */
  halfTimeMin: number | null;
  p0Pa: number | null;
  atMs: number;
  enteredBy: string;
}

/** One lot in a cell: one variety, one orchard plot, picked within one week (DOMAIN.md §1). */
export interface LotView {
  id: string;
  variety: string;
  tonnes: number;
  /** ISO date (YYYY-MM-DD) the lot was picked. */
  harvestDate: string;
  orchard: string | null;
}

/** What is in a cell (`PUT /api/cells/:id/loading`), and whether it was partly unloaded since. */
export interface LoadingView {
  lots: LotView[];
  totalTonnes: number;
  loadedAtMs: number;
  /** Tonnes taken out since the loading (`POST /api/cells/:id/unloading`); 0 when none. */
  unloadedTonnes: number;
  /** The last partial unloading, null when none: a partly unloaded cell cannot simply resume DCA. */
  lastUnloadingAtMs: number | null;
  enteredBy: string;
}

/** A cell as the controller needs to know it: `GET /api/cells/:id/status`. */
export interface CellStatusView {
  cellId: string;
  devices: CellDeviceRef[];
  /** Door state as last reported (operator or the rig's door switch); null when never reported. */
  door: { open: boolean; atMs: number } | null;
  /** The analyser's calibration as last recorded; null when never. */
  calibration: { calibratedAtMs: number; dueAtMs: number } | null;
  leakTest: LeakTestView | null;
  loading: LoadingView | null;
  /** The newest stored reading of this cell, null when none. */
  lastReading: ReadingView | null;
  /** Active alarms of this cell. */
  alarms: AlarmView[];
}

/** An alarm the controller asks the bridge to hold for a cell. Never a person-safety alarm: those are the bridge's. */
export interface ControllerAlarm {
  /** Lower-case identifier, e.g. `dca_refused_leak`; one alarm per code and cell. */
  code: string;
  severity: 'warning' | 'critical';
  message: string;
  value?: number | null;
  threshold?: number | null;
}

/** What the controller tells people about a cell: shown on dashboards, kept by the bridge. */
export interface ControllerStatus {
  /** The controller's state for the cell, e.g. 'ulo_hold', 'dca_search', 'rq_measurement'. */
  state: string;
  /** Why it is in that state, in words. */
  reason: string;
  o2SetpointKpa: number | null;
  co2SetpointKpa: number | null;
  /** The break point (lowest O2 the fruit tolerates) as last found, kPa; null before one is found. */
  breakPointO2Kpa: number | null;
  /** The last accepted RQ measurement, null before one. */
  rq: number | null;
  /** Bridge time the status refers to (the reading it was decided on). */
  atMs: number;
}

/** The record a controller keeps per cell in the bridge (`PUT /api/cells/:id/controller`). */
export interface ControllerRecord {
  /** The controller's name, e.g. 'cellbench-rq-dca'. */
  controller: string;
  status: ControllerStatus;
  /** Opaque JSON the controller needs to resume (its own schema, versioned by the controller). */
  memory: Record<string, unknown>;
  /** The alarms it holds for the cell now: codes listed are raised (or kept), codes left out are cleared. */
  alarms: ControllerAlarm[];
}

export interface StoredControllerRecord extends ControllerRecord {
  cellId: string;
  updatedAtMs: number;
  updatedBy: string;
}

/** A command to a board, as `POST /api/devices/:id/commands` takes it (bridge/devices/command-body.ts). */
export type ControllerCommand =
  | { op: 'set_valve'; valve: 'n2' | 'air' | 'scrub' | 'fan'; on: boolean; cell?: number }
  | { op: 'setpoint'; o2Kpa: number; co2Kpa: number }
  | { op: 'loop'; on: boolean };

export interface CommandOutcome {
  /** True when the board ACKed it. */
  ok: boolean;
  /** HTTP status: 200 ACK, 409 NAK or not capable or the board not open, 4xx/5xx otherwise. */
  status: number;
  /** The error code of a refused command (BRIDGE_ERR_...), null when ok. */
  code: string | null;
  message: string | null;
}

export interface BridgeEvents {
  reading: ReadingView;
  device: DeviceView;
  alarm: AlarmView & { change: 'raised' | 'cleared' | 'acked' };
  cell: CellChange;
}

export type Unsubscribe = () => void;

/** The contract. Every method rejects with an Error naming the route and the bridge's error code on failure. */
export interface BridgeClient {
  /** Every cell the bench knows: `GET /api/cells`. */
  cellIds(): Promise<string[]>;
  /** A cell's facts: `GET /api/cells/:id/status`. */
  cellStatus(cellId: string): Promise<CellStatusView>;
  /** A cell's readings measured in [fromMs, toMs], oldest first: `GET /api/cells/:id/readings`, paged 10 000 at a time. */
  readings(cellId: string, fromMs: number, toMs: number): Promise<ReadingView[]>;
  /** A board command, waiting for its ACK or NAK: `POST /api/devices/:id/commands`. Resolves with the outcome; rejects only when the bridge cannot be reached. */
  command(deviceId: string, command: ControllerCommand): Promise<CommandOutcome>;
  /** The controller's record for a cell, null when none: `GET /api/cells/:id/controller`. */
  loadRecord(cellId: string): Promise<StoredControllerRecord | null>;
  /** Saves it, raising and clearing the alarms it lists: `PUT /api/cells/:id/controller`. */
  saveRecord(cellId: string, record: ControllerRecord): Promise<void>;
  /** Events as they happen (socket.io `reading`, `device`, `alarm`, `cell`). */
  on<K extends keyof BridgeEvents>(event: K, listener: (payload: BridgeEvents[K]) => void): Unsubscribe;
  /** Stops the event stream. */
  close(): Promise<void>;
}

/** One decision of a controller and why, for its log (the CLI prints these; the fast bench records them). */
export interface DecisionLogEntry {
  /** Bridge time of the reading it was decided on. */
  atMs: number;
  cellId: string;
  /** The state after the decision. */
  state: string;
  /** What it did, e.g. 'n2 on', 'setpoint 0.9 → 0.8 kPa', 'rq window rejected'. */
  decision: string;
  reason: string;
}

/**
 * A controller running against a BridgeClient. The fast bench holds one in-process and, in lockstep, waits
 * for `idle()` before it moves the plant on; the CLI runs one until Ctrl-C.
 */
export interface ControllerRuntime {
  /** Loads each cell's record (resuming where it was), subscribes to events, and starts deciding. */
  start(): Promise<void>;
  /** Resolves once everything handed to the controller so far is handled: commands answered, records saved. */
  idle(): Promise<void>;
  /** Stops deciding and unsubscribes; leaves the valves as they are (the boards and bridge hold them). */
  stop(): Promise<void>;
}

/**
 * Lockstep pacing for a controller in another process (fast bench with `listen`): after publishing a
 * reading, the bench moves on once that cell's controller record has `status.atMs` ≥ the reading's
 * `measuredAtMs` (or after a transport timeout, which fails the run with a message naming the cell).
 * Elsewhere (hil, bench) nothing waits; saving a record per reading is then optional.
 */
export const LOCKSTEP_PACING = 'status.atMs' as const;
