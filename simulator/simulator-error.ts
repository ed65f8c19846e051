/**
 * The one error type the simulator throws. `code` says what kind of failure it is, so callers and tests
 * can branch on it; the message names the input that was wrong and what was allowed.
 */

/** Error codes, `SIM_ERR_*` in the style of the bridge's `BRIDGE_ERR_*`. */
export type SimulatorErrorCode =
  /** An option or argument is missing, non-finite, out of range or unknown. */
  | 'SIM_ERR_INVALID_OPTION'
  /** A preset name is not in the registry. */
  | 'SIM_ERR_UNKNOWN_PRESET'
  /** The virtual clock was advanced from inside one of its own timers. */
  | 'SIM_ERR_CLOCK_REENTRANT'
  /** A driver was started twice or used after it was stopped. */
  | 'SIM_ERR_DRIVER_STATE'
  /** A cell's lots break the DCA loading rule (loading-rule.ts); the message names the rule. */
  | 'SIM_ERR_LOADING_RULE'
  /** The adaptive integrator would need a step below its minimum (engine/dopri5.ts); the message says where. */
  | 'SIM_ERR_STEP_TOO_SMALL'
  /** A calibration-gas bottle cannot give the gas a calibration needs (sensors/calibration-gas-bottle.ts). */
  | 'SIM_ERR_BOTTLE_EMPTY';

export class SimulatorError extends Error {
  readonly code: SimulatorErrorCode;

  constructor(code: SimulatorErrorCode, message: string) {
    super(message);
    this.name = 'SimulatorError';
    this.code = code;
  }
}

/** The error for a bad option or argument; `message` names it and its allowed range. */
export function invalidOption(message: string): SimulatorError {
  return new SimulatorError('SIM_ERR_INVALID_OPTION', message);
}
