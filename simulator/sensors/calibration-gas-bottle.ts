/**
 * A calibration-gas bottle, so that a run can use its gas up: "calibration gases must be watched and
 * bottles reordered in time" (DOMAIN.md §1 [P]).
 *
 * A cylinder of water volume V filled to p0. Each calibration step flushes the analyser with the gas at its
 * sample flow for its flush time and so takes Q·t normal litres (1.01325 bar, the gas's own temperature)
 * out of the bottle. Ideal gas at the bottle's constant temperature:
 *
 *     p = p0 − p_n · L / V          (L: normal litres drawn, p_n = 1.01325 bar)
 *
 * The compressibility of N2 and of CO2-in-N2 mixtures is within a few per cent of 1 up to 150 bar at room
 * temperature, so the ideal law is taken as is [E]. A bottle counts as empty at its regulator's minimum
 * inlet pressure (default 2 bar [E]: below that the regulator no longer holds its outlet pressure, and a
 * residual pressure keeps moist air out of the cylinder). A draw the bottle cannot deliver throws
 * `SIM_ERR_BOTTLE_EMPTY`, naming the bottle, its pressure and the litres asked, and takes nothing.
 */
import { SimulatorError, invalidOption } from '../simulator-error.js';

/** Normal pressure, bar: what a normal litre is measured at. */
export const NORMAL_PRESSURE_BAR = 1.01325;

export interface CalibrationGasBottleSpec {
  /** What the bottle holds, for messages and reports (e.g. "zero N2", "CO2 span 12 %"). */
  name: string;
  /** Water volume of the cylinder, L, > 0 (10 L and 50 L are common). */
  waterVolumeL: number;
  /** Filling pressure, bar, > minimumBar and ≤ 300. */
  fillBar: number;
  /** Pressure at which the bottle counts as empty, bar, ≥ 0. Default 2. */
  minimumBar?: number;
}

export interface CalibrationGasBottle {
  readonly spec: Readonly<Required<CalibrationGasBottleSpec>>;
  /** Pressure in the bottle now, bar. */
  readonly pressureBar: number;
  /** Normal litres still usable (above the minimum pressure). */
  readonly normalLitresLeft: number;
  /** Normal litres drawn since the bottle was put in. */
  readonly normalLitresDrawn: number;
  /** True if `normalLitres` can be drawn. */
  canDeliver(normalLitres: number): boolean;
  /** Draws `normalLitres` (≥ 0) or throws SIM_ERR_BOTTLE_EMPTY and draws nothing. */
  draw(normalLitres: number): void;
}


export function createCalibrationGasBottle(spec: CalibrationGasBottleSpec): CalibrationGasBottle {
  const name = spec.name;
  if (typeof name !== 'string' || name.length === 0) throw invalidOption(`"name" of a calibration-gas bottle must be a non-empty string: ${String(name)}`);
  const waterVolumeL = spec.waterVolumeL;
  if (typeof waterVolumeL !== 'number' || !Number.isFinite(waterVolumeL) || waterVolumeL <= 0 || waterVolumeL > 1000) {
    throw invalidOption(`"waterVolumeL" of bottle "${name}" must be a number above 0 to 1000 L: ${String(waterVolumeL)}`);
  }
  const minimumBar = spec.minimumBar ?? 2;
  if (typeof minimumBar !== 'number' || !Number.isFinite(minimumBar) || minimumBar < 0 || minimumBar > 50) {
    throw invalidOption(`"minimumBar" of bottle "${name}" must be a number from 0 to 50 bar: ${String(minimumBar)}`);
  }
  const fillBar = spec.fillBar;
  if (typeof fillBar !== 'number' || !Number.isFinite(fillBar) || fillBar <= minimumBar || fillBar > 300) {
    throw invalidOption(`"fillBar" of bottle "${name}" must be a number above minimumBar (${minimumBar}) to 300 bar: ${String(fillBar)}`);
  }
  const frozen = Object.freeze({ name, waterVolumeL, fillBar, minimumBar });
  // Normal litres per bar in this cylinder.
  const litresPerBar = waterVolumeL / NORMAL_PRESSURE_BAR;
  let drawnL = 0;

  const pressureBar = (): number => fillBar - drawnL / litresPerBar;
  const litresLeft = (): number => Math.max(0, (pressureBar() - minimumBar) * litresPerBar);

  function checkLitres(normalLitres: number): void {
    if (typeof normalLitres !== 'number' || !Number.isFinite(normalLitres) || normalLitres < 0) {
      throw invalidOption(`"normalLitres" must be a finite number ≥ 0: ${String(normalLitres)}`);
    }
  }

  return {
    spec: frozen,
    get pressureBar() {
      return pressureBar();
    },
    get normalLitresLeft() {
      return litresLeft();
    },
    get normalLitresDrawn() {
      return drawnL;
    },
    canDeliver(normalLitres: number): boolean {
      checkLitres(normalLitres);
      return normalLitres <= litresLeft();
    },
    draw(normalLitres: number): void {
      checkLitres(normalLitres);
      if (normalLitres > litresLeft()) {
        throw new SimulatorError(
          'SIM_ERR_BOTTLE_EMPTY',
          `calibration-gas bottle "${name}" is at ${pressureBar().toFixed(1)} bar and can give ${litresLeft().toFixed(2)} normal litres above its ${minimumBar} bar minimum; ${normalLitres} asked: replace it`,
        );
      }
      drawnL += normalLitres;
    },
  };
}

/**
 * Draws `normalLitres` from each of `bottles`, all or nothing: if one cannot give it, throws its
 * SIM_ERR_BOTTLE_EMPTY before any gas is drawn (a calibration needs every gas of its sequence).
 */
export function drawFromAll(bottles: readonly CalibrationGasBottle[], normalLitres: number): void {
  const short = bottles.find((bottle) => !bottle.canDeliver(normalLitres));
  if (short) short.draw(normalLitres); // throws, naming the bottle
  for (const bottle of bottles) bottle.draw(normalLitres);
}
