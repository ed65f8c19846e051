/**
 * Wires alarms into the app: the engine gets every live reading with its cell, and every alarm change
 * goes to the notifier (and, through realtime.ts, to socket.io clients).
 */

import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { AlarmEngine } from './alarm-engine.js';
import { Notifier, type NotificationOptions } from './notifier.js';

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
    app.devices.on('reading', (r) => engine.onReading(app.cells.cellOf(r.deviceId), r));
    engine.on('alarm', (alarm, change) => {
      app.log.warn({ alarm: alarm.id, kind: alarm.kind, cell: alarm.cellId, change }, alarm.message);
      notifier.notify(alarm, change);
    });
    app.addHook('onClose', async () => {
      await notifier.close();
    });
  },
  { name: 'cellbench-alarms' },
);
