/**
 * DeviceStore.historyCounts is kept between calls (every device view carries it, once a second per device):
 * every write of a conflict, a gap or a power-up counts it again, so that it always says what the tables say;
 * so does a commit by another connection to the same file, and nothing counted inside a transaction that is
 * rolled back survives it.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../bridge/store/sqlite-store.js';

const SN = 'GB-0001';
const OTHER = 'GB-0002';

/** What the tables say, counted without the store's keeping. */
function counted(store: SqliteStore, deviceId: string): { conflicts: number; lostReadings: number; powerUps: number; lostPowerUps: number } {
  const one = (sql: string): number => (store.db.prepare(sql).get(deviceId) as { n: number }).n;
  return {
    conflicts: one('SELECT count(*) AS n FROM reading_conflicts WHERE device_id = ?'),
    lostReadings: one("SELECT coalesce(sum(to_seq - from_seq + 1), 0) AS n FROM sequence_gaps WHERE device_id = ? AND state = 'lost'"),
    powerUps: one("SELECT count(*) AS n FROM power_ups WHERE device_id = ? AND state = 'seen'"),
    lostPowerUps: one("SELECT count(*) AS n FROM power_ups WHERE device_id = ? AND state = 'lost'"),
  };
}

function powerUp(deviceId: string, powerUp: number, state: 'seen' | 'lost') {
  return { deviceId, powerUp, boardBoot: powerUp, boardBootLast: null, state, startedAtMs: state === 'seen' ? 0 : null, detectedAtMs: 0, reason: 'test' };
}

describe('history counts', () => {
  const open: SqliteStore[] = [];
  let dir: string | undefined;

  afterEach(() => {
    for (const s of open.splice(0)) s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function store(path = ':memory:'): SqliteStore {
    const s = new SqliteStore(path);
    open.push(s);
    return s;
  }

  it('follows every write of conflicts, gaps and power-ups, of one device and not another', () => {
    const s = store();
    const expectCounts = (): void => {
      for (const id of [SN, OTHER]) expect(s.devices.historyCounts(id)).toEqual(counted(s, id));
    };
    expectCounts();
    expect(s.devices.historyCounts(SN)).toEqual({ conflicts: 0, lostReadings: 0, powerUps: 0, lostPowerUps: 0 });

    s.devices.addPowerUp(powerUp(SN, 1, 'seen'));
    expectCounts();
    s.devices.addPowerUp(powerUp(SN, 2, 'lost'));
    s.devices.addPowerUp(powerUp(OTHER, 1, 'seen'));
    expectCounts();

    s.readings.addConflict({ deviceId: SN, boot: 1, seq: 7, atMs: 1, stored: {}, received: {}, resolution: 'test' });
    expectCounts();
    expect(s.devices.historyCounts(SN).conflicts).toBe(1);

    const open1 = s.readings.addGap({ deviceId: SN, boot: 1, fromSeq: 10, toSeq: 19, state: 'open', atMs: 1 });
    s.readings.addGap({ deviceId: OTHER, boot: 1, fromSeq: 1, toSeq: 4, state: 'lost', reason: 'ring overrun', atMs: 1 });
    expectCounts();
    s.readings.loseGap(open1, 12, 19, 'replay failed', 2);
    expectCounts();
    expect(s.devices.historyCounts(SN).lostReadings).toBe(8);
    const open2 = s.readings.addGap({ deviceId: SN, boot: 1, fromSeq: 30, toSeq: 31, state: 'lost', atMs: 3 });
    expectCounts();
    s.readings.deleteGap(open2);
    expectCounts();
    expect(s.devices.historyCounts(SN)).toEqual({ conflicts: 1, lostReadings: 8, powerUps: 1, lostPowerUps: 1 });
    expect(s.devices.historyCounts(OTHER)).toEqual({ conflicts: 0, lostReadings: 4, powerUps: 1, lostPowerUps: 0 });
  });

  it('hands out a copy: a caller changing it changes nothing kept', () => {
    const s = store();
    const mine = s.devices.historyCounts(SN);
    mine.conflicts = 99;
    expect(s.devices.historyCounts(SN).conflicts).toBe(0);
  });

  it('keeps nothing counted inside a transaction that is rolled back', () => {
    const s = store();
    const failing = s.db.transaction(() => {
      s.devices.addPowerUp(powerUp(SN, 1, 'seen'));
      expect(s.devices.historyCounts(SN).powerUps).toBe(1);
      throw new Error('rolled back');
    });
    expect(() => failing()).toThrow('rolled back');
    expect(s.devices.historyCounts(SN)).toEqual(counted(s, SN));
    expect(s.devices.historyCounts(SN).powerUps).toBe(0);
  });

  it('sees what another connection to the same file committed', () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-history-'));
    const path = join(dir, 'bench.sqlite');
    const a = store(path);
    expect(a.devices.historyCounts(SN).conflicts).toBe(0);
    const b = store(path);
    b.readings.addConflict({ deviceId: SN, boot: 1, seq: 1, atMs: 1, stored: {}, received: {}, resolution: 'test' });
    b.devices.addPowerUp(powerUp(SN, 1, 'seen'));
    expect(a.devices.historyCounts(SN)).toEqual({ conflicts: 1, lostReadings: 0, powerUps: 1, lostPowerUps: 0 });
  });
});
