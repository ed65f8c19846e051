import { describe, expect, it } from 'vitest';
import { getPreset, presetNames, SimulatorError } from '../../simulator/index.js';
import { conferencePear } from '../../simulator/presets/index.js';

describe('presets', () => {
  it('registers conference-pear and finds it by name', () => {
    expect(presetNames()).toContain('conference-pear');
    expect(getPreset('conference-pear')).toBe(conferencePear);
  });

  it('throws SIM_ERR_UNKNOWN_PRESET naming the preset and listing the known ones', () => {
    try {
      getPreset('jonagold');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SimulatorError);
      expect((err as SimulatorError).code).toBe('SIM_ERR_UNKNOWN_PRESET');
      expect((err as SimulatorError).message).toBe(
        'unknown preset "jonagold"; known presets: conference-pear, container-gala, elstar-apple, gala-apple, ' +
          'golden-delicious-apple, jonagold-apple, pallet-cover-elstar, starkrimson-apple',
      );
    }
  });

  it('carries the Ho et al. 2008 numbers, per kg at 1000 kg/m³ tissue', () => {
    const r = conferencePear.respiration;
    expect(r.vmO2RefMolPerKgS).toBeCloseTo(2.39e-7, 15);
    expect(r.eaO2JPerMol).toBe(80_200);
    expect(r.vmFermRefMolPerKgS).toBeCloseTo(1.61e-7, 15);
    expect(r.eaFermJPerMol).toBe(56_700);
    expect(r.kmO2Kpa).toBe(0.4103);
    expect(r.kmCo2Kpa).toBe(27.24);
    expect(r.kmFermO2Kpa).toBe(0.1149);
    expect(r.rqOx).toBe(0.97);
    expect(r.tRefC).toBe(20);
    expect(conferencePear.kind).toBe('cell');
    expect(conferencePear.cultivar).toBe('Conference');
  });

  it('has a source for every kinetic and geometric number', () => {
    const cited = new Set(conferencePear.sources.map((s) => s.parameter));
    for (const key of Object.keys(conferencePear.respiration)) expect(cited).toContain(`respiration.${key}`);
    for (const key of Object.keys(conferencePear.geometry)) expect(cited).toContain(`geometry.${key}`);
    for (const s of conferencePear.sources) {
      expect(['S', 'D', 'E']).toContain(s.tag);
      expect(s.reference.length).toBeGreaterThan(10);
    }
  });

  it('has a default room that respects the DCA rules of DOMAIN.md', () => {
    const g = conferencePear.geometry;
    expect(g.leakAreaCm2 / (g.grossVolumeM3 / 100)).toBeLessThanOrEqual(0.1); // §1
    expect(g.freeVolumeM3 / g.grossVolumeM3).toBeGreaterThanOrEqual(0.5); // §6
    expect(g.freeVolumeM3 / g.grossVolumeM3).toBeLessThanOrEqual(0.65);
    expect(g.fruitKg / g.grossVolumeM3).toBeGreaterThanOrEqual(200); // §6 fill
    expect(g.fruitKg / g.grossVolumeM3).toBeLessThanOrEqual(250);
  });
});
