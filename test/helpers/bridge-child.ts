/**
 * A bridge as a child process, for tests that kill it (`kill -9`): one serial port, a SQLite file, the
 * system clock. Prints `ready URL` once listening. Run as `node --import tsx test/helpers/bridge-child.ts
 * PORT_PATH DB_PATH`.
 */

import { startBridge } from '../../bridge/index.js';

const [path, dbPath] = process.argv.slice(2);
if (!path || !dbPath) {
  console.error('usage: bridge-child.ts PORT_PATH DB_PATH');
  process.exit(2);
}
const bridge = await startBridge({ port: 0, dbPath, ports: [{ path }], backoffMs: 50, maxBackoffMs: 200 });
console.log(`ready ${bridge.url}`);
process.once('SIGTERM', () => void bridge.close().then(() => process.exit(0)));
