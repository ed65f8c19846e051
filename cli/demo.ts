/**
 * `cellbench demo`: the bench on its embedded defaults — simulated cells, gasboard firmware as host
 * processes on PTYs, the bridge with SQLite, and the dashboard — until Ctrl-C, or for a set time.
 */

import { parseArgs } from 'node:util';
import { dashboardPlugin } from '../dashboards/index.js';
import { HilBench } from '../rig/index.js';
import { parseDurationMs, parsePort, parsePositiveInt, UsageError } from './args.js';

export const DEMO_HELP = `Usage: cellbench demo [options]

Runs the bench on one machine: simulated storage cells, one gasboard firmware process per cell on a
kernel PTY, the bridge (SQLite) and the dashboard. Runs until Ctrl-C and then stops every process it
started.

Options:
  --for DURATION     stop after this long (30s, 5m, 1h) and print a summary line
  --cells N          number of cells, one board each (default 2, at most 8)
  --time-scale N     plant seconds per wall second (default 60)
  --period-ms N      boards' reading period in ms (default 1000)
  --host HOST        dashboard host (default 127.0.0.1; the demo is an open bench, so loopback only)
  --port PORT        dashboard port (default 8080; 0 picks a free one)
  --db PATH          SQLite file (default .cellbench/bench.sqlite)
  --read-only        refuse every write (valve buttons, acknowledgements): a demo nobody can change
  -h, --help         this help

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
  const timeScale = Number(values['time-scale']);
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new UsageError(`--time-scale must be a positive number: "${values['time-scale']}"`);
  const periodMs = parsePositiveInt(values['period-ms'], '--period-ms', 3_600_000);
  const port = parsePort(values.port, '--port');

  const bench = new HilBench({
    cells: Array.from({ length: cells }, (_, i) => ({
      serialNumber: `GB-${String(i + 1).padStart(4, '0')}`,
      // Each cell its own seed and its own leak, so that the cards differ.
      plant: { seed: i + 1, leakAreaCm2: 0.1 + 0.05 * i },
    })),
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
