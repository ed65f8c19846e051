/**
 * The bench's store: one SQLite database in WAL mode through better-sqlite3, read and written through narrow
 * typed stores, one per concept: `readings` (readings, gaps, conflicts), `devices` (devices, power-ups,
 * counters), `commands` (the audit log), `alarms` (alarms, notifications, thresholds), `runs` (runs and
 * manual measurements), `events` (the event log), `tokens`, `cellRecords` (leak tests, loadings, unloadings, calibrations) and
 * `controllerStates` (each cell's DCA controller record). The schema is migrated by migrations.ts.
 *
 * The file (and the folder it creates) are readable by their owner only: the store holds API token
 * hashes, the audit trail and who did what.
 */

import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { AlarmStore } from './alarm-store.js';
import { CellRecordStore } from './cell-record-store.js';
import { CommandStore } from './command-store.js';
import { ControllerStateStore } from './controller-state-store.js';
import { DeviceStore } from './device-store.js';
import { EventStore } from './event-store.js';
import { migrate } from './migrations.js';
import { ReadingStore } from './reading-store.js';
import { RunStore } from './run-store.js';
import { TokenStore } from './token-store.js';

export type * from './store-types.js';

export class SqliteStore {
  readonly db: Database.Database;
  readonly readings: ReadingStore;
  readonly devices: DeviceStore;
  readonly commands: CommandStore;
  readonly alarms: AlarmStore;
  readonly runs: RunStore;
  readonly events: EventStore;
  readonly tokens: TokenStore;
  readonly cellRecords: CellRecordStore;
  readonly controllerStates: ControllerStateStore;

  /** @param path a file path, or ':memory:' for a store that lives as long as the process. */
  constructor(path: string) {
    if (path !== ':memory:' && path !== '') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Create the file owner-only before SQLite does (it would use the umask); -wal and -shm take the
      // database file's mode. An existing file is tightened too.
      closeSync(openSync(path, 'a', 0o600));
      chmodSync(path, 0o600);
    }
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across a process crash in WAL mode; only a power cut may lose the last commits,
    // which the boards can replay.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    cachePreparedStatements(this.db);
    migrate(this.db);
    this.devices = new DeviceStore(this.db);
    this.readings = new ReadingStore(this.db, (deviceId) => this.devices.historyChanged(deviceId));
    this.commands = new CommandStore(this.db);
    this.alarms = new AlarmStore(this.db);
    this.runs = new RunStore(this.db);
    this.events = new EventStore(this.db);
    this.tokens = new TokenStore(this.db);
    this.cellRecords = new CellRecordStore(this.db);
    this.controllerStates = new ControllerStateStore(this.db);
  }

  /**
   * Deletes readings measured before `readingsBeforeMs` (the newest of every power-up kept) and events before
   * `eventsBeforeMs`, in one transaction.
   */
  prune(readingsBeforeMs: number | undefined, eventsBeforeMs: number | undefined): { readings: number; events: number } {
    this.readings.flush();
    let readings = 0;
    let events = 0;
    this.db.transaction(() => {
      if (readingsBeforeMs !== undefined) readings = this.readings.pruneBefore(readingsBeforeMs);
      if (eventsBeforeMs !== undefined) events = this.events.pruneBefore(eventsBeforeMs);
    })();
    return { readings, events };
  }

  close(): void {
    this.readings.flush();
    if (this.db.open) this.db.close();
  }
}

/**
 * Makes `db.prepare(sql)` compile each SQL text once: the stores prepare where they query, and compiling a
 * statement costs more than running it (a reading's path ran several per reading). A statement that is busy
 * (an iteration still open over it) is not handed out again: that caller gets a fresh one.
 */
function cachePreparedStatements(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const cached = cache.get(sql);
    if (cached && !cached.busy) return cached;
    const stmt = compile(sql);
    if (!cached) cache.set(sql, stmt);
    return stmt;
  }) as typeof db.prepare;
}
