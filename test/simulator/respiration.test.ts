import { describe, expect, it } from 'vitest';
import { respirationRates } from '../../simulator/index.js';
import { arrheniusFactor, o2UptakeMolPerKgS, vmFermMolPerKgS, vmO2MolPerKgS } from '../../simulator/model/respiration.js';
import { conferencePear } from '../../simulator/presets/index.js';

const k = conferencePear.respiration;
/** mL of an ideal gas per mol at 0 °C, 101 325 Pa. */
const ML_PER_MOL = 22_414;

describe('respiration (Ho et al. 2008 kinetics, DOMAIN.md §2)', () => {
  it('gives VmO2 ≈ 24 nmol kg⁻¹ s⁻¹ (≈ 2.0 mL kg⁻¹ h⁻¹) at 1 °C, as DOMAIN.md derives', () => {
    const vm = vmO2MolPerKgS(k, 1);
    expect(vm * 1e9).toBeGreaterThan(24 * 0.97);
    expect(vm * 1e9).toBeLessThan(24 * 1.03);
    const mlPerKgH = vm * 3600 * ML_PER_MOL;
    expect(mlPerKgH).toBeGreaterThan(1.9);
    expect(mlPerKgH).toBeLessThan(2.1);
  });

  it('uses the reference maxima at 20 °C and an Arrhenius factor of 1 there', () => {
    expect(arrheniusFactor(80_200, 20, 20)).toBe(1);
    expect(vmO2MolPerKgS(k, 20)).toBeCloseTo(2.39e-7, 12);
    expect(vmFermMolPerKgS(k, 20)).toBeCloseTo(1.61e-7, 12);
    // Ea 80.2 kJ/mol: from 20 °C to 1 °C respiration falls to exp(−2.2806) = 0.1022 of its value.
    expect(arrheniusFactor(80_200, 20, 1)).toBeCloseTo(0.1022, 3);
  });

  it('follows Michaelis–Menten in O2: half the maximum at pO2 = KmO2 without CO2', () => {
    const vm = vmO2MolPerKgS(k, 1);
    expect(o2UptakeMolPerKgS(vm, k, k.kmO2Kpa, 0)).toBeCloseTo(vm / 2, 15);
    // Non-competitive CO2 inhibition: at pCO2 = KmCO2 the uptake halves again.
    expect(o2UptakeMolPerKgS(vm, k, k.kmO2Kpa, k.kmCo2Kpa)).toBeCloseTo(vm / 4, 15);
  });

  it('has an RQ near RQox in air and a rising RQ at low O2 (fermentation)', () => {
    const air = respirationRates(k, 1, 21, 0.04);
    expect(air.rq).toBeGreaterThan(0.97);
    expect(air.rq).toBeLessThan(1.0);
    const low = respirationRates(k, 1, 0.5, 0.7);
    const veryLow = respirationRates(k, 1, 0.2, 0.7);
    expect(low.rq).toBeGreaterThan(1.3);
    expect(veryLow.rq).toBeGreaterThan(low.rq);
    // Anoxia: no O2 uptake, fermentation at its maximum Vmf(1 °C) = 1.61e-7 · exp(56 700/R·(1/293.15 − 1/274.15)).
    const anoxia = respirationRates(k, 1, 0, 0);
    expect(anoxia.o2UptakeMolPerKgS).toBe(0);
    expect(anoxia.co2ProductionMolPerKgS).toBeCloseTo(1.61e-7 * Math.exp(-1.6123), 10);
  });

  it('never turns uptake into production for slightly negative partial pressures', () => {
    const vm = vmO2MolPerKgS(k, 1);
    expect(o2UptakeMolPerKgS(vm, k, -1e-6, 0)).toBe(0);
  });
});
