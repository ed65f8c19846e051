/**
 * Gas flow through the leaks of a cell, driven by the pressure difference between the free gas and the
 * ambient. Source: DOMAIN.md §5 (orifice flow; Cd 0.61 for a sharp orifice, 1.0 for an ASHRAE effective
 * leakage area).
 *
 *     Q = sign(Δp) · Cd · A · √(2|Δp| / ρ)          |Δp| ≥ Δp_lin   (turbulent orifice)
 *     Q = Cd · A · √(2 Δp_lin / ρ) · Δp / Δp_lin     |Δp| < Δp_lin   (laminar linearisation)
 *
 * Q in m³/s of the upstream gas, A in m², Δp = p_ambient − p_cell in Pa (positive: air flows in),
 * ρ the mass density of the upstream gas in kg/m³ (ambient air on the way in, cell gas on the way out).
 *
 * Why the linear piece: dQ/dΔp of the square root is infinite at Δp = 0, which would make the pressure
 * equation infinitely stiff exactly where a sealed cell sits. Below Δp_lin (default 1 Pa) the flow is
 * taken proportional to Δp, matching the orifice flow at Δp_lin, so Q is continuous and its slope finite.
 * Real cracks flow closer to laminar at small Δp anyway (flow exponent 0.6–0.7, DOMAIN.md §5), so this is
 * not only numerics; above Δp_lin the pure orifice law holds, which keeps DOMAIN.md's ingress and
 * pressure-decay figures.
 */

/** Volumetric flow through the leak, m³/s of upstream gas; positive into the cell. */
export function leakVolumeFlowM3PerS(
  dpPa: number,
  areaM2: number,
  cd: number,
  upstreamDensityKgPerM3: number,
  laminarBelowPa: number,
): number {
  const magnitude = dpPa < 0 ? -dpPa : dpPa;
  if (magnitude < laminarBelowPa) {
    return cd * areaM2 * Math.sqrt((2 * laminarBelowPa) / upstreamDensityKgPerM3) * (dpPa / laminarBelowPa);
  }
  const q = cd * areaM2 * Math.sqrt((2 * magnitude) / upstreamDensityKgPerM3);
  return dpPa < 0 ? -q : q;
}

/**
 * Time constant of the cell pressure relaxing to ambient through the leak in its laminar range, s:
 * with Q = G·Δp and dp/dt = (p/V)·Q, τ = V / (p·G), G = Cd·A·√(2/(ρ·Δp_lin)). This is the stiffest
 * the leak gets; an explicit integrator must step well below it (RK4 is stable up to h ≈ 2.8·τ).
 * Returns Infinity for a cell without leak.
 */
export function leakPressureTimeConstantS(
  freeVolumeM3: number,
  pressurePa: number,
  areaM2: number,
  cd: number,
  densityKgPerM3: number,
  laminarBelowPa: number,
): number {
  const conductance = cd * areaM2 * Math.sqrt(2 / (densityKgPerM3 * laminarBelowPa));
  return conductance > 0 ? freeVolumeM3 / (pressurePa * conductance) : Infinity;
}

/** cm² to m². */
export function cm2ToM2(areaCm2: number): number {
  return areaCm2 * 1e-4;
}
