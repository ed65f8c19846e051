import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc16Ccitt, decodeFrame, encodeFrame, MessageError, toBoardMessage } from '../../firmware/protocol/index.js';

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
      if (!r.ok || !['ID', 'RD', 'ACK', 'NAK', 'ERR'].includes(r.frame.type)) continue;
      const msg = toBoardMessage(r.frame);
      types.add(msg.type);
      if (msg.type === 'RD') {
        for (const v of [msg.o2Kpa, msg.co2Kpa, msg.tempC]) expect(v === null || Number.isFinite(v)).toBe(true);
      }
    }
    expect([...types].sort()).toEqual(['ACK', 'ERR', 'ID', 'NAK', 'RD']);
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
