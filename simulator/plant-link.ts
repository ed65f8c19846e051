/**
 * The plant side of the host firmware's plant link (firmware/PROTOCOL.md, "the plant link"): sensor
 * values go to the board as `S o2=.. co2=.. temp=..` lines on its stdin, and the board's outputs come
 * back as `O n2=0 air=0 scrub=0` lines on its stdout. A later issue replaces this with the real sensor
 * module protocols on their own UARTs.
 */

export interface PlantLinkSensors {
  /** null: the sensor gives nothing, sent as NA. */
  o2Kpa: number | null;
  co2Kpa: number | null;
  tempC: number | null;
}

export interface PlantLinkOutputs {
  n2: boolean;
  air: boolean;
  scrub: boolean;
}

function fixed(v: number | null, decimals: number): string {
  return v === null || !Number.isFinite(v) ? 'NA' : v.toFixed(decimals);
}

/** The stdin line for the board, with its newline. Decimals as the board reports them in RD. */
export function formatSensorLine(s: PlantLinkSensors): string {
  return `S o2=${fixed(s.o2Kpa, 2)} co2=${fixed(s.co2Kpa, 3)} temp=${fixed(s.tempC, 2)}\n`;
}

/** Reads an `O ...` line from the board; undefined for any other line (which the caller may log). */
export function parseOutputLine(line: string): PlantLinkOutputs | undefined {
  const m = /^O n2=([01]) air=([01]) scrub=([01])\s*$/.exec(line);
  if (!m) return undefined;
  return { n2: m[1] === '1', air: m[2] === '1', scrub: m[3] === '1' };
}
