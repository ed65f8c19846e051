/**
 * The store's schema, one migration per version: `user_version` is the count applied. A database of a newer
 * version than this bridge knows is refused rather than written.
 */

import type Database from 'better-sqlite3';

/** Each entry migrates the schema from its index to the next version; user_version is the count applied. */
export const MIGRATIONS: string[] = [
  `
CREATE TABLE devices (
  id               TEXT PRIMARY KEY,          -- the board's serial number
  kind             TEXT NOT NULL,
  firmware_version TEXT NOT NULL,
  protocol_version INTEGER NOT NULL,
  capabilities     TEXT NOT NULL,             -- JSON array
  path             TEXT NOT NULL,
  boot             INTEGER NOT NULL,          -- counts the board's power-ups seen by the bench
  first_seen_ms    INTEGER NOT NULL,
  last_seen_ms     INTEGER NOT NULL
);
CREATE TABLE readings (
  device_id      TEXT NOT NULL REFERENCES devices(id),
  boot           INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  board_ms       INTEGER NOT NULL,
  measured_at_ms INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  o2_kpa         REAL,
  co2_kpa        REAL,
  temp_c         REAL,
  PRIMARY KEY (device_id, boot, seq)
) WITHOUT ROWID;
CREATE INDEX readings_by_time ON readings (device_id, measured_at_ms);
CREATE TABLE commands (
  id             INTEGER PRIMARY KEY,         -- the id sent to the board
  device_id      TEXT NOT NULL,
  op             TEXT NOT NULL,
  args           TEXT NOT NULL,               -- JSON
  sent_at_ms     INTEGER NOT NULL,
  finished_at_ms INTEGER,
  outcome        TEXT,                        -- ack | nak | timeout | lost
  nak_code       TEXT
);
CREATE TABLE events (
  id        INTEGER PRIMARY KEY,
  at_ms     INTEGER NOT NULL,
  device_id TEXT,
  path      TEXT,
  kind      TEXT NOT NULL,
  detail    TEXT NOT NULL                     -- JSON
);
`,
  // 2: reconnect and replay (issue 5): sequence gaps, retries and who sent a command.
  `
ALTER TABLE commands ADD COLUMN retry_of INTEGER;  -- the attempt this one repeats after a timeout
ALTER TABLE commands ADD COLUMN actor TEXT;        -- who asked: a token's name, or 'bridge'
CREATE TABLE sequence_gaps (
  id             INTEGER PRIMARY KEY,
  device_id      TEXT NOT NULL,
  boot           INTEGER NOT NULL,
  from_seq       INTEGER NOT NULL,
  to_seq         INTEGER NOT NULL,              -- inclusive; at most MAX_REPLAY_READINGS wide
  state          TEXT NOT NULL,                 -- open: to be replayed | lost: the board no longer has it
  reason         TEXT,
  detected_at_ms INTEGER NOT NULL,
  closed_at_ms   INTEGER
);
CREATE INDEX sequence_gaps_open ON sequence_gaps (device_id, boot, state);
`,
  // 3: API tokens (issue 5). Only a SHA-256 of each token is kept; the token itself is shown once.
  `
CREATE TABLE tokens (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL,                 -- viewer | operator | admin
  hash           TEXT NOT NULL UNIQUE,          -- hex SHA-256 of the token
  created_at_ms  INTEGER NOT NULL,
  last_used_ms   INTEGER,
  revoked_at_ms  INTEGER
);
`,
  // 4: alarms, notifications, manual control measurements, runs (issue 5).
  `
CREATE TABLE alarms (
  id             INTEGER PRIMARY KEY,
  cell_id        TEXT NOT NULL,
  device_id      TEXT,
  kind           TEXT NOT NULL,                 -- o2_low, o2_high, co2_high, temp_low, temp_high, sensor_stale,
                                                -- calibration_due, cal_gas_low, calibration_drift, door_open_low_o2
  severity       TEXT NOT NULL,                 -- warning | critical | safety
  state          TEXT NOT NULL,                 -- active | cleared
  raised_at_ms   INTEGER NOT NULL,              -- the reading time that raised it
  cleared_at_ms  INTEGER,                       -- the reading time that cleared it
  acked_at_ms    INTEGER,
  acked_by       TEXT,
  value          REAL,
  threshold      REAL,
  message        TEXT NOT NULL
);
CREATE INDEX alarms_by_cell ON alarms (cell_id, kind, state);
CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY,
  alarm_id   INTEGER NOT NULL,
  channel    TEXT NOT NULL,                     -- webhook | email | sms
  target     TEXT NOT NULL,
  event      TEXT NOT NULL,                     -- raised | cleared
  at_ms      INTEGER NOT NULL,
  outcome    TEXT NOT NULL,                     -- sent | failed
  error      TEXT
);
CREATE TABLE manual_measurements (
  id             INTEGER PRIMARY KEY,
  cell_id        TEXT NOT NULL,
  device_id      TEXT,
  measured_at_ms INTEGER NOT NULL,
  o2_kpa         REAL,
  co2_kpa        REAL,
  temp_c         REAL,
  sensor_seq     INTEGER,                       -- the stored reading it was compared with
  sensor_o2_kpa  REAL,
  sensor_co2_kpa REAL,
  sensor_temp_c  REAL,
  entered_by     TEXT NOT NULL,
  entered_at_ms  INTEGER NOT NULL,
  note           TEXT
);
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER,
  started_by    TEXT,
  detail        TEXT NOT NULL                   -- JSON
);
`,
  // v5: alarm thresholds an admin set at run time, per cell (they override the configured ones).
  `
CREATE TABLE cell_alarm_thresholds (
  cell_id       TEXT PRIMARY KEY,
  config        TEXT NOT NULL,                  -- JSON CellAlarmConfig
  set_at_ms     INTEGER NOT NULL,
  set_by        TEXT NOT NULL
);
`,
  // v6 (issue 9): the bench decides what a power-up is. readings.boot and devices.boot are from now on the
  // bench's power-up number; power_ups maps each to the board's own boot counter (evidence, not the key).
  // Readings carry plausibility flags; a stored (device, power-up, seq) that a different reading collides
  // with is a conflict row; link counters outlive the bridge process.
  `
CREATE TABLE power_ups (
  device_id       TEXT NOT NULL,
  power_up        INTEGER NOT NULL,             -- the bench's number, 1, 2, ... per device
  board_boot      INTEGER,                      -- the boot counter the board reported (NULL: it sent none)
  board_boot_last INTEGER,                      -- for a lost range of board boots: the last one
  state           TEXT NOT NULL,                -- seen | lost (board boots the bench never saw)
  started_at_ms   INTEGER,                      -- bridge time the board powered up (handshake time − board time)
  detected_at_ms  INTEGER NOT NULL,
  reason          TEXT NOT NULL,
  PRIMARY KEY (device_id, power_up)
) WITHOUT ROWID;
INSERT INTO power_ups (device_id, power_up, board_boot, state, started_at_ms, detected_at_ms, reason)
  SELECT device_id, boot, boot, 'seen', NULL, min(received_at_ms), 'from a store before power-ups (schema 5)'
  FROM readings GROUP BY device_id, boot;
INSERT OR IGNORE INTO power_ups (device_id, power_up, board_boot, state, started_at_ms, detected_at_ms, reason)
  SELECT id, boot, boot, 'seen', NULL, last_seen_ms, 'from a store before power-ups (schema 5)' FROM devices;
ALTER TABLE readings ADD COLUMN flags TEXT;     -- NULL: plausible; else comma-separated ReadingFlag
ALTER TABLE devices ADD COLUMN counters TEXT;   -- JSON LinkCounters, saved as they change
CREATE TABLE reading_conflicts (
  id              INTEGER PRIMARY KEY,
  device_id       TEXT NOT NULL,
  boot            INTEGER NOT NULL,             -- the power-up the stored reading is filed under
  seq             INTEGER NOT NULL,
  detected_at_ms  INTEGER NOT NULL,
  stored          TEXT NOT NULL,                -- JSON: the row already in the store
  received        TEXT NOT NULL,                -- JSON: the reading that collided with it
  resolution      TEXT NOT NULL                 -- what the bench did about it
);
CREATE INDEX reading_conflicts_by_device ON reading_conflicts (device_id, id);
CREATE INDEX events_by_device ON events (device_id, id);
`,
  // v7 (issue 10): a reading keeps its cell. A board with a sampling manifold measures several cells, and
  // says which in RD's `cell` (board_cell); cell_id is the bench cell it was filed under when it arrived.
  // Rows from before keep NULL in both: they are the cell their device measured (the configuration's).
  `
ALTER TABLE readings ADD COLUMN cell_id TEXT;
ALTER TABLE readings ADD COLUMN board_cell INTEGER;
CREATE INDEX readings_by_cell ON readings (cell_id, measured_at_ms);
`,
  // v8 (issue 11): what the DCA controller needs from the bench. A reading keeps the pressure its O2 module
  // measured (RD's `p`, Pa absolute; NULL when the board sends none). A cell keeps its site records (leak
  // tests, loadings, partial unloadings: kind + JSON body, newest wins per kind, history kept), and the
  // controller of a cell persists its state through the bridge so that a restarted controller resumes.
  `
ALTER TABLE readings ADD COLUMN pressure_pa REAL;
ALTER TABLE alarms ADD COLUMN code TEXT;        -- a controller alarm's own code (kind 'controller')
CREATE TABLE cell_records (
  id             INTEGER PRIMARY KEY,
  cell_id        TEXT NOT NULL,
  kind           TEXT NOT NULL,               -- leak_test | loading | unloading | calibration
  body           TEXT NOT NULL,               -- JSON
  at_ms          INTEGER NOT NULL,            -- when it happened (bridge time)
  entered_by     TEXT NOT NULL,
  entered_at_ms  INTEGER NOT NULL
);
CREATE INDEX cell_records_by_cell ON cell_records (cell_id, kind, id);
CREATE TABLE controller_states (
  cell_id        TEXT PRIMARY KEY,
  controller     TEXT NOT NULL,               -- the controller's name
  state          TEXT NOT NULL,               -- its state for this cell (ULO hold, DCA search ...)
  body           TEXT NOT NULL,               -- JSON: status, memory, alarms
  updated_at_ms  INTEGER NOT NULL,
  updated_by     TEXT NOT NULL
) WITHOUT ROWID;
`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings a database to SCHEMA_VERSION in one transaction. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new Error(`store schema version ${version} is newer than this bridge knows (${SCHEMA_VERSION}); use a newer bridge or another --db`);
  }
  const run = db.transaction(() => {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  run();
}
