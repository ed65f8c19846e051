/**
 * What a client may ask a board to do, as one JSON schema derived from the protocol's facts
 * (firmware/protocol/board-facts.ts): the body of `POST /api/devices/:id/commands` and, with `deviceId`,
 * the socket.io `command`. One schema, one conversion to a board command, one capability check, so REST
 * and socket.io cannot drift apart.
 *
 * - `set_valve` `{valve, on, cell?}`: one actuator of one cell (`cell` 1 to the manifold's; default 1);
 * - `cal` `{gas, point, ref?}`: a calibration point (never retried: a CAL stored twice counts twice);
 * - `setpoint` `{o2Kpa, co2Kpa}`: the palletunit's loop setpoints (SETPT), within SETPOINT_LIMITS;
 * - `loop` `{on}`: the palletunit's local loop on, or off so that `set_valve` drives its outputs (LOOP).
 */

import {
  ACTUATOR_CAPABILITY,
  ACTUATOR_NAMES,
  CAL_GAS_DECIMALS,
  hasAtMostDecimals,
  LOOP_CAPABILITY,
  MAX_MANIFOLD_CELLS,
  SERIAL_NUMBER_MAX_CHARS,
  SETPOINT_LIMITS,
  type ActuatorName,
  type CalGas,
  type CalPoint,
  type Command,
} from '../../firmware/protocol/index.js';
import { BridgeError } from '../errors.js';

/** A command body as its schema admits it. */
export type CommandBody =
  | { op: 'set_valve'; valve: ActuatorName; on: boolean; cell?: number }
  | { op: 'cal'; gas: CalGas; point: CalPoint; ref?: number }
  | { op: 'setpoint'; o2Kpa: number; co2Kpa: number }
  | { op: 'loop'; on: boolean };

export const COMMAND_OPS = ['set_valve', 'cal', 'setpoint', 'loop'] as const;

/** Every field a command may have, and which op each belongs to. */
const FIELDS_OF: Record<(typeof COMMAND_OPS)[number], readonly string[]> = {
  set_valve: ['valve', 'on', 'cell'],
  cal: ['gas', 'point', 'ref'],
  setpoint: ['o2Kpa', 'co2Kpa'],
  loop: ['on'],
};
const ALL_FIELDS = [...new Set(Object.values(FIELDS_OF).flat())];

/** For one op: the fields it needs, and every other op's field refused. */
function opRule(op: (typeof COMMAND_OPS)[number], required: string[], extra: object = {}): object {
  const refused = Object.fromEntries(ALL_FIELDS.filter((f) => !FIELDS_OF[op].includes(f)).map((f) => [f, false]));
  return { if: { properties: { op: { const: op } } }, then: { required, properties: refused, ...extra } };
}

/** The JSON schema of a command body; with `deviceId: true`, of a socket.io command. */
export function commandBodySchema(options: { deviceId?: boolean } = {}): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: options.deviceId ? ['deviceId', 'op'] : ['op'],
    properties: {
      ...(options.deviceId ? { deviceId: { type: 'string', minLength: 1, maxLength: SERIAL_NUMBER_MAX_CHARS } } : {}),
      op: { type: 'string', enum: [...COMMAND_OPS] },
      valve: { type: 'string', enum: [...ACTUATOR_NAMES] },
      on: { type: 'boolean' },
      cell: { type: 'integer', minimum: 1, maximum: MAX_MANIFOLD_CELLS },
      gas: { type: 'string', enum: ['o2', 'co2'] },
      point: { type: 'string', enum: ['zero', 'span', 'factory'] },
      ref: { type: 'number', minimum: 0 },
      o2Kpa: { type: 'number', minimum: SETPOINT_LIMITS.o2Kpa.min, maximum: SETPOINT_LIMITS.o2Kpa.max },
      co2Kpa: { type: 'number', minimum: SETPOINT_LIMITS.co2Kpa.min, maximum: SETPOINT_LIMITS.co2Kpa.max },
    },
    allOf: [
      opRule('set_valve', ['valve', 'on']),
      opRule('cal', ['gas', 'point'], {
        if: { properties: { point: { const: 'factory' } } },
        then: { properties: { ref: false } },
        else: { required: ['ref'] },
      }),
      opRule('setpoint', ['o2Kpa', 'co2Kpa']),
      opRule('loop', ['on']),
    ],
  };
}

function decimals(field: string, value: number, places: number, what: string): void {
  if (!hasAtMostDecimals(value, places)) {
    throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `body field "${field}" must have at most ${places} decimals for ${what}: ${value}`, { field });
  }
}

/**
 * The board command for a body the schema has admitted. Values with more decimals than the frame carries
 * are refused here (the frame would round them).
 */
export function commandOf(body: CommandBody): Command {
  switch (body.op) {
    case 'set_valve':
      return { op: 'set_valve', valve: body.valve, on: body.on, ...(body.cell !== undefined ? { cell: body.cell } : {}) };
    case 'cal':
      if (body.ref !== undefined) decimals('ref', body.ref, CAL_GAS_DECIMALS[body.gas], body.gas);
      return { op: 'cal', gas: body.gas, point: body.point, ...(body.ref !== undefined ? { ref: body.ref } : {}) };
    case 'setpoint':
      decimals('o2Kpa', body.o2Kpa, SETPOINT_LIMITS.o2Kpa.decimals, 'the O2 setpoint');
      decimals('co2Kpa', body.co2Kpa, SETPOINT_LIMITS.co2Kpa.decimals, 'the CO2 setpoint');
      return { op: 'setpoint', o2Kpa: body.o2Kpa, co2Kpa: body.co2Kpa };
    case 'loop':
      return { op: 'loop', on: body.on };
  }
}

/**
 * Refuses a command the board cannot carry out by its own capabilities (ID's `caps`): an actuator it does not
 * have, a setpoint or loop on a board without the loop. 409 BRIDGE_ERR_NOT_CAPABLE names what is missing.
 */
export function checkCapable(deviceId: string, kind: string, capabilities: readonly string[], command: Command): void {
  let needs: string | undefined;
  if (command.op === 'set_valve') needs = ACTUATOR_CAPABILITY[command.valve];
  else if (command.op === 'setpoint' || command.op === 'loop') needs = LOOP_CAPABILITY;
  if (needs !== undefined && !capabilities.includes(needs)) {
    throw new BridgeError(
      'BRIDGE_ERR_NOT_CAPABLE',
      409,
      `board "${deviceId}" (${kind}) has no "${needs}" capability for ${command.op}${command.op === 'set_valve' ? ` ${command.valve}` : ''}; it has ${capabilities.join(',') || 'none'}`,
    );
  }
}
