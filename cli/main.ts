/**
 * The `cellbench` command line: one command fronts the bench. `setup` lives in setup.mjs because it
 * must run before the npm packages are installed; bin/cellbench.mjs sends it there.
 */

import { BRIDGE_HELP, bridgeCommand } from './bridge-command.js';
import { CONTROLLER_HELP, controllerCommand } from './controller-command.js';
import { DEMO_HELP, demoCommand } from './demo.js';
import { UsageError } from './args.js';
import { SIM_HELP, simCommand } from './sim-command.js';
import { LEAKTEST_HELP, leaktestCommand } from './leaktest-command.js';
import { FIRMWARE_HELP, firmwareCommand } from './firmware-command.js';
import { quietWhenStdoutCloses } from './stdout-pipe.js';

const HELP = `Usage: cellbench <command> [options]

Commands:
  setup    install what the bench needs (npm packages, Debian packages, firmware build); idempotent
  demo     simulated cells + firmware on PTYs + bridge + dashboard on http://127.0.0.1:8080
  bridge   the bridge and dashboard on real serial ports
  controller the reference RQ-DCA controller against a bridge (--bridge URL --token T), logging each decision
  sim      the plant simulator alone: presets, a season's time series, RQ curves
  leaktest the pressure-decay airtightness test on a simulated cell (t½, leak area, pass/fail)
  firmware build the firmware for a target (host, avr with flash/RAM use, wasm); run a board (avr-sim, host)

Run \`cellbench <command> --help\` for a command's options.`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  demo: { run: demoCommand, help: DEMO_HELP },
  bridge: { run: bridgeCommand, help: BRIDGE_HELP },
  controller: { run: controllerCommand, help: CONTROLLER_HELP },
  sim: { run: simCommand, help: SIM_HELP },
  leaktest: { run: leaktestCommand, help: LEAKTEST_HELP },
  firmware: { run: firmwareCommand, help: FIRMWARE_HELP },
};

/** Runs a command; returns the process exit code: 0 ok, 1 failure, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  // `cellbench sim ... | head`: a reader that leaves early ends the output quietly, as with any Unix tool.
  quietWhenStdoutCloses();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`cellbench: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      console.error(`cellbench ${name}: ${e.message}\nRun \`cellbench ${name} --help\` for its options.`);
      return 2;
    }
    console.error(`cellbench ${name}: ${e.message}`);
    return 1;
  }
}
