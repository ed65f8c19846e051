/**
 * `cellbench firmware`: builds the board firmware from its one source for a target (firmware/Makefile does the
 * work, incrementally). The avr build prints its flash and static RAM use against the per-board budget.
 */

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parsePositiveInt, UsageError } from './args.js';

const FIRMWARE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware');

/** Targets this command builds, and the make goal and output of each. */
const TARGETS: Record<string, { goal: string; output: string; what: string }> = {
  host: { goal: 'host', output: 'firmware/build/host/{gasboard,palletunit}-host', what: 'both boards as Linux processes on PTYs (hil mode)' },
  avr: { goal: 'avr', output: 'firmware/build/avr/{gasboard,palletunit}.{elf,hex}', what: 'both boards for the ATmega2560 (avr-gcc); prints flash and RAM use' },
  wasm: { goal: 'wasm', output: 'firmware/build/wasm/{gasboard,palletunit}.wasm', what: 'both boards for WebAssembly (clang, wasm-ld): loaded in-process, lockstep (fast mode)' },
};

export const FIRMWARE_HELP = `Usage: cellbench firmware build --target TARGET [--clean]
       cellbench firmware run --board BOARD --target avr-sim|host [--link PATH] [--sn SERIAL] [--period-ms N]

Builds the board firmware for one target from the same sources (firmware/README.md), incrementally: a second
build with nothing changed does nothing.

Targets:
${Object.entries(TARGETS)
  .map(([name, t]) => `  ${name.padEnd(6)} ${t.what}\n         -> ${t.output}`)
  .join('\n')}

Options:
  --target T   the target to build (required)
  --clean      remove firmware/build/ first
  -h, --help   this help

The avr build fails when a board is over its budget (48 KiB flash, 6 KiB static RAM).

run: starts one board (gasboard or palletunit) until Ctrl-C, its UARTs on PTYs at symlinks: the host link at
--link PATH (default: a new folder under the OS temp dir), the O2 and CO2 modules at PATH.o2 and PATH.co2 (open
them with socat, or let a bridge and the module emulators do). --target avr-sim runs the avr build in simavr
(the firmware/targets/avr-sim harness); --target host runs the host build. It builds what it runs first.
Both take --sn SERIAL and --period-ms N, 1 to 3600000 (avr-sim writes them into the board's EEPROM, at
PATH.eeprom, which the avr build reads at power-up); both print O and M lines (the valve outputs) on stdout.`;

function make(args: string[]): number {
  const res = spawnSync('make', ['-C', FIRMWARE_DIR, '--no-print-directory', ...args], { stdio: 'inherit' });
  if (res.error) throw new Error(`make could not be started: ${res.error.message} (run \`cellbench setup\`)`);
  return res.status ?? 1;
}

export async function firmwareCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(FIRMWARE_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'run') return runCommand(rest);
  if (sub !== 'build') throw new UsageError(`unknown subcommand "${sub}"; there are: build, run`);
  const { values } = parseArgs({
    args: rest,
    options: {
      target: { type: 'string' },
      clean: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(FIRMWARE_HELP);
    return 0;
  }
  if (values.target === undefined) throw new UsageError(`"--target" is required: one of ${Object.keys(TARGETS).join(', ')}`);
  const target = TARGETS[values.target];
  if (!target) throw new UsageError(`"--target" must be one of ${Object.keys(TARGETS).join(', ')}: "${values.target}"`);
  if (values.clean && make(['clean']) !== 0) return 1;
  const status = make([target.goal]);
  if (status !== 0) {
    console.error(`cellbench firmware: the ${values.target} build failed (make ${target.goal} exited ${status})`);
    return 1;
  }
  console.log(`cellbench firmware: ${values.target} built: ${target.output}`);
  return 0;
}

const RUNNABLE: Record<string, Record<string, { goal: string; args: (link: string) => string[] }>> = {
  'avr-sim': {
    gasboard: { goal: 'avr-sim', args: (link) => [join(FIRMWARE_DIR, 'build', 'avr-sim', 'avr-sim'), '--firmware', join(FIRMWARE_DIR, 'build', 'avr', 'gasboard.elf'), '--link', link] },
    palletunit: { goal: 'avr-sim', args: (link) => [join(FIRMWARE_DIR, 'build', 'avr-sim', 'avr-sim'), '--firmware', join(FIRMWARE_DIR, 'build', 'avr', 'palletunit.elf'), '--link', link] },
  },
  host: {
    gasboard: { goal: 'host', args: (link) => [join(FIRMWARE_DIR, 'build', 'host', 'gasboard-host'), '--link', link] },
    palletunit: { goal: 'host', args: (link) => [join(FIRMWARE_DIR, 'build', 'host', 'palletunit-host'), '--link', link] },
  },
};

async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      board: { type: 'string', default: 'gasboard' },
      target: { type: 'string' },
      link: { type: 'string' },
      sn: { type: 'string' },
      'period-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(FIRMWARE_HELP);
    return 0;
  }
  if (values.sn !== undefined && !/^[A-Za-z0-9-]{1,16}$/.test(values.sn)) {
    throw new UsageError(`"--sn" must be 1 to 16 characters of [A-Za-z0-9-]: "${values.sn}"`);
  }
  // Up to an hour, as for the demo's boards; the firmware's own bound (2^32 − 1 ms) would be its exit 2.
  const periodMs = values['period-ms'] === undefined ? undefined : String(parsePositiveInt(values['period-ms'], '--period-ms', 3_600_000));
  const byBoard = RUNNABLE[values.target ?? ''];
  if (!byBoard) throw new UsageError(`"--target" must be one of ${Object.keys(RUNNABLE).join(', ')}: "${values.target ?? ''}"`);
  const run = byBoard[values.board];
  if (!run) throw new UsageError(`"--board" must be one of ${Object.keys(byBoard).join(', ')}: "${values.board}"`);
  if (make([run.goal]) !== 0) return 1;
  const link = values.link ?? join(mkdtempSync(join(tmpdir(), 'cellbench-board-')), values.board);
  const [bin, ...args] = [
    ...run.args(link),
    ...(values.sn !== undefined ? ['--sn', values.sn] : []),
    ...(periodMs !== undefined ? ['--period-ms', periodMs] : []),
  ];
  console.log(`cellbench firmware: ${values.board} (${values.target}) on ${link}, ${link}.o2, ${link}.co2; Ctrl-C stops it`);
  // stdin stays open (a board exits at its end): it is the plant link, unused here.
  const child = spawn(bin!, args, { stdio: ['pipe', 'inherit', 'inherit'] });
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal === 'SIGTERM' || code === 0 ? 0 : 1);
    });
    child.once('error', (err) => {
      console.error(`cellbench firmware: cannot start ${bin}: ${err.message}`);
      resolve(1);
    });
  });
}
