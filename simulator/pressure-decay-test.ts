/**
 * The airtightness test of a DCA cell, run on the simulated cell: pressurise the empty cell to p0 above
 * ambient, record the decay of the gauge pressure through the leak, take the half time t½ from the record,
 * turn it into an equivalent leak area with DOMAIN.md §5's formula, and judge it against the DCA limit of
 * 0.10 cm² per 100 m³ of gross volume (DOMAIN.md §1).
 *
 * Procedure (as a tester does it): the fan pushes air in until the gauge reads p0, then stops (here: the
 * run starts at p0 with ambient air, a discrete event at t = 0); the cell is left alone and read every
 * `sampleS`; t½ is where the record crosses p0/2, interpolated linearly between the two samples around it.
 * The area from t½ uses the exact closed form of model/pressure-decay.ts (absolute cell pressure, ρ of the
 * cell gas); the plant itself integrates the orifice law (model/leak.ts) step by step, so the test closes
 * a real loop: a wrong leak law or volume shows up as a wrong area. The verdict is taken on the area as
 * reported, to 4 significant digits, so that what is printed is what was judged.
 *
 * Stable conditions matter: 0.1 °C moves a sealed room about 34 Pa (DOMAIN.md §5), so the cell and the
 * ambient stay at fixed temperatures and pressure during the test.
 */
import { createCellPlant } from './cell-plant.js';
import {
  AIR_CO2_FRACTION,
  AIR_O2_FRACTION,
  MOLAR_MASS_CO2_KG_PER_MOL,
  MOLAR_MASS_N2_KG_PER_MOL,
  MOLAR_MASS_O2_KG_PER_MOL,
  STANDARD_ATMOSPHERE_PA,
  gasDensityKgPerM3,
} from './model/gas-properties.js';
import { equivalentLeakAreaExactM2, pressureDecayHalfTimeS } from './model/pressure-decay.js';
import { SimulatorError } from './simulator-error.js';

/** DCA airtightness limit: leak area per 100 m³ of gross volume, cm² (DOMAIN.md §1). */
export const DCA_LEAK_LIMIT_CM2_PER_100M3 = 0.1;

export interface PressureDecayTestOptions {
  /** Gross cell volume, m³, > 0 and ≤ 100 000. Required. */
  grossVolumeM3: number;
  /** Free gas volume, m³, > 0 and ≤ grossVolumeM3. Default grossVolumeM3 (an empty cell). */
  freeVolumeM3?: number;
  /** The cell's true leak area, cm², 0 to 10 000. Required. */
  leakAreaCm2: number;
  /** Test pressure above ambient, Pa, 10 to 5000. Default 300. */
  p0Pa?: number;
  /** Discharge coefficient of the leak, > 0 and ≤ 1; used by the plant and by the area formula. Default 0.61. */
  cd?: number;
  /** Cell temperature during the test, °C, −10 to 40. Default 0 (a cold store; ρ of air 1.29 kg/m³). */
  tempC?: number;
  /** Ambient pressure, Pa, 50 000 to 120 000. Default 101 325. */
  ambientPressurePa?: number;
  /** Give up after this long without reaching p0/2, s, > 0 and ≤ 30 days. Default 2 days. */
  maxDurationS?: number;
}

export interface PressureDecaySample {
  timeS: number;
  /** Gauge pressure, Pa. */
  pressurePa: number;
}

export interface PressureDecayTestResult {
  /** Half time read from the record, s; null if p0/2 was not reached within maxDurationS (or no leak). */
  halfTimeS: number | null;
  /** Half time from DOMAIN.md §5's closed form (p ≈ p_atm) for the true leak area, s (null without leak). */
  formulaHalfTimeS: number | null;
  /** Equivalent leak area from the measured half time, cm²; an upper bound if halfTimeS is null. */
  leakAreaCm2: number;
  /** That area per 100 m³ of gross volume, cm², to 4 significant digits. */
  leakAreaCm2Per100M3: number;
  /** The DCA limit, cm² per 100 m³. */
  limitCm2Per100M3: number;
  /** leakAreaCm2Per100M3 ≤ limit. */
  pass: boolean;
  /** The recorded decay, about 200–400 samples. */
  samples: PressureDecaySample[];
}

function check(name: string, value: unknown, min: number, max: number, minExclusive = false): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (minExclusive ? value > min : value >= min) && value <= max;
  if (!ok) {
    throw new SimulatorError(
      'SIM_ERR_INVALID_OPTION',
      `"${name}" must be a finite number ${minExclusive ? '>' : '≥'} ${min} and ≤ ${max}: ${String(value)}`,
    );
  }
  return value as number;
}

