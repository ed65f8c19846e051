/**
 * The bridge's one stream of events: live readings, device changes and alarm changes, each stamped with
 * the next sequence number of this bridge run. Whoever tells clients or other systems about the bench
 * subscribes here — socket.io (realtime.ts), the alarms (for readings and link states), a later MQTT
 * publisher — so they all see one order and one numbering, and a client that reconnects can tell from
 * the numbers what it missed.
 *
 * A subscriber may publish while it handles an event (the alarms raise an alarm on a reading): that event
 * is queued and delivered, with the next number, after every subscriber has had the current one, so
 * numbers reach every subscriber in increasing order.
 */

import type { AlarmChange, AlarmView, CellChange, DeviceView, ReadingView } from './events.js';

/** One event on the hub, with its sequence number (1, 2, ... per bridge run). */
export type BridgeEvent =
  | { kind: 'reading'; seq: number; reading: ReadingView }
  | { kind: 'device'; seq: number; device: DeviceView }
  | { kind: 'alarm'; seq: number; alarm: AlarmView; change: AlarmChange }
  | { kind: 'cell'; seq: number; change: CellChange };

/** An event before the hub has numbered it. */
export type UnnumberedEvent = BridgeEvent extends infer E ? (E extends { seq: number } ? Omit<E, 'seq'> : never) : never;

/**
 * `{ ...event, seq }`, the same keys in the same order. A reading or a device view (nearly every event) is
 * written out as a literal: a copy key by key costs several times more, and a spread followed by another
 * property takes V8's slow path.
 */
function numbered(event: UnnumberedEvent, seq: number): BridgeEvent {
  switch (event.kind) {
    case 'reading':
      return { kind: 'reading', reading: event.reading, seq };
    case 'device':
      return { kind: 'device', device: event.device, seq };
    default: {
      const copy = Object.assign({}, event) as BridgeEvent;
      copy.seq = seq;
      return copy;
    }
  }
}

export class EventHub {
  /**
   * The subscribers in subscription order. Replaced, never changed in place: an event goes to the
   * subscribers there were when it was handed out, whoever subscribes or stops meanwhile.
   */
  private subscribers: ReadonlyArray<(event: BridgeEvent) => void> = [];
  private seqValue = 0;
  private readonly pending: UnnumberedEvent[] = [];
  private dispatching = false;

  /** The number of the last event published (0 before the first). */
  get seq(): number {
    return this.seqValue;
  }

  /** Numbers an event and hands it to every subscriber, in the order they subscribed. */
  publish(event: UnnumberedEvent): void {
    this.pending.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        const e = numbered(next, ++this.seqValue);
        for (const fn of this.subscribers) fn(e);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Calls `fn` with every event from now on; returns the function that stops it. */
  subscribe(fn: (event: BridgeEvent) => void): () => void {
    this.subscribers = [...this.subscribers, fn];
    return () => {
      // Its latest subscription, as EventEmitter's off() would remove.
      const i = this.subscribers.lastIndexOf(fn);
      if (i >= 0) this.subscribers = this.subscribers.filter((_, j) => j !== i);
    };
  }
}
