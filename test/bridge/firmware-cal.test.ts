/**
 * CAL through the bridge against the real C firmware (host build on a kernel PTY): the operator's cal command
 * reaches the board, its ACK's calibration count comes back, the stored readings are calibrated, and the
 * calibration survives a restart of the board on the same EEPROM file: its ID's `cal` has moved on and its
 * readings are still calibrated. Skipped with a reason when the host build is missing.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../bridge/index.js';
import { field } from '../../firmware/protocol/index.js';
import { GASBOARD_HOST_BINARY, HostBoard } from '../../rig/index.js';
import { BoardClient } from '../firmware/helpers/board-client.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until } from '../helpers/wait.js';
import { openApp } from '../helpers/fake-bench.js';

const SN = 'GB-0271';
const haveFirmware = existsSync(GASBOARD_HOST_BINARY);
if (!haveFirmware) console.warn(`firmware cal test skipped: no host build at ${GASBOARD_HOST_BINARY} (\`cellbench setup\` builds it)`);

describe.skipIf(!haveFirmware)('cal through the bridge on the real firmware', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-fwcal-'));
  const linkPath = join(dir, SN);
  let board: HostBoard | undefined;
  let app: FastifyInstance | undefined;

  afterAll(async () => {
    await app?.close();
    await board?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The board with its O2 module reading 20.00 kPa, where the span gas is 20.95. */
  async function startBoard(): Promise<HostBoard> {
    const b = await HostBoard.start({ linkPath, serialNumber: SN, periodMs: 20, o2StreamMs: 20 });
    b.setCellValues(1, { o2Kpa: 20.0, co2Kpa: 0.04, tempC: 1.5 });
    b.feed();
    return b;
  }

  /** A HELLO from a test client: the board's ID, and its next reading with an O2 value. */
  async function hello(firstId: number): Promise<{ cal: string | undefined; boot: string | undefined; o2: string | undefined }> {
    const client = await BoardClient.open(linkPath, autoDetect(), firstId);
    try {
      const id = await client.command('HELLO', [['proto', '1']]);
      const rd = await client.next((f) => f.type === 'RD' && field(f, 'o2') !== 'NA');
      return { cal: field(id, 'cal'), boot: field(id, 'boot'), o2: field(rd, 'o2') };
    } finally {
      await client.close();
    }
  }

  async function bridge(): Promise<FastifyInstance> {
    const a = buildApp({ ports: [{ path: linkPath }], dbPath: join(dir, 'bench.sqlite'), clock: new ManualClock() });
    await openApp(a, SN, 5_000_000);
    return a;
  }

  const cal = (a: FastifyInstance, body: object) =>
    a.inject({ method: 'POST', url: `/api/devices/${SN}/commands`, payload: { op: 'cal', ...body } });

  async function latestO2(a: FastifyInstance, test: (o2: number | null) => boolean): Promise<number | null> {
    let last: number | null = null;
    await until(() => {
      const view = a.devices.get(SN);
      last = view?.lastReading?.o2Kpa ?? null;
      return view?.lastReading !== null && view?.lastReading !== undefined && test(last);
    }, 'a reading', 5_000_000);
    return last;
  }

  it('calibrates through the bridge, and the calibration survives a board restart with ID\'s cal moved on', async () => {
    board = await startBoard();
    expect(await hello(900)).toEqual({ cal: '0', boot: '1', o2: '20.00' });

    app = await bridge();
    const res = await cal(app, { gas: 'o2', point: 'span', ref: 20.95 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'ack', cal: 1 });
    expect(await latestO2(app, (o2) => o2 === 20.95)).toBe(20.95);
    // A zero point with air on the sensor would move O2 by 20 kPa: the board refuses it and keeps its calibration.
    const refused = await cal(app, { gas: 'o2', point: 'zero', ref: 0 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'BRIDGE_ERR_COMMAND_NAK', details: { boardCode: 'E_RANGE' } });
    await app.close();
    app = undefined;

    await board.stop(); // a power cycle: the same link, the same EEPROM file
    board = await startBoard();
    const again = await hello(1900);
    expect(again.boot).toBe('2');
    expect(again.cal).toBe('1'); // was 0 before the span; the refused zero stored nothing
    expect(again.o2).toBe('20.95'); // still calibrated: the record came back from EEPROM

    app = await bridge();
    const factory = await cal(app, { gas: 'o2', point: 'factory' });
    expect(factory.statusCode, factory.body).toBe(200);
    expect(factory.json().cal).toBe(2);
    expect(await latestO2(app, (o2) => o2 === 20.0)).toBe(20.0);
    const audit = app.store.db.prepare("SELECT outcome FROM commands WHERE op = 'cal' ORDER BY id").all();
    expect(audit).toEqual([{ outcome: 'ack' }, { outcome: 'nak' }, { outcome: 'ack' }]);
  });
});
