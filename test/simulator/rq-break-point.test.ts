import { describe, expect, it } from 'vitest';
import { allPresets, createCellPlant, getPreset, respirationRates, type PlantPreset } from '../../simulator/index.js';
import { breakPointDriftVmFermScale, breakPointO2Kpa, rqThreshold } from '../../simulator/model/rq-break-point.js';
import { APPLE_KM_O2_KPA, ML_PER_MOL_STP } from '../../simulator/presets/index.js';

/**
 * The O2 where the RQ curve, sampled every 0.005 kPa from 0.1 to 21 kPa, crosses `threshold`, found by
 * linear interpolation between samples: independent of the closed form in model/rq-break-point.ts.
 * Also checks that the curve falls strictly with O2.
 */
function sampledCrossing(preset: PlantPreset, tempC: number, co2Kpa: number, vmFermScale = 1): number {
  const k = { ...preset.respiration, vmFermRefMolPerKgS: preset.respiration.vmFermRefMolPerKgS * vmFermScale };
  const threshold = rqThreshold(k);
  let previous = { o2: 0.1, rq: respirationRates(k, tempC, 0.1, co2Kpa).rq };
  let crossing = NaN;
  for (let i = 1; 0.1 + i * 0.005 <= 21 + 1e-9; i++) {
    const o2 = 0.1 + i * 0.005;
    const rq = respirationRates(k, tempC, o2, co2Kpa).rq;
    expect(rq).toBeLessThan(previous.rq); // monotonic in O2
    if (Number.isNaN(crossing) && previous.rq >= threshold && rq < threshold) {
      crossing = previous.o2 + ((previous.rq - threshold) / (previous.rq - rq)) * (o2 - previous.o2);
    }
    previous = { o2, rq };
  }
  return crossing;
}

describe('RQ break points (DOMAIN.md §3, threshold RQ = 1.1 × aerobic after Deng et al. 1997)', () => {
  it('every preset: RQ falls monotonically with O2 and crosses 1.1·RQox at its sourced break point ±0.1 kPa', () => {
    const presets = allPresets();
    expect(presets.length).toBeGreaterThanOrEqual(8);
    for (const preset of presets) {
      const bp = preset.breakPoint;
      const crossing = sampledCrossing(preset, bp.tempC, bp.co2Kpa);
      expect(Math.abs(crossing - bp.o2Kpa), preset.name).toBeLessThan(0.1);
      // The tuning is exact, not just within the band: the closed form and the sampled curve agree.
      expect(Math.abs(crossing - bp.o2Kpa), preset.name).toBeLessThan(0.01);
      expect(breakPointO2Kpa(preset.respiration, bp.tempC, bp.co2Kpa)).toBeCloseTo(bp.o2Kpa, 2);
    }
  });

  it('lands on the published limits at 0 °C: Gala 0.65, Golden Delicious 0.75, Starkrimson 0.8 kPa', () => {
    const at0 = (name: string): number => sampledCrossing(getPreset(name), 0, 0);
    expect(at0('gala-apple')).toBeCloseTo(0.65, 2);
    expect(at0('golden-delicious-apple')).toBeCloseTo(0.75, 2);
    expect(at0('starkrimson-apple')).toBeCloseTo(0.8, 2);
    // Jonagold and Elstar: anchored to their parent Golden Delicious [E].
    expect(at0('jonagold-apple')).toBeCloseTo(0.75, 2);
    expect(at0('elstar-apple')).toBeCloseTo(0.75, 2);
    expect(getPreset('jonagold-apple').sources.find((s) => s.parameter === 'breakPoint.o2Kpa')!.tag).toBe('E');
    expect(getPreset('gala-apple').sources.find((s) => s.parameter === 'breakPoint.o2Kpa')!.tag).toBe('S');
  });

  it('apple break points rise with temperature and with CO2 (DOMAIN.md §3)', () => {
    const k = getPreset('gala-apple').respiration;
    const at0 = breakPointO2Kpa(k, 0, 0);
    const at5 = breakPointO2Kpa(k, 5, 0);
    expect(at5).toBeGreaterThan(at0 + 0.02);
    expect(breakPointO2Kpa(k, 0, 2.5)).toBeGreaterThan(at0);
  });

  it('drifts with storage time: +0.1 kPa after 200 days, exactly through the fermentation factor', () => {
    const preset = getPreset('golden-delicious-apple');
    const scale = breakPointDriftVmFermScale(preset.respiration, preset.breakPoint, 200);
    expect(scale).toBeGreaterThan(1);
    expect(sampledCrossing(preset, 0, 0, scale)).toBeCloseTo(0.85, 2);
    // And the plant applies it: at day 200 the cell's own break point (at its 1 °C) is 0.1 kPa higher.
    const fresh = createCellPlant({ preset: 'golden-delicious-apple', tempC: 0, initial: { co2Kpa: 0 } });
    const aged = createCellPlant({ preset: 'golden-delicious-apple', tempC: 0, storageDayAtStart: 200, initial: { co2Kpa: 0 } });
    expect(fresh.truth().rqBreakPointO2Kpa).toBeCloseTo(0.75, 3);
    expect(aged.truth().rqBreakPointO2Kpa).toBeCloseTo(0.85, 3);
    expect(aged.truth().storageDays).toBe(200);
    // Same O2 just above the fresh break point: the aged fruit ferments more, its RQ is higher.
    const at = { o2Kpa: 0.8, co2Kpa: 0 };
    const a = createCellPlant({ preset: 'golden-delicious-apple', tempC: 0, initial: at });
    const b = createCellPlant({ preset: 'golden-delicious-apple', tempC: 0, storageDayAtStart: 200, initial: at });
    expect(a.truth().rq).toBeLessThan(1.1);
    expect(b.truth().rq).toBeGreaterThan(1.1);
  });
});

