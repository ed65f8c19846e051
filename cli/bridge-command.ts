/**
 * `cellbench bridge`: the bridge alone, on real serial ports (a bench with real boards, `bench` mode).
 */

import { parseArgs } from 'node:util';
import { startBridge, type AuthMode } from '../bridge/index.js';
import { dashboardPlugin } from '../dashboards/index.js';
import { parsePort, UsageError } from './args.js';

export const BRIDGE_HELP = `Usage: cellbench bridge (--serial PATH | --discover PATTERN | --list-ports) ... [options]

Runs the bridge on real serial ports (e.g. /dev/ttyUSB0, /dev/ttyACM0, or a board's PTY symlink), with
SQLite storage, the REST API under /api, socket.io, and the dashboard on /. Runs until Ctrl-C.

Options:
  --serial PATH   a board's serial port; repeat for each board (115200 8N1)
  --discover PAT  open every path matching PAT (* and ? in the last part, e.g. '/dev/ttyUSB*'), and look
                  again every 2 s for boards plugged in later; repeatable
  --list-ports    also open what the OS lists as serial ports (udev); without udevadm it says so and goes on
  --host HOST     HTTP host (default 127.0.0.1: loopback only)
  --port PORT     HTTP port (default 8080)
  --auth MODE     tokens (default): writes need an API token of the operator role (admin for tokens);
                  open: no tokens, anyone on this machine acts as operator (loopback hosts only);
                  read-only: the demo mode, every write is refused
  --protect-reads with --auth tokens: reads and socket connections need a viewer token too
  --db PATH       SQLite file (default .cellbench/bench.sqlite)
  --log-level L   fatal, error, warn, info, debug (default warn)
  -h, --help      this help

On its first start with --auth tokens the bridge makes an admin token and prints it once; keep it. Make
more with POST /api/tokens {"name","role"} (admin), revoke with DELETE /api/tokens/:id.`;

export async function bridgeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      serial: { type: 'string', multiple: true, default: [] },
      discover: { type: 'string', multiple: true, default: [] },
      'list-ports': { type: 'boolean', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      db: { type: 'string', default: '.cellbench/bench.sqlite' },
      auth: { type: 'string', default: 'tokens' },
      'protect-reads': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'warn' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(BRIDGE_HELP);
    return 0;
  }
  if (values.serial.length === 0 && values.discover.length === 0 && !values['list-ports']) {
    throw new UsageError('give at least one --serial PATH, --discover PATTERN or --list-ports');
  }
  for (const pattern of values.discover) {
    if (/[*?]/.test(pattern.slice(0, pattern.lastIndexOf('/')))) throw new UsageError(`--discover: only the last part of the path may hold * or ?: "${pattern}"`);
  }
  const levels = ['fatal', 'error', 'warn', 'info', 'debug'];
  if (!levels.includes(values['log-level'])) throw new UsageError(`--log-level must be one of ${levels.join(', ')}: "${values['log-level']}"`);
  const modes: AuthMode[] = ['tokens', 'open', 'read-only'];
  if (!modes.includes(values.auth as AuthMode)) throw new UsageError(`--auth must be one of ${modes.join(', ')}: "${values.auth}"`);
  const authMode = values.auth as AuthMode;
  const bridge = await startBridge({
    auth: { mode: authMode, protectReads: values['protect-reads'] },
    ports: values.serial.map((path) => ({ path })),
    ...(values.discover.length > 0 || values['list-ports'] ? { discovery: { globs: values.discover, list: values['list-ports'] } } : {}),
    host: values.host,
    port: parsePort(values.port, '--port'),
    dbPath: values.db,
    logger: { level: values['log-level'] },
    plugins: [dashboardPlugin],
  });
  console.log(`cellbench bridge: ${values.serial.length} port(s); dashboard and API on ${bridge.url}  (Ctrl-C stops)`);
  if (authMode === 'tokens' && !bridge.app.store.tokens.list().some((t) => t.role === 'admin' && t.revokedAtMs === null)) {
    const { token } = bridge.app.auth.createToken('admin', 'admin');
    console.log(`cellbench bridge: first start, no admin token yet; made one (shown only now, the bridge keeps its hash):\n  ${token}`);
    console.log(`cellbench bridge: open the dashboard as ${bridge.url}/#token=${token}`);
  } else if (authMode === 'open') {
    console.log('cellbench bridge: open bench: no tokens; anyone on this machine may send commands');
  }
  const stop = (): void => {
    void bridge.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
