/**
 * The simulator's sensor-module emulators (simulator/modules) byte for byte against the vectors the C drivers
 * are tested with (firmware/test/test_modules.c), and their faults.
 */

import { describe, expect, it } from 'vitest';
import {
  CO2_STATUS,
  ModbusCo2Module,
  O2StreamModule,
  O2_STATUS,
  formatO2Line,
  formatTimeLine,
  modbusCrc,
  parseBoardPlantLine,
  withModbusCrc,
} from '../../simulator/index.js';

const REQUEST = withModbusCrc([0x01, 0x04, 0x00, 0x00, 0x00, 0x05]);
/** The answer test_modules.c parses: status 0, 395 ppm, 1.50 °C, 1013.3 hPa. */
const GOOD_ANSWER = Buffer.from([0x01, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x8b, 0x00, 0x96, 0x27, 0x95, 0x4f, 0x00]);

describe('O2 stream module emulator', () => {
  it('writes the line the C driver parses (same vector as test_modules.c)', () => {
    expect(formatO2Line({ o2Kpa: 20.95, tempC: 1.5, pressurePa: 101320 })).toBe('O 0209.5 T +01.50 P 1013.2 S 00 *16\r\n');
  });

  it('writes negative temperatures, clamps to the fields, and flags missing values in the status', () => {
    expect(formatO2Line({ o2Kpa: 0, tempC: -12.05, pressurePa: 0 })).toMatch(/^O 0000\.0 T -12\.05 P 0000\.0 S 00 \*[0-9A-F]{2}\r\n$/);
    expect(formatO2Line({ o2Kpa: 2000, tempC: 500, pressurePa: 2e7 })).toMatch(/^O 9999\.9 T \+99\.99 P 9999\.9 /);
    const line = formatO2Line({ o2Kpa: null, tempC: null, pressurePa: null });
    const status = parseInt(line.slice(29, 31), 16);
    expect(status).toBe(O2_STATUS.o2SignalLow | O2_STATUS.tempFault | O2_STATUS.pressureFault);
    expect(line).toHaveLength(37);
  });

  it('misbehaves on demand: silence, garbage, a wrong checksum, warming up', () => {
    const m = new O2StreamModule({ seed: 3, garbageBytes: 25 });
    const values = { o2Kpa: 20.95, tempC: 1.5, pressurePa: 101320 };
    expect(m.nextLine(values).toString('latin1')).toBe('O 0209.5 T +01.50 P 1013.2 S 00 *16\r\n');
    m.fault = 'silence';
    expect(m.nextLine(values)).toHaveLength(0);
    m.fault = 'garbage';
    const g1 = m.nextLine(values);
    expect(g1).toHaveLength(25);
    expect(g1.equals(m.nextLine(values))).toBe(false);
    expect(new O2StreamModule({ seed: 3, garbageBytes: 25 }).nextLine(values).length).toBe(37); // faults are per module
    m.fault = 'bad-checksum';
    const bad = m.nextLine(values).toString('latin1');
    expect(bad.slice(0, 33)).toBe('O 0209.5 T +01.50 P 1013.2 S 00 *');
    expect(bad.slice(33, 35)).not.toBe('16');
    m.fault = 'warmup';
    expect(m.nextLine(values).toString('latin1').slice(27, 31)).toBe('S 01');
  });
});

