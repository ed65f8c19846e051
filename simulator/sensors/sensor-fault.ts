/**
 * Faults of a measuring chain, switchable at run time, so that a controller and its alarms can be tested
 * against the failures real analysers have (DOMAIN.md §4/§6: low drift matters for RQ; DESIGN.md: fault
 * injection). Each fault acts on the reading, never on the plant:
 *
 *  - stuck:   the reading freezes at the value it had when the fault began (a hung module, a blocked line);
 *  - dropout: no reading at all (null; the plant link sends NA);
 *  - spike:   with probability p per reading, a spike of ±amplitude is added (EMI, a loose contact);
 *  - drift:   an extra offset growing at ratePerDay from the fault's start (an ageing cell, a leak in the
 *             sampling line).
 */

export type SensorFault =
  | { kind: 'stuck' }
  | { kind: 'dropout' }
  | { kind: 'spike'; amplitude: number; probability: number }
  | { kind: 'drift'; ratePerDay: number };

/** A fault in force: the fault and what the sensor knew when it began. */
export interface ActiveFault {
  fault: SensorFault;
  /** Plant time the fault began, s. */
  sinceS: number;
  /** The last reading before the fault (what a stuck sensor keeps showing). */
  frozenReading: number | null;
}

/**
 * The reading under `active` at `timeS`: `healthy` is the reading without the fault, before rounding and
 * clipping; `uniform` a draw in [0, 1) for the spike's probability and `sign` ±1 for its direction.
 * Returns the faulty value (null for a dropout), or `undefined` for "round and clip as usual".
 */
export function applyFault(active: ActiveFault, timeS: number, healthy: number, uniform: number, sign: number): number | null {
  const f = active.fault;
  switch (f.kind) {
    case 'stuck':
      return active.frozenReading;
    case 'dropout':
      return null;
    case 'spike':
      return uniform < f.probability ? healthy + sign * f.amplitude : healthy;
    case 'drift':
      return healthy + (f.ratePerDay * (timeS - active.sinceS)) / 86_400;
  }
}
