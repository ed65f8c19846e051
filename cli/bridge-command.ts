/**
 * `cellbench bridge`: the bridge alone, on real serial ports (a bench with real boards, `bench` mode).
 */

import { parseArgs } from 'node:util';
import { startBridge } from '../bridge/index.js';
import { dashboardPlugin } from '../dashboards/index.js';
import { parsePort, UsageError } from './args.js';

export const BRIDGE_HELP = `Usage: cellbench bridge --serial PATH [--serial PATH ...] [options]

Runs the bridge on real serial ports (e.g. /dev/ttyUSB0, /dev/ttyACM0, or a board's PTY symlink), with
SQLite storage, the REST API under /api, socket.io, and the dashboard on /. Runs until Ctrl-C.

Options:
  --serial PATH   a board's serial port; repeat for each board (115200 8N1)
  --host HOST     HTTP host (default 127.0.0.1: loopback only, there is no auth yet)
  --port PORT     HTTP port (default 8080)
  --db PATH       SQLite file (default .cellbench/bench.sqlite)
  --log-level L   fatal, error, warn, info, debug (default warn)
  -h, --help      this help`;

export async function bridgeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      serial: { type: 'string', multiple: true, default: [] },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      db: { type: 'string', default: '.cellbench/bench.sqlite' },
      'log-level': { type: 'string', default: 'warn' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(BRIDGE_HELP);
    return 0;
  }
  if (values.serial.length === 0) throw new UsageError('give at least one --serial PATH');
  const levels = ['fatal', 'error', 'warn', 'info', 'debug'];
  if (!levels.includes(values['log-level'])) throw new UsageError(`--log-level must be one of ${levels.join(', ')}: "${values['log-level']}"`);
  const bridge = await startBridge({
    ports: values.serial.map((path) => ({ path })),
    host: values.host,
    port: parsePort(values.port, '--port'),
    dbPath: values.db,
    logger: { level: values['log-level'] },
    plugins: [dashboardPlugin],
  });
  console.log(`cellbench bridge: ${values.serial.length} port(s); dashboard and API on ${bridge.url}  (Ctrl-C stops)`);
  const stop = (): void => {
    void bridge.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