describe('Modbus CO2 module emulator', () => {
  const values = { co2Kpa: 0.04, tempC: 1.5, pressurePa: 101325 };

  it('has the CRC-16/MODBUS check value and frames requests as the C master does', () => {
    expect(modbusCrc(Buffer.from('123456789'))).toBe(0x4b37);
    expect([...REQUEST]).toEqual([0x01, 0x04, 0x00, 0x00, 0x00, 0x05, 0x30, 0x09]);
  });

  it('answers a read of input registers 0..4 with the bytes test_modules.c expects', () => {
    const m = new ModbusCo2Module();
    m.setValues(values);
    const replies = m.receive(REQUEST);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.delayMs).toBe(0);
    expect(replies[0]!.bytes.equals(GOOD_ANSWER)).toBe(true);
  });

  it('assembles split requests, skips noise, ignores other addresses', () => {
    const m = new ModbusCo2Module();
    m.setValues(values);
    expect(m.receive(REQUEST.subarray(0, 3))).toEqual([]);
    expect(m.receive(REQUEST.subarray(3))).toHaveLength(1);
    const noisy = Buffer.concat([Buffer.from([0x55, 0x01, 0x04, 0x99]), REQUEST]);
    expect(m.receive(noisy)).toHaveLength(1);
    expect(m.counts.noiseBytes).toBe(4);
    expect(m.receive(withModbusCrc([0x02, 0x04, 0x00, 0x00, 0x00, 0x05]))).toEqual([]);
    expect(m.counts.otherAddress).toBe(1);
  });

  it('answers exceptions: unknown function, registers out of the map, a bad count', () => {
    const m = new ModbusCo2Module();
    m.setValues(values);
    expect([...m.receive(withModbusCrc([0x01, 0x03, 0x00, 0x00, 0x00, 0x01]))[0]!.bytes.subarray(0, 3)]).toEqual([0x01, 0x83, 0x01]);
    expect([...m.receive(withModbusCrc([0x01, 0x04, 0x00, 0x04, 0x00, 0x05]))[0]!.bytes.subarray(0, 3)]).toEqual([0x01, 0x84, 0x02]);
    expect([...m.receive(withModbusCrc([0x01, 0x04, 0x00, 0x00, 0x00, 0x00]))[0]!.bytes.subarray(0, 3)]).toEqual([0x01, 0x84, 0x03]);
    const five = m.receive(withModbusCrc([0x01, 0x04, 0x00, 0x05, 0x00, 0x01]))[0]!.bytes;
    expect([...five.subarray(0, 5)]).toEqual([0x01, 0x04, 0x02, 0x01, 0x02]); // firmware version 1.2
  });

  /** The exception answer the Modbus spec gives: addr, fc | 0x80, code, CRC. */
  const exception = (fn: number, code: number): number[] => [...withModbusCrc([0x01, fn | 0x80, code])];
  /** Requests of every length the spec has (Modbus Application Protocol V1.1b3 §6), none served by the module. */
  const UNSERVED = [
    withModbusCrc([0x01, 0x01, 0x00, 0x00, 0x00, 0x08]), // read coils, 8 bytes
    withModbusCrc([0x01, 0x03, 0x00, 0x00, 0x00, 0x01]), // read holding registers
    withModbusCrc([0x01, 0x06, 0x00, 0x01, 0x00, 0x03]), // write single register
    withModbusCrc([0x01, 0x07]), // read exception status, 4 bytes
    withModbusCrc([0x01, 0x08, 0x00, 0x00, 0x12, 0x34, 0x56]), // diagnostics, return query data: any length
    withModbusCrc([0x01, 0x0b]), // get comm event counter
    withModbusCrc([0x01, 0x0f, 0x00, 0x13, 0x00, 0x0a, 0x02, 0xcd, 0x01]), // write multiple coils, 11 bytes
    withModbusCrc([0x01, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0a, 0x01, 0x02]), // write registers, 13
    withModbusCrc([0x01, 0x11]), // report server ID, 4 bytes
    withModbusCrc([0x01, 0x14, 0x07, 0x06, 0x00, 0x04, 0x00, 0x01, 0x00, 0x02]), // read file record
    withModbusCrc([0x01, 0x16, 0x00, 0x04, 0x00, 0xf2, 0x00, 0x25]), // mask write register, 10 bytes
    withModbusCrc([0x01, 0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0e, 0x00, 0x03, 0x06, 0, 0xff, 0, 0xff, 0, 0xff]), // r/w
    withModbusCrc([0x01, 0x18, 0x04, 0xde]), // read FIFO queue, 6 bytes
    withModbusCrc([0x01, 0x2b, 0x0e, 0x01, 0x00]), // read device identification, 7 bytes
    withModbusCrc([0x01, 0x41, 0x01, 0x02, 0x03]), // user-defined: no table has its length
    withModbusCrc([0x01, 0x64]), // user-defined, nothing but the code
  ];

  it('answers exception 01 to every function it does not serve, whatever the request\'s length', () => {
    const m = new ModbusCo2Module();
    m.setValues(values);
    for (const req of UNSERVED) {
      const replies = m.receive(req);
      expect(replies.map((r) => [...r.bytes]), `function 0x${req[1]!.toString(16)}`).toEqual([exception(req[1]!, 0x01)]);
    }
    // All of them back to back in one read, and then a byte at a time, and a read after them still answered.
    const all = Buffer.concat([...UNSERVED, REQUEST]);
    const want = [...UNSERVED.map((req) => exception(req[1]!, 0x01)), [...GOOD_ANSWER]];
    expect(m.receive(all).map((r) => [...r.bytes])).toEqual(want);
    const oneByOne = [...all].flatMap((b) => m.receive(Uint8Array.of(b)).map((r) => [...r.bytes]));
    expect(oneByOne).toEqual(want);
    expect(m.counts.noiseBytes).toBe(0);
    // The device-failure fault is a failure to do what was asked: a function it does not serve is still 01.
    m.fault = 'exception';
    expect([...m.receive(UNSERVED[8]!)[0]!.bytes]).toEqual(exception(0x11, 0x01));
  });

  it('does not answer broadcasts, nor frames for another slave, nor bytes inside another slave\'s frame', () => {
    const m = new ModbusCo2Module();
    m.setValues(values);
    const broadcasts = [
      withModbusCrc([0x00, 0x04, 0x00, 0x00, 0x00, 0x05]),
      withModbusCrc([0x00, 0x06, 0x00, 0x01, 0x00, 0x03]),
      withModbusCrc([0x00, 0x10, 0x00, 0x01, 0x00, 0x01, 0x02, 0x00, 0x0a]),
      withModbusCrc([0x00, 0x41, 0x01]),
    ];
    for (const b of broadcasts) expect(m.receive(b)).toEqual([]);
    // Slave 2 is written four registers whose bytes happen to be a read of slave 1: it is slave 2's frame.
    const forSlave2 = withModbusCrc([0x02, 0x10, 0x00, 0x00, 0x00, 0x04, 0x08, ...REQUEST]);
    expect(m.receive(forSlave2)).toEqual([]);
    expect(m.receive(withModbusCrc([0x02, 0x11]))).toEqual([]);
    expect(m.receive(withModbusCrc([0x02, 0x04, 0x00, 0x00, 0x00, 0x05]))).toEqual([]);
    expect(m.counts.broadcasts).toBe(broadcasts.length);
    expect(m.counts.otherAddress).toBe(3);
    expect(m.counts.noiseBytes).toBe(0);
    expect(m.counts.answered).toBe(0);
    expect(m.receive(REQUEST).map((r) => [...r.bytes])).toEqual([[...GOOD_ANSWER]]);
  });

  it('checks a read as the spec does: quantity 1..125 (else 03), then the range in the map (else 02)', () => {
    const m = new ModbusCo2Module();
    m.setValues(values);
    const code = (start: number, count: number): number | undefined => {
      const [reply] = m.receive(withModbusCrc([0x01, 0x04, start >> 8, start & 0xff, count >> 8, count & 0xff]));
      return reply!.bytes[1] === 0x84 ? reply!.bytes[2] : 0;
    };
    expect(code(0, 6)).toBe(0);
    expect(code(5, 1)).toBe(0);
    expect(code(0, 7)).toBe(0x02);
    expect(code(0, 9)).toBe(0x02); // a valid quantity, registers the map does not have
    expect(code(0, 125)).toBe(0x02);
    expect(code(6, 1)).toBe(0x02);
    expect(code(0xffff, 1)).toBe(0x02);
    expect(code(0, 0)).toBe(0x03);
    expect(code(0, 126)).toBe(0x03);
    expect(code(0xffff, 0)).toBe(0x03); // the quantity is checked first
  });

  it('reports faults in its status register and misbehaves on demand', () => {
    const m = new ModbusCo2Module({ slowMs: 800 });
    m.setValues({ co2Kpa: null, tempC: 1, pressurePa: null });
    expect(m.registers()[0]).toBe(CO2_STATUS.fault | CO2_STATUS.noPressure);
    m.setValues(values);
    m.fault = 'silence';
    expect(m.receive(REQUEST)).toEqual([]);
    m.fault = 'slow';
    expect(m.receive(REQUEST)[0]!.delayMs).toBe(800);
    m.fault = 'bad-crc';
    const bad = m.receive(REQUEST)[0]!.bytes;
    expect(bad.subarray(0, 13).equals(GOOD_ANSWER.subarray(0, 13))).toBe(true);
    expect(modbusCrc(bad)).not.toBe(0);
    m.fault = 'garbage';
    const g = m.receive(REQUEST)[0]!.bytes;
    expect(g.subarray(g.length - 15).equals(GOOD_ANSWER)).toBe(true);
    expect(g.length).toBeGreaterThan(15);
    m.fault = 'exception';
    expect([...m.receive(REQUEST)[0]!.bytes.subarray(0, 3)]).toEqual([0x01, 0x84, 0x04]);
    m.fault = 'warmup';
    expect(m.registers()[0]).toBe(CO2_STATUS.warmup);
  });
});

describe('plant link lines of the host target', () => {
  it('reads O lines of one and of several cells, and M lines', () => {
    expect(parseBoardPlantLine('O n2=0 air=1 scrub=0')).toEqual({ kind: 'outputs', cells: [{ n2: false, air: true, scrub: false }] });
    expect(parseBoardPlantLine('O n2=010 air=100 scrub=001')).toEqual({
      kind: 'outputs',
      cells: [
        { n2: false, air: true, scrub: false },
        { n2: true, air: false, scrub: false },
        { n2: false, air: false, scrub: true },
      ],
    });
    expect(parseBoardPlantLine('M sample=2')).toEqual({ kind: 'sample', cell: 2 });
    expect(parseBoardPlantLine('O n2=01 air=1 scrub=0')).toBeUndefined();
    expect(parseBoardPlantLine('S o2=1')).toBeUndefined();
    expect(formatTimeLine(1234.9)).toBe('T 1234\n');
    expect(() => formatTimeLine(-1)).toThrow(/non-negative/);
  });
});
