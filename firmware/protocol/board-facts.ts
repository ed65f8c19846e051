/**
 * The protocol's facts, declared once (firmware/PROTOCOL.md is their source): what an RD field's decimals
 * are, how long a serial number may be, which actuators a board has and the capability that says so,
 * how many manifold cells a SET may name, and the palletunit's setpoint limits. The bridge's REST schemas
 * and socket validation, the dashboard's controls and the simulator's reading of a board's outputs all
 * derive from these; nothing else writes them down.
 */

/** Decimals of each measured RD field (PROTOCOL.md, "Board to host"). */
export const RD_DECIMALS = { o2: 2, co2: 3, temp: 2 } as const;

/** A serial number: `[A-Za-z0-9-]`, 1 to 16 characters, so that the longest `ID` fits a line. */
export const SERIAL_NUMBER_MAX_CHARS = 16;
export const SERIAL_NUMBER_PATTERN = `^[A-Za-z0-9-]{1,${SERIAL_NUMBER_MAX_CHARS}}$`;
export const SERIAL_NUMBER_RE = new RegExp(SERIAL_NUMBER_PATTERN);

/** Actuator outputs a `SET` may name; which ones a board has, its capabilities say (ACTUATOR_CAPABILITY). */
export type ActuatorName = 'n2' | 'air' | 'scrub' | 'fan';
export const ACTUATOR_NAMES: readonly ActuatorName[] = ['n2', 'air', 'scrub', 'fan'];

/** The capability in ID's `caps` that says a board has an actuator. */
export const ACTUATOR_CAPABILITY: Readonly<Record<ActuatorName, string>> = {
  n2: 'valve.n2',
  air: 'valve.air',
  scrub: 'valve.scrub',
  fan: 'fan',
};

/** What people call each actuator (dashboards, logs). */
export const ACTUATOR_LABELS: Readonly<Record<ActuatorName, string>> = {
  n2: 'N₂',
  air: 'Air',
  scrub: 'Scrubber',
  fan: 'Fan',
};

/** The capability of a board with the local setpoint loop: `SETPT` and `LOOP` (the palletunit). */
export const LOOP_CAPABILITY = 'loop';

/** A sampling manifold has at most this many cells: `cell` in RD and SET is 1 to it. */
export const MAX_MANIFOLD_CELLS = 8;

/** The palletunit's setpoint limits and decimals (PROTOCOL.md, "palletunit"). */
export const SETPOINT_LIMITS = {
  o2Kpa: { min: 0.3, max: 21, decimals: 2 },
  co2Kpa: { min: 0.1, max: 20, decimals: 3 },
} as const;

/** The actuators a board has, from its capabilities, in ACTUATOR_NAMES order. */
export function actuatorsOf(capabilities: readonly string[]): ActuatorName[] {
  return ACTUATOR_NAMES.filter((a) => capabilities.includes(ACTUATOR_CAPABILITY[a]));
}

/** Whether a decimal has at most `decimals` places (a frame would round it otherwise). */
export function hasAtMostDecimals(value: number, decimals: number): boolean {
  const scale = 10 ** decimals;
  return Math.abs(value * scale - Math.round(value * scale)) <= 1e-6;
}
