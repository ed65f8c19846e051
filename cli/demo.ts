/**
 * `cellbench demo`: the bench on its embedded defaults — simulated cells, gasboard firmware as host
 * processes on PTYs, the bridge with SQLite, and the dashboard — until Ctrl-C, or for a set time.
 */

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { dashboardPlugin } from '../dashboards/index.js';
import { HilBench } from '../rig/index.js';
import { parseDurationMs, parseNumber, parsePort, parsePositiveInt } from './args.js';

export const DEMO_HELP = `Usage: cellbench demo [options]

Runs the bench on one machine: simulated storage cells, one gasboard firmware process per cell on a
kernel PTY, the bridge (SQLite) and the dashboard. Runs until Ctrl-C and then stops every process it
started.

Options:
  --for DURATION     stop after this long (30s, 5m, 1h; 1ms to 24.8 days, the longest a timer holds)
                     and print a summary line
  --cells N          number of cells, one board each (default 2, at most 8)
  --time-scale N     plant seconds per wall second, above 0 to 86400 (a plant day a second; default 60)
  --period-ms N      boards' reading period in ms (default 1000)
  --host HOST        dashboard host (default 127.0.0.1; the demo is an open bench, so loopback only)
  --port PORT        dashboard port (default 8080; 0 picks a free one)
  --db PATH          SQLite file (default .cellbench/bench.sqlite); its folder is the bench's state
  --read-only        refuse every write (valve buttons, acknowledgements): a demo nobody can change
  -h, --help         this help

State: each board's EEPROM (boot counter, calibration) is kept in eeprom/SERIAL.eeprom in the --db
file's folder (by default .cellbench/eeprom/GB-0001.eeprom ...), so a board's boots count on across
runs as a real board's do; delete a file for a board fresh from the factory. Folders it makes are its
owner's only (0700), and so are the EEPROM files (0600).

Summary line (with --for): frames received=N stored=N rejected=N`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      for: { type: 'string' },
      cells: { type: 'string', default: '2' },
      'time-scale': { type: 'string', default: '60' },
      'period-ms': { type: 'string', default: '1000' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      db: { type: 'string', default: '.cellbench/bench.sqlite' },
      'read-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  const durationMs = values.for === undefined ? undefined : parseDurationMs(values.for, '--for');
  const cells = parsePositiveInt(values.cells, '--cells', 8);
  // Each 100 ms tick steps every plant by 0.1 × the scale: at a day a second 8640 s, under a thousand
  // integrator sub-steps per cell. Far beyond that a tick would never end (1e12: 1e10 sub-steps).
  const timeScale = parseNumber(values['time-scale'], '--time-scale', { min: 0, max: 86_400, above: true });
  const periodMs = parsePositiveInt(values['period-ms'], '--period-ms', 3_600_000);
  const port = parsePort(values.port, '--port');

  // The bench's state lives next to its database, owner-only: the bridge's SQLite file, and each board's
  // EEPROM, which outlives a run as a real board's does (its boot counter goes on from the last run).
  const stateDir = dirname(values.db);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const bench = new HilBench({
    cells: Array.from({ length: cells }, (_, i) => {
      const serialNumber = `GB-${String(i + 1).padStart(4, '0')}`;
      return {
        serialNumber,
        // Each cell its own seed and its own leak, so that the cards differ.
        plant: { seed: i + 1, leakAreaCm2: 0.1 + 0.05 * i },
        eepromPath: join(stateDir, 'eeprom', `${serialNumber}.eeprom`),
      };
    }),
    timeScale,
    periodMs,
    host: values.host,
    port,
    dbPath: values.db,
    bridgePlugins: [dashboardPlugin],
    // The demo is an open bench on loopback (anyone on this machine acts as operator), or read-only.
    auth: { mode: values['read-only'] ? 'read-only' : 'open' },
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= bench.stop());
  const onSignal = (): void => {
    console.log('\ncellbench demo: stopping ...');
    void stop().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await bench.start();
  } catch (err) {
    await stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    throw err;
  }
  console.log(`cellbench demo: ${cells} cell(s) at ${timeScale} plant s per wall s; boards on ${bench.runDir}`);
  console.log(`cellbench demo: boards' EEPROM (boot counter, calibration) kept in ${join(stateDir, 'eeprom')}`);
  console.log(`cellbench demo: dashboard on ${bench.url}  (Ctrl-C stops)`);
  console.log(
    values['read-only']
      ? 'cellbench demo: read-only: every write (valve buttons included) is refused with BRIDGE_ERR_READ_ONLY'
      : 'cellbench demo: open bench on loopback: no token needed for the valve buttons (see bridge/README.md, "Auth")',
  );

  if (durationMs === undefined) return new Promise<number>(() => undefined); // runs until a signal

  await new Promise((resolve) => setTimeout(resolve, durationMs));
  const totals = bench.totals();
  await stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  console.log(`frames received=${totals.frames} stored=${totals.stored} rejected=${totals.rejected}`);
  return 0;
}
