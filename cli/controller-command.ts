/**
 * `cellbench controller`: the reference RQ-DCA controller (controller/dca-controller.ts) as its own process
 * against any bridge, real or simulated, through the HTTP client (controller/http-client.ts), printing every
 * decision and its reason. Runs until Ctrl-C or SIGTERM.
 */

import { parseArgs } from 'node:util';
import { createDcaController } from '../controller/dca-controller.js';
import { createHttpBridgeClient } from '../controller/http-client.js';
import type { DecisionLogEntry } from '../controller/contract.js';
import { UsageError } from './args.js';

export const CONTROLLER_HELP = `Usage: cellbench controller --bridge URL --token T [--cells a,b] [--log text|json] [--lockstep]

Runs the reference RQ-DCA controller against a bridge through its API (REST and socket.io), the way a
customer's controller would, and prints every decision with its reason. Runs until Ctrl-C or SIGTERM; it
leaves the valves as they are (the boards and the bridge hold them) and keeps its state in the bridge, so
a restarted controller resumes where it was.

Options:
  --bridge URL    the bridge, e.g. http://127.0.0.1:8080 (default: $CELLBENCH_BRIDGE_URL)
  --token T       an API token of the operator role (default: $CELLBENCH_TOKEN; an open bench needs none)
  --cells a,b     the cells to control, comma-separated (default: $CELLBENCH_CELLS, else every cell the
                  bridge knows)
  --log FORMAT    text: one line per decision: reading time (ISO), cell, state, decision, reason (default);
                  json: one DecisionLogEntry object per line
  --lockstep      save the cell's record after every reading handled, as a fast bench that listens paces
                  on (controller/README.md, "Lockstep pacing"); default: on a change and every 6 h
  -h, --help      this help

Exit codes: 0 stopped by a signal, 1 the bridge could not be reached or refused, 2 a bad command line.`;

/** A decision as one readable line. */
export function formatDecision(e: DecisionLogEntry, format: 'text' | 'json'): string {
  if (format === 'json') return JSON.stringify(e);
  return `${new Date(e.atMs).toISOString()}  ${e.cellId}  ${e.state}  ${e.decision}  — ${e.reason}`;
}

/** The cells from `--cells` or the environment: ids separated by commas, none empty. */
function parseCells(text: string | undefined, option: string): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const ids = text.split(',').map((s) => s.trim());
  if (ids.some((id) => id === '' || !/^[A-Za-z0-9._-]{1,64}$/.test(id))) {
    throw new UsageError(`${option} must be cell ids separated by commas (letters, digits, . _ -): "${text}"`);
  }
  return ids;
}

export async function controllerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      bridge: { type: 'string' },
      token: { type: 'string' },
      cells: { type: 'string' },
      log: { type: 'string', default: 'text' },
      lockstep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(CONTROLLER_HELP);
    return 0;
  }
  const url = values.bridge ?? process.env.CELLBENCH_BRIDGE_URL;
  if (url === undefined || url === '') throw new UsageError('--bridge URL is required (or set CELLBENCH_BRIDGE_URL)');
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) throw new UsageError(`--bridge must be an http(s) URL such as http://127.0.0.1:8080: "${url}"`);
  const token = values.token ?? (process.env.CELLBENCH_TOKEN || undefined);
  if (token !== undefined && token.trim() === '') throw new UsageError('--token must not be empty');
  const cells = values.cells !== undefined ? parseCells(values.cells, '--cells') : parseCells(process.env.CELLBENCH_CELLS, 'CELLBENCH_CELLS');
  const format = values.log;
  if (format !== 'text' && format !== 'json') throw new UsageError(`--log must be text or json: "${format}"`);

  const client = createHttpBridgeClient({ url, ...(token !== undefined ? { token } : {}) });
  const print = (e: DecisionLogEntry): void => {
    process.stdout.write(`${formatDecision(e, format)}\n`);
  };
  const runtime = createDcaController({ client, log: print, ...(cells ? { cells } : {}), ...(values.lockstep ? { config: { saveEveryMs: 1 } } : {}) });
  try {
    // Checks the bridge and the token before deciding anything: a refused event stream is a failure too.
    const known = await client.cellIds();
    for (const c of cells ?? []) if (!known.includes(c)) throw new Error(`the bridge at ${url} has no cell "${c}" (it has: ${known.join(', ') || 'none'})`);
    await client.connected();
    await runtime.start();
  } catch (err) {
    await client.close();
    throw err;
  }
  console.error(`cellbench controller: controlling ${cells ? cells.join(', ') : 'every cell'} on ${url}  (Ctrl-C stops)`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      void runtime
        .stop()
        .catch((err: unknown) => console.error(`cellbench controller: while stopping: ${(err as Error).message}`))
        .then(() => client.close())
        .then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