describe('apple kinetics anchors (DOMAIN.md §2)', () => {
  it('reproduces Keshri et al. 2020: rO2 = 1.6 mL kg⁻¹ h⁻¹ at 2 kPa O2, 1.3 kPa CO2, 2 °C', () => {
    const r = respirationRates(getPreset('elstar-apple').respiration, 2, 2, 1.3);
    expect(r.o2UptakeMolPerKgS * 3600 * ML_PER_MOL_STP).toBeCloseTo(1.6, 6);
  });

  it('cuts respiration by 65 % at 2 kPa against air (KmO2 = 5.10 kPa)', () => {
    expect(APPLE_KM_O2_KPA).toBeCloseTo(5.103, 3);
    const k = getPreset('gala-apple').respiration;
    const ratio = respirationRates(k, 1, 2, 0).o2UptakeMolPerKgS / respirationRates(k, 1, 21, 0).o2UptakeMolPerKgS;
    expect(ratio).toBeCloseTo(0.35, 6);
  });

  it('respires ≈ 4 mL O2 kg⁻¹ h⁻¹ in air at 1 °C, with RQ ≈ 1', () => {
    const r = respirationRates(getPreset('gala-apple').respiration, 1, 21, 0.04);
    const mlPerKgH = r.o2UptakeMolPerKgS * 3600 * ML_PER_MOL_STP;
    expect(mlPerKgH).toBeGreaterThan(3.5);
    expect(mlPerKgH).toBeLessThan(4.8);
    expect(r.rq).toBeGreaterThan(1);
    expect(r.rq).toBeLessThan(1.01);
  });
});

describe('pallet presets (issue 3: 1–3 m³, 0.5–1.5 t, far more leak per volume)', () => {
  it('are kind "pallet", in range, and leak at least 10× the DCA room limit per volume', () => {
    const pallets = allPresets().filter((p) => p.kind === 'pallet');
    expect(pallets.map((p) => p.name)).toEqual(['container-gala', 'pallet-cover-elstar']);
    for (const p of pallets) {
      const g = p.geometry;
      expect(g.grossVolumeM3).toBeGreaterThanOrEqual(1);
      expect(g.grossVolumeM3).toBeLessThanOrEqual(3);
      expect(g.fruitKg).toBeGreaterThanOrEqual(500);
      expect(g.fruitKg).toBeLessThanOrEqual(1500);
      expect(g.leakAreaCm2 / (g.grossVolumeM3 / 100)).toBeGreaterThan(10 * 0.1);
    }
  });

  it('every preset cites every kinetic and geometric number and its break point', () => {
    for (const preset of allPresets()) {
      const cited = new Set(preset.sources.map((s) => s.parameter));
      for (const key of Object.keys(preset.respiration)) expect(cited, preset.name).toContain(`respiration.${key}`);
      for (const key of Object.keys(preset.geometry)) expect(cited, preset.name).toContain(`geometry.${key}`);
      expect(cited, preset.name).toContain('breakPoint.o2Kpa');
      expect(cited, preset.name).toContain('breakPoint.driftKpaPerDay');
      expect(cited, preset.name).toContain('storage');
    }
  });

  it('cell presets respect the DCA leak limit and the fill of DOMAIN.md §6', () => {
    for (const p of allPresets().filter((x) => x.kind === 'cell')) {
      const g = p.geometry;
      expect(g.leakAreaCm2 / (g.grossVolumeM3 / 100), p.name).toBeLessThanOrEqual(0.1 + 1e-12);
      expect(g.fruitKg / g.grossVolumeM3, p.name).toBeGreaterThanOrEqual(200);
      expect(g.fruitKg / g.grossVolumeM3, p.name).toBeLessThanOrEqual(250);
      expect(g.freeVolumeM3 / g.grossVolumeM3, p.name).toBeGreaterThanOrEqual(0.5);
      expect(g.freeVolumeM3 / g.grossVolumeM3, p.name).toBeLessThanOrEqual(0.65);
    }
  });
});
