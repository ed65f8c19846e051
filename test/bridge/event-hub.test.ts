/**
 * The bridge's event hub: one numbering for readings, device changes and alarms, in one order for every
 * subscriber, including events published while another is being handled (an alarm raised by a reading).
 */

import { describe, expect, it } from 'vitest';
import { EventHub, type BridgeEvent } from '../../bridge/index.js';
import type { AlarmView, ReadingView } from '../../bridge/index.js';

const reading = (seq: number): ReadingView => ({
  deviceId: 'GB-0001', seq, boardMs: seq * 1000, measuredAtMs: seq * 1000, receivedAtMs: seq * 1000,
  o2Kpa: 1, co2Kpa: 1, tempC: 1, flags: [], cellId: 'GB-0001', boardCell: null,
});
const alarm = { id: 1, cellId: 'GB-0001', kind: 'o2_low' } as AlarmView;

describe('EventHub', () => {
  it('numbers every event 1, 2, 3 ... and hands it to every subscriber in subscription order', () => {
    const hub = new EventHub();
    const seen: string[] = [];
    hub.subscribe((e) => seen.push(`a${e.seq}${e.kind}`));
    hub.subscribe((e) => seen.push(`b${e.seq}${e.kind}`));
    expect(hub.seq).toBe(0);
    hub.publish({ kind: 'reading', reading: reading(1) });
    hub.publish({ kind: 'alarm', alarm, change: 'raised' });
    expect(seen).toEqual(['a1reading', 'b1reading', 'a2alarm', 'b2alarm']);
    expect(hub.seq).toBe(2);
  });

  it('delivers an event published during another after every subscriber has had the first', () => {
    const hub = new EventHub();
    const first: number[] = [];
    const second: BridgeEvent[] = [];
    // The first subscriber raises an alarm on the reading, as the alarm engine does.
    hub.subscribe((e) => {
      first.push(e.seq);
      if (e.kind === 'reading') hub.publish({ kind: 'alarm', alarm, change: 'raised' });
    });
    hub.subscribe((e) => second.push(e));
    hub.publish({ kind: 'reading', reading: reading(1) });
    expect(first).toEqual([1, 2]);
    expect(second.map((e) => [e.seq, e.kind])).toEqual([[1, 'reading'], [2, 'alarm']]);
  });

  it('stops handing events to a subscriber that unsubscribed', () => {
    const hub = new EventHub();
    const seen: number[] = [];
    const stop = hub.subscribe((e) => seen.push(e.seq));
    hub.publish({ kind: 'reading', reading: reading(1) });
    stop();
    hub.publish({ kind: 'reading', reading: reading(2) });
    expect(seen).toEqual([1]);
    expect(hub.seq).toBe(2);
  });
});
