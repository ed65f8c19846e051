/**
 * The simulator's side of the host firmware's plant link since the sensor modules moved to their own UARTs
 * (firmware/PROTOCOL.md, "Host target only: the plant link"): the board reports its actuator outputs (`O`
 * lines, one digit per cell) and which cell its sampling manifold draws gas from (`M` lines); the simulator
 * may send the plant's time (`T` lines) to a board started with `--clock plant`.
 */

export interface CellOutputs {
  n2: boolean;
  air: boolean;
  /** The CO2 scrubber (gasboard); false on a board without one. */
  scrub: boolean;
  /** The fan (palletunit); present only on boards that have one. */
  fan?: boolean;
}

export type BoardPlantLine =
  | { kind: 'outputs'; cells: CellOutputs[] }
  | { kind: 'sample'; cell: number };

/** Reads an `O` or `M` line from a board; undefined for any other line. */
export function parseBoardPlantLine(line: string): BoardPlantLine | undefined {
  // The gasboard's third output is its scrubber, the palletunit's its fan.
  const o = /^O n2=([01]{1,8}) air=([01]{1,8}) (scrub|fan)=([01]{1,8})\s*$/.exec(line);
  if (o) {
    const [n2, air, third, bits] = [o[1]!, o[2]!, o[3]!, o[4]!];
    if (n2.length !== air.length || n2.length !== bits.length) return undefined;
    return {
      kind: 'outputs',
      cells: [...n2].map((_, i) =>
        third === 'fan'
          ? { n2: n2[i] === '1', air: air[i] === '1', scrub: false, fan: bits[i] === '1' }
          : { n2: n2[i] === '1', air: air[i] === '1', scrub: bits[i] === '1' },
      ),
    };
  }
  const m = /^M sample=([0-9]{1,3})\s*$/.exec(line);
  if (m) return { kind: 'sample', cell: Number(m[1]) };
  return undefined;
}

/** The `T` line for a board on the plant's clock: plant time in whole ms (modulo 2^32 on the board). */
export function formatTimeLine(plantMs: number): string {
  if (!Number.isFinite(plantMs) || plantMs < 0) throw new RangeError(`plant time must be a non-negative number of ms: ${plantMs}`);
  return `T ${Math.floor(plantMs)}\n`;
}
