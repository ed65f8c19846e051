/**
 * Wires alarms into the app: the engine gets every live reading with its cell and every change of a
 * board's link state (on the bridge's clock: a link event is not a reading), and every alarm change goes to
 * the notifier (and, through realtime.ts, to socket.io clients).
 */

import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { DeviceView, ReadingView } from '../events.js';
import type { TimerHandle } from '../clock.js';
import { AlarmEngine } from './alarm-engine.js';
import { Notifier, type NotificationOptions } from './notifier.js';

/**
 * How long after the app is ready a cell whose door the store says is open may go without a reading
 * before its O2 counts as unknown for the person-safety alarm, ms of the bridge's clock: a board's handshake
 * and first reading, as the link's own silence limit (30 s).
 */
export const SAFETY_STARTUP_GRACE_MS = 30_000;

declare module 'fastify' {
  interface FastifyInstance {
    alarms: AlarmEngine;
    notifier: Notifier;
  }
}

export const alarmsPlugin = fp(
  async (app: FastifyInstance, opts: { notifications?: NotificationOptions }) => {
    const engine = new AlarmEngine(app.store, (cellId) => app.cells.alarmsOf(cellId));
    const notifier = new Notifier(opts.notifications ?? {}, app.store, app.clock);
    app.decorate('alarms', engine);
    app.decorate('notifier', notifier);
    const onReading = (r: ReadingView): void => engine.onReading(r.cellId, r);
    // A board's link state is every cell's it measures (a manifold board serves several).
    const onDevice = (d: DeviceView): void => {
      for (const cellId of d.cellIds ?? [d.cellId]) engine.onDeviceState(cellId, d.id, d.state, app.clock.now());
    };
    // Readings and link states come from the bridge's event hub; alarm changes go back onto it (numbered
    // after the reading that raised them), and the notifier hears them there.
    const unsubscribe = app.events.subscribe((e) => {
      if (e.kind === 'reading') onReading(e.reading);
      else if (e.kind === 'device') onDevice(e.device);
    });
    app.events.subscribe((e) => {
      if (e.kind !== 'alarm') return;
      app.log.warn({ alarm: e.alarm.id, kind: e.alarm.kind, cell: e.alarm.cellId, change: e.change }, e.alarm.message);
      notifier.notify(e.alarm, e.change);
    });
    engine.on('alarm', (alarm, change) => app.events.publish({ kind: 'alarm', alarm, change }));
    let startupCheck: TimerHandle | undefined;
    app.addHook('onReady', async () => {
      startupCheck = app.clock.setTimeout(() => {
        startupCheck = undefined;
        engine.checkOpenDoors(app.clock.now());
      }, SAFETY_STARTUP_GRACE_MS);
    });
    // The bridge closing its own ports is not a board going away: stop listening before the device manager
    // closes them, so a shutdown with a door open does not latch a safety alarm.
    app.addHook('preClose', async () => {
      if (startupCheck) app.clock.clearTimeout(startupCheck);
      unsubscribe();
    });
    app.addHook('onClose', async () => {
      await notifier.close();
    });
  },
  { name: 'cellbench-alarms' },
);
