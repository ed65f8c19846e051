/**
 * The ledger's bookings once per `step` call: the flows the integrator moved in the gas but that the
 * ledger takes outside it. Inputs are held over a call, so each is exact:
 *  - the ambient inflows' totals (leak in, door in), split by the ambient's mole fractions;
 *  - the N2 and air inlets, rate × `dtS` (RK4 integrates a constant exactly too);
 *  - the cooling unit's heat for the seconds it ran (the thermostat switches between sub-steps), and the fans.
 */
import { airInletMolPerS } from '../model/air-inlet.js';
import type { CellInputs, CellParams } from '../model/cell.js';
import { CellStateIndex, CO2, N2, O2 } from '../model/cell-state.js';
import { n2InletMolPerS, n2InletO2Fraction } from '../model/n2-inlet.js';

export interface StepFlowBooking {
  /** Recomputes the inlets' flows for the inputs now (with the step coefficients). */
  refresh(): void;
  /** Books a call of `dtS` during which the cooling ran `coolingOnS`. */
  book(dtS: number, coolingOnS: number): void;
}

export function createStepFlowBooking(state: Float64Array, params: Readonly<CellParams>, inputs: CellInputs): StepFlowBooking {
  const I = CellStateIndex;
  let n2InMolPerS = 0;
  let airInMolPerS = 0;
  const n2InO2Fraction = n2InletO2Fraction(params.n2PurityFraction);

  /**
   * Moves the step's total inflow of ambient air at `stepIndex` into the per-species ledger at `ledgerIndex`,
   * by the ambient's mole fractions (constant over the step), and sets the total back to 0.
   */
  function splitAmbientInflow(stepIndex: number, ledgerIndex: number): void {
    const mol = state[stepIndex]!;
    if (mol === 0) return;
    const ambient = inputs.ambient;
    state[ledgerIndex + O2] = state[ledgerIndex + O2]! + mol * ambient.o2Fraction;
    state[ledgerIndex + CO2] = state[ledgerIndex + CO2]! + mol * ambient.co2Fraction;
    state[ledgerIndex + N2] = state[ledgerIndex + N2]! + mol * (1 - ambient.o2Fraction - ambient.co2Fraction);
    state[stepIndex] = 0;
  }

  return {
    refresh(): void {
      n2InMolPerS = n2InletMolPerS(params.n2FlowNm3PerH);
      const ambient = inputs.ambient;
      airInMolPerS = airInletMolPerS(params.airFlowM3PerH, ambient.pressurePa, ambient.tempC);
    },
    book(dtS: number, coolingOnS: number): void {
      const actuators = inputs.actuators;
      splitAmbientInflow(I.leakInStep, I.leakIn);
      if (actuators.door) splitAmbientInflow(I.doorInStep, I.doorIn);
      if (actuators.n2) {
        const mol = n2InMolPerS * dtS;
        const xO2 = n2InO2Fraction;
        state[I.n2Inlet + O2] = state[I.n2Inlet + O2]! + mol * xO2;
        state[I.n2Inlet + N2] = state[I.n2Inlet + N2]! + mol * (1 - xO2);
      }
      if (actuators.air) {
        const ambient = inputs.ambient;
        const mol = airInMolPerS * dtS;
        state[I.airInlet + O2] = state[I.airInlet + O2]! + mol * ambient.o2Fraction;
        state[I.airInlet + CO2] = state[I.airInlet + CO2]! + mol * ambient.co2Fraction;
        state[I.airInlet + N2] = state[I.airInlet + N2]! + mol * (1 - ambient.o2Fraction - ambient.co2Fraction);
      }
      state[I.coolingHeatJ] = state[I.coolingHeatJ]! + params.coolingCapacityW * coolingOnS;
      state[I.fanEnergyJ] = state[I.fanEnergyJ]! + params.fanPowerW * dtS;
    },
  };
}
