import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  calCommandFrame,
  commandFrame,
  crc16Ccitt,
  decodeFrame,
  encodeFrame,
  MessageError,
  replayCommandFrame,
  statusCommandFrame,
  toBoardMessage,
  type BoardMessage,
} from '../../firmware/protocol/index.js';

const FIXTURE = new URL('../../firmware/protocol/fixtures/golden-frames.txt', import.meta.url);

/** The fixture's cases: verdict<TAB>frame, the frame verbatim after the first TAB. */
function goldenCases(): Array<{ verdict: string; frame: string; line: number }> {
  return readFileSync(FIXTURE, 'latin1')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text.length > 0 && !text.startsWith('#'))
    .map(({ text, line }) => {
      const tab = text.indexOf('\t');
      return { verdict: text.slice(0, tab), frame: text.slice(tab + 1), line };
    });
}

describe('board protocol codec (TypeScript) on the golden frames shared with the C tests', () => {
  const cases = goldenCases();

  it('has cases of every verdict', () => {
    const verdicts = new Set(cases.map((c) => c.verdict));
    for (const v of ['ok', 'E_CRC', 'E_SYNTAX', 'E_TOOLONG']) expect(verdicts).toContain(v);
    expect(cases.length).toBeGreaterThan(30);
  });

  it('computes the CRC-16/CCITT-FALSE check value', () => {
    expect(crc16Ccitt('123456789')).toBe(0x29b1);
  });

  it.each(cases.map((c) => [c.line, c.verdict, c.frame] as const))('line %i: %s %j', (_line, verdict, frame) => {
    const result = decodeFrame(frame);
    if (verdict === 'ok' || verdict === 'ok-noncanonical') {
      expect(result.ok, result.ok ? '' : `${result.code}: ${result.reason}`).toBe(true);
      if (!result.ok) return;
      const encoded = encodeFrame(result.frame);
      if (verdict === 'ok') expect(encoded).toBe(`${frame}\n`);
      else expect(encoded.toUpperCase()).toBe(`${frame}\n`.toUpperCase());
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.code).toBe(verdict);
    }
  });

  it('reads every board frame type in the fixtures as a typed message', () => {
    const types = new Set<string>();
    for (const c of cases.filter((c) => c.verdict === 'ok')) {
      const r = decodeFrame(c.frame);
      if (!r.ok || !['ID', 'RD', 'ACK', 'NAK', 'ERR', 'ST'].includes(r.frame.type)) continue;
      const msg = toBoardMessage(r.frame);
      types.add(msg.type);
      if (msg.type === 'RD') {
        for (const v of [msg.o2Kpa, msg.co2Kpa, msg.tempC]) expect(v === null || Number.isFinite(v)).toBe(true);
      }
    }
    expect([...types].sort()).toEqual(['ACK', 'ERR', 'ID', 'NAK', 'RD', 'ST']);
  });

  /** The typed message of the fixture's first `ok` frame that starts with `prefix`. */
  function golden(prefix: string): { frame: string; msg: BoardMessage } {
    const c = cases.find((x) => x.verdict === 'ok' && x.frame.startsWith(prefix));
    if (!c) throw new Error(`no golden frame starts with "${prefix}"`);
    const r = decodeFrame(c.frame);
    if (!r.ok) throw new Error(`golden frame "${c.frame}" does not decode`);
    return { frame: c.frame, msg: toBoardMessage(r.frame) };
  }

  it('reads ID with and without boot (frames of the first part still parse)', () => {
    expect(golden('ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=o2,co2,temp,valve.n2,valve.air,valve.scrub t=5230 boot=3').msg).toMatchObject({ type: 'ID', boardMs: 5230, boot: 3 });
    expect(golden('ID id=7 ').msg).toMatchObject({ type: 'ID', boot: 4294967295 });
    const old = golden('ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=o2,co2,temp,valve.n2,valve.air,valve.scrub t=5230*').msg;
    expect(old.type).toBe('ID');
    expect('boot' in old).toBe(false);
  });

  it("reads a REPLAY's ACK with what was sent, and a plain ACK without it", () => {
    expect(golden('ACK id=4 n=5').msg).toEqual({ type: 'ACK', id: 4, replay: { n: 5, from: 1, to: 5 } });
    expect(golden('ACK id=5 n=200').msg).toEqual({ type: 'ACK', id: 5, replay: { n: 200, from: 924, to: 1123 } });
    expect(golden('ACK id=6 n=0').msg).toEqual({ type: 'ACK', id: 6, replay: { n: 0 } });
    expect(golden('ACK id=2*').msg).toEqual({ type: 'ACK', id: 2 });
  });

  it('reads ST: the common fields typed, a board\'s own fields kept as sent', () => {
    expect(golden('ST id=3 ').msg).toEqual({
      type: 'ST', id: 3, upMs: 6100, boot: 3, seq: 6, ring: 6,
      counters: { crc: 0, syn: 0, long: 0, sto: 0, wdt: 0, drop: 0 },
      extra: { ok: '3', tx: '3' },
    });
    const plain = golden('ST id=9 ').msg;
    expect(plain).toMatchObject({ type: 'ST', upMs: 4294967295, seq: 4294967295, ring: 256, counters: { crc: 17, syn: 3, long: 2, sto: 1, wdt: 1, drop: 40 } });
    expect('extra' in plain).toBe(false);
    expect(() => toBoardMessage({ type: 'ST', fields: [['id', '1'], ['up', '0']] })).toThrow(/no "boot" field/);
  });

  it('reads ID with cal, and the ACK of a CAL', () => {
    expect(golden('ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=o2,co2,temp,valve.n2,valve.air,valve.scrub t=5230 boot=3 cal=2').msg).toMatchObject({ type: 'ID', boot: 3, cal: 2 });
    expect(golden('ID id=4294967295 ').msg).toMatchObject({ type: 'ID', serialNumber: 'ABCDEFGHIJKLMNOP', cal: 65535 });
    expect(golden('ACK id=6 cal=3').msg).toEqual({ type: 'ACK', id: 6, cal: 3 });
    expect(golden('NAK id=6 code=E_SENSOR').msg).toEqual({ type: 'NAK', id: 6, code: 'E_SENSOR' });
  });

  it('builds CAL byte for byte as the golden frames, with the gas\'s RD decimals', () => {
    const frameOf = (prefix: string): string => cases.find((c) => c.verdict === 'ok' && c.frame.startsWith(prefix))!.frame;
    expect(encodeFrame(calCommandFrame(5, 'o2', 'zero', 0))).toBe(`${frameOf('CAL id=5 ')}\n`);
    expect(encodeFrame(calCommandFrame(6, 'o2', 'span', 20.95))).toBe(`${frameOf('CAL id=6 ')}\n`);
    expect(encodeFrame(calCommandFrame(7, 'co2', 'span', 5))).toBe(`${frameOf('CAL id=7 ')}\n`);
    expect(encodeFrame(calCommandFrame(8, 'co2', 'factory'))).toBe(`${frameOf('CAL id=8 ')}\n`);
    expect(() => calCommandFrame(9, 'o2', 'span')).toThrow(/needs a ref/);
    expect(() => calCommandFrame(9, 'o2', 'factory', 1)).toThrow(/takes no ref/);
  });

  it('reads the cell of an RD, and ST with every gasboard field', () => {
    expect(golden('RD seq=7 t=61000').msg).toEqual({ type: 'RD', seq: 7, boardMs: 61000, o2Kpa: 1.2, co2Kpa: 2.5, tempC: 0.5, cell: 2 });
    expect('cell' in golden('RD seq=1 t=6000').msg).toBe(false);
    expect(golden('ST id=3 up=6100 boot=3 seq=6 ring=6 crc=0 syn=0 long=0 sto=0 wdt=0 drop=0 ok=3 tx=3 o2bad').msg).toMatchObject({
      type: 'ST',
      extra: { ok: '3', tx: '3', o2bad: '0', mbcrc: '0', mbex: '0' },
    });
  });

  it('builds REPLAY and STATUS byte for byte as the golden frames', () => {
    const frameOf = (prefix: string): string => cases.find((c) => c.verdict === 'ok' && c.frame.startsWith(prefix))!.frame;
    expect(encodeFrame(replayCommandFrame(4, 1, 5))).toBe(`${frameOf('REPLAY id=4 ')}\n`);
    expect(encodeFrame(commandFrame(5, { op: 'replay', from: 100, to: 1123 }))).toBe(`${frameOf('REPLAY id=5 ')}\n`);
    expect(encodeFrame(statusCommandFrame(3))).toBe(`${frameOf('STATUS id=3')}\n`);
  });

  it('decodes a reading to numbers and NA to null', () => {
    const r = decodeFrame(encodeFrame({ type: 'RD', fields: [['seq', '7'], ['t', '1200'], ['o2', '0.45'], ['co2', 'NA'], ['temp', '-0.50']] }).trimEnd());
    expect(r.ok).toBe(true);
    if (r.ok) expect(toBoardMessage(r.frame)).toEqual({ type: 'RD', seq: 7, boardMs: 1200, o2Kpa: 0.45, co2Kpa: null, tempC: -0.5 });
  });

  it('refuses a valid frame that is not a valid message, naming the field', () => {
    const frame = { type: 'RD', fields: [['seq', '-1'], ['t', '0'], ['o2', '1'], ['co2', '1'], ['temp', '1']] as Array<[string, string]> };
    expect(() => toBoardMessage(frame)).toThrow(MessageError);
    expect(() => toBoardMessage(frame)).toThrow(/"seq"/);
    expect(() => toBoardMessage({ type: 'RD', fields: [['seq', '1']] })).toThrow(/no "t" field/);
    expect(() => toBoardMessage({ type: 'ZZ', fields: [] })).toThrow(/"ZZ"/);
  });

  it('never encodes what a board would reject', () => {
    expect(() => encodeFrame({ type: 'rd', fields: [] })).toThrow(/type/);
    expect(() => encodeFrame({ type: 'SET', fields: [['id', 'a b']] })).toThrow(/"id"/);
    expect(() => encodeFrame({ type: 'SET', fields: [['id', '1'], ['id', '2']] })).toThrow(/twice/);
  });
});
