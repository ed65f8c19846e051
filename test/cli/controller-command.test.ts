/**
 * `cellbench controller` as a user runs it: a real `node bin/cellbench.mjs controller` process against a real
 * listening bridge (a fake board feeding it readings on a manual clock). It prints one decision per line with
 * its reason (JSON with `--log json`), commands N2 while O2 is above the ULO level, stops cleanly on SIGINT,
 * and names what is wrong with its command line (exit 2) or its bridge (exit 1). And as the controller under
 * test of a fast bench that listens: with --lockstep it keeps pace with every reading.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionLogEntry } from '../../controller/contract.js';
import { createFastBench, type FastBench } from '../../rig/index.js';
import { LISTENING_CELL, startListeningBridge, type ListeningBridge } from '../helpers/listening-bridge.js';
import { missingTools } from '../helpers/required-tools.js';
import { until } from '../helpers/wait.js';
import { buildWasm, WASM_TOOLS } from '../helpers/wasm-build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const CELL = LISTENING_CELL;

interface Cli {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

function cellbench(args: string[], env: Record<string, string> = {}): Cli {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CELLBENCH_')));
  const child = spawn(process.execPath, ['bin/cellbench.mjs', 'controller', ...args], { cwd: ROOT, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const cli: Cli = { child, stdout: '', stderr: '', exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (cli.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (cli.stderr += s));
  return cli;
}

/** Waits for what another process brings about, re-checked on every turn of the event loop (no timers). */
const waitFor = (condition: () => boolean, what: string): Promise<void> => until(condition, what, Number.MAX_SAFE_INTEGER);

describe('cellbench controller: the command line', () => {
  it('names a missing bridge and a bad --log, exit 2', async () => {
    const none = cellbench([]);
    expect(await none.exit).toBe(2);
    expect(none.stderr).toMatch(/--bridge URL is required \(or set CELLBENCH_BRIDGE_URL\)/);
    const badLog = cellbench(['--bridge', 'http://127.0.0.1:9', '--log', 'yaml']);
    expect(await badLog.exit).toBe(2);
    expect(badLog.stderr).toMatch(/--log must be text or json: "yaml"/);
  }, 30_000);

  it('says it cannot reach a bridge that is not there, exit 1', async () => {
    // A port that was free a moment ago: nothing listens on it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const cli = cellbench([], { CELLBENCH_BRIDGE_URL: `http://127.0.0.1:${port}` });
    expect(await cli.exit).toBe(1);
    expect(cli.stderr).toMatch(/cannot reach the bridge/);
  }, 30_000);
});

describe('cellbench controller against a listening bridge', () => {
  let bridge: ListeningBridge;
  const running: Cli[] = [];

  beforeAll(async () => {
    bridge = await startListeningBridge([{ name: 'otto', role: 'operator', token: OPERATOR }]);
  });

  afterEach(async () => {
    for (const c of running.splice(0)) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await c.exit;
    }
  });

  afterAll(async () => {
    await bridge?.close();
  });

  it('prints each decision as a JSON line, pulls down with N2, saves its record, and stops on SIGINT', async () => {
    const cli = cellbench(['--log', 'json', '--lockstep'], { CELLBENCH_BRIDGE_URL: bridge.url, CELLBENCH_TOKEN: OPERATOR, CELLBENCH_CELLS: CELL });
    running.push(cli);
    // It says so on stderr once its cells are loaded and its event stream is open.
    await waitFor(() => cli.stderr.includes('controlling') || cli.child.exitCode !== null, 'the controller to start');
    expect(cli.child.exitCode).toBeNull();
    // Below 15 kPa there is no aerobic reference to take first (a cell already part pulled down): pull-down with N2.
    for (let i = 0; i < 3; i++) await bridge.reading('12.00');
    await waitFor(() => bridge.board.received.some((l) => l.startsWith('SET ') && l.includes('valve=n2') && l.includes('on=1')), 'N2 on');
    const newest = bridge.app.store.readings.latestOfCell(CELL)!.measuredAtMs;
    // With --lockstep the record follows every reading.
    await waitFor(() => ((bridge.app.store.controllerStates.get(CELL)?.body as { status?: { atMs: number } } | undefined)?.status?.atMs ?? 0) >= newest, 'the record at the newest reading');
    await waitFor(() => cli.stdout.includes('"n2 on"'), 'the N2 decision printed');
    const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as DecisionLogEntry);
    const n2 = lines.find((l) => l.decision === 'n2 on')!;
    expect(n2).toMatchObject({ cellId: CELL });
    expect(n2.reason).toMatch(/O2 12\.00 kPa, setpoint 1\.50 kPa/);
    expect(lines.some((l) => l.decision === 'loading → pull_down')).toBe(true);
    cli.child.kill('SIGINT');
    expect(await cli.exit).toBe(0);
  }, 60_000);
});

const noWasm = missingTools('cellbench controller --lockstep on a fast bench', WASM_TOOLS);

/**
 * The other way a user meets it: `cellbench controller --lockstep` as the controller under test of a fast
 * bench in `listen` mode (rig/fast-bench.ts). The bench moves on from each reading only once the process's
 * record has caught up with it, so a controller that lagged would fail the run (runFor throws).
 */
describe.skipIf(noWasm !== undefined)('cellbench controller --lockstep on a fast bench that listens', () => {
  let bench: FastBench | undefined;
  let cli: Cli | undefined;

  beforeAll(buildWasm);

  afterEach(async () => {
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await cli?.exit;
    await bench?.close();
    cli = bench = undefined;
  });

  it('keeps pace reading by reading: the aerobic reference in air, then N2 down to the ULO level', async () => {
    bench = createFastBench({ cells: [{ serialNumber: 'GB-CLI', plant: { preset: 'gala-apple' } }], controller: { listen: { port: 0 } } });
    await bench.start();
    cli = cellbench(['--bridge', bench.url!, '--cells', 'GB-CLI', '--log', 'json', '--lockstep']);
    await waitFor(() => cli!.stderr.includes('controlling') || cli!.child.exitCode !== null, 'the controller to start');
    expect(cli.child.exitCode).toBeNull();
    const plant = bench.cell('GB-CLI').plant;
    for (let h = 0; h < 30; h++) await bench.runFor(3_600_000);
    const rows = bench.record().cells[0]!.rows;
    const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as DecisionLogEntry);
    expect(lines.some((l) => l.decision.startsWith('reference RQ'))).toBe(true);
    expect(lines.some((l) => l.decision === 'n2 on')).toBe(true);
    expect(rows.some((r) => r.state === 'pull_down')).toBe(true);
    expect(plant.truth().o2Kpa).toBeLessThan(5);
    // Every reading of the run had its record saved before the bench went on (the lockstep's condition).
    const rec = await bench.client.loadRecord('GB-CLI');
    expect(rec!.status.atMs).toBeGreaterThanOrEqual(bench.app.store.readings.latestOfCell('GB-CLI')!.measuredAtMs);
    expect(bench.record().cells[0]!.counts.readingsStored).toBeGreaterThanOrEqual(30 * 60 - 2);
    cli.child.kill('SIGINT');
    expect(await cli.exit).toBe(0);
  }, 180_000);
});
