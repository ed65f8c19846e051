/**
 * Heat balance of a cold-storage cell: two lumps, the fruit and the air node (the cell air together with
 * the evaporator, ducts and inner surfaces it touches), so that the cooling unit's on/off cycle swings the
 * air temperature — and with it the gas pressure (0.1 °C ≈ 34 Pa, DOMAIN.md §5) — on a realistic time scale
 * while the fruit follows slowly. Source: DOMAIN.md §1 (cooling energy), §5; the coefficients are [E].
 *
 *     m·c_f · dT_f/dt = q_resp − G_fa·(T_f − T_a)
 *     C_a   · dT_a/dt = G_fa·(T_f − T_a) + UA·(T_amb − T_a) + P_fan − P_cool·[cooling on] + H_door
 *
 *     c_f   = 3800 J kg⁻¹ K⁻¹     specific heat of apples above freezing [S: ASHRAE Handbook Refrigeration,
 *                                 thermal properties of foods: apples 3.81 kJ kg⁻¹ K⁻¹; pears 3.83]
 *     G_fa  = 0.15 W K⁻¹ per kg   fruit-to-air conductance of bins in forced air [E]
 *     C_a   = 10 kJ K⁻¹ per m³ gross   air node [E] (air alone is 1.3 kJ K⁻¹ m⁻³)
 *     UA    = 0.35 W K⁻¹ per m³ gross  insulated walls [E]
 *     P_fan = 2 W per m³ gross         evaporator fans, running continuously at storage speed [E]
 *     P_cool = 120 W per t of fruit + 2 × (UA·25 K + P_fan)   cooling capacity [E]
 *     H_door = Q_door · ρ · c_p · (T_amb − T_a)      air exchanged through an open door (door-exchange.ts)
 *
 * Without fruit the fruit lump is left out (T_f follows T_a). The cooling unit's thermostat (on below
 * setpoint + band, off below setpoint − band) is a discrete event between steps (cooling-thermostat.ts).
 */

export interface HeatBalanceParams {
  fruitKg: number;
  fruitHeatCapacityJPerKgK: number;
  fruitAirConductanceWPerK: number;
  airNodeHeatCapacityJPerK: number;
  wallConductanceWPerK: number;
  fanPowerW: number;
  coolingCapacityW: number;
}

/** dT_f/dt, K/s. */
export function fruitTempRateKPerS(p: HeatBalanceParams, respirationHeatW: number, fruitTempC: number, airTempC: number): number {
  if (p.fruitKg <= 0) return 0;
  return (respirationHeatW - p.fruitAirConductanceWPerK * (fruitTempC - airTempC)) / (p.fruitKg * p.fruitHeatCapacityJPerKgK);
}

/** Heat flows into the air node, W: fruit, walls, fans, minus cooling, plus the door's. */
export function airNodeHeatW(
  p: HeatBalanceParams,
  fruitTempC: number,
  airTempC: number,
  ambientTempC: number,
  coolingOn: boolean,
  doorHeatW: number,
): number {
  const fromFruit = p.fruitKg > 0 ? p.fruitAirConductanceWPerK * (fruitTempC - airTempC) : 0;
  return (
    fromFruit +
    p.wallConductanceWPerK * (ambientTempC - airTempC) +
    p.fanPowerW -
    (coolingOn ? p.coolingCapacityW : 0) +
    doorHeatW
  );
}
