/**
 * The cooling unit's thermostat: on/off with hysteresis on the air temperature, as a cold store's own
 * refrigeration controller runs it (the DCA controller does not switch cooling). A discrete event, decided
 * between integrator steps (STYLE.md 6). Source: DOMAIN.md §1 (cooling energy); band [E] ±0.3 K.
 *
 *     T_a > setpoint + band → on;   T_a < setpoint − band → off;   otherwise unchanged
 *
 * Energy used: the heat the unit removes divided by its COP (2.5 [E]), plus the fans.
 */

export function coolingOnNext(airTempC: number, setpointC: number, bandK: number, wasOn: boolean): boolean {
  if (airTempC > setpointC + bandK) return true;
  if (airTempC < setpointC - bandK) return false;
  return wasOn;
}