export function runPressureDecayTest(options: PressureDecayTestOptions): PressureDecayTestResult {
  const grossVolumeM3 = check('grossVolumeM3', options.grossVolumeM3, 0, 100_000, true);
  const freeVolumeM3 = check('freeVolumeM3', options.freeVolumeM3 ?? grossVolumeM3, 0, grossVolumeM3, true);
  const leakAreaCm2 = check('leakAreaCm2', options.leakAreaCm2, 0, 10_000);
  const p0Pa = check('p0Pa', options.p0Pa ?? 300, 10, 5000);
  const cd = check('cd', options.cd ?? 0.61, 0, 1, true);
  const tempC = check('tempC', options.tempC ?? 0, -10, 40);
  const ambientPressurePa = check('ambientPressurePa', options.ambientPressurePa ?? STANDARD_ATMOSPHERE_PA, 50_000, 120_000);
  const maxDurationS = check('maxDurationS', options.maxDurationS ?? 2 * 86_400, 0, 30 * 86_400, true);

  const density = gasDensityKgPerM3(ambientPressurePa + p0Pa, tempC, AIR_O2_FRACTION, AIR_CO2_FRACTION);
  const formula = pressureDecayHalfTimeS(freeVolumeM3, leakAreaCm2 * 1e-4, cd, p0Pa, ambientPressurePa, density);
  const airMolarMass =
    AIR_O2_FRACTION * MOLAR_MASS_O2_KG_PER_MOL +
    AIR_CO2_FRACTION * MOLAR_MASS_CO2_KG_PER_MOL +
    (1 - AIR_O2_FRACTION - AIR_CO2_FRACTION) * MOLAR_MASS_N2_KG_PER_MOL;
  const result = (halfTimeS: number | null, samples: PressureDecaySample[]): PressureDecayTestResult => {
    // No crossing: t½ > maxDurationS, so the area is below what maxDurationS would give.
    const areaM2 = equivalentLeakAreaExactM2(
      freeVolumeM3, halfTimeS ?? maxDurationS, cd, p0Pa, ambientPressurePa, tempC, airMolarMass,
    );
    const areaCm2 = halfTimeS === null && leakAreaCm2 === 0 ? 0 : areaM2 * 1e4;
    const per100 = Number(((areaCm2 / grossVolumeM3) * 100).toPrecision(4));
    return {
      halfTimeS,
      formulaHalfTimeS: Number.isFinite(formula) ? formula : null,
      leakAreaCm2: areaCm2,
      leakAreaCm2Per100M3: per100,
      limitCm2Per100M3: DCA_LEAK_LIMIT_CM2_PER_100M3,
      pass: per100 <= DCA_LEAK_LIMIT_CM2_PER_100M3,
      samples,
    };
  };

  const plant = createCellPlant({
    fruitKg: 0,
    grossVolumeM3,
    freeVolumeM3,
    leakAreaCm2,
    leakCd: cd,
    tempC,
    ambient: { pressurePa: ambientPressurePa, tempC },
    initial: { gaugePressurePa: p0Pa },
    // The test isolates the breather bag and seals the relief valve; the door stays shut, no cooling cycles.
    breatherBagM3: 0,
    reliefValveOpeningPa: 20_000,
    coolingCapacityW: 0,
    fanPowerW: 0,
    wallConductanceWPerK: 0,
  });
  const samples: PressureDecaySample[] = [{ timeS: 0, pressurePa: plant.truth().pressurePa }];
  if (leakAreaCm2 === 0) return result(null, samples);

  // About 300 samples up to the expected half time; never coarser than a minute.
  const sampleS = Math.min(60, Math.max(0.01, Math.min(formula, maxDurationS) / 300));
  const halfPa = p0Pa / 2;
  while (plant.timeS < maxDurationS) {
    const before = samples[samples.length - 1]!;
    plant.step(Math.min(sampleS, maxDurationS - plant.timeS));
    const now = { timeS: plant.timeS, pressurePa: plant.truth().pressurePa };
    samples.push(now);
    if (now.pressurePa <= halfPa) {
      const f = (before.pressurePa - halfPa) / (before.pressurePa - now.pressurePa);
      return result(before.timeS + f * (now.timeS - before.timeS), samples);
    }
  }
  return result(null, samples);
}
