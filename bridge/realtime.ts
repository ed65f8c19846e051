/**
 * socket.io on the bridge's HTTP server: a snapshot on every (re)connect, then every reading and device
 * change as it happens, typed by the event map in events.ts.
 */

import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import type { FastifyInstance } from 'fastify';
import type { BridgeSnapshot, ClientToServerEvents, ServerToClientEvents } from './events.js';

declare module 'fastify' {
  interface FastifyInstance {
    io: Server<ClientToServerEvents, ServerToClientEvents>;
  }
}

export const realtime = fp(
  async (app: FastifyInstance) => {
    // Same origin only: the dashboard is served by this bridge, so no CORS is needed or allowed.
    const io = new Server<ClientToServerEvents, ServerToClientEvents>(app.server, { serveClient: false });
    app.decorate('io', io);

    io.on('connection', (socket) => {
      const snapshot: BridgeSnapshot = { devices: app.devices.list(), atMs: app.clock.now() };
      socket.emit('snapshot', snapshot);
    });
    app.devices.on('reading', (reading) => io.emit('reading', reading));
    app.devices.on('device', (device) => io.emit('device', device));

    app.addHook('preClose', async () => {
      // Disconnect clients before the HTTP server closes, or close() waits on their open sockets.
      // Not io.close(): that also closes the HTTP server, which is Fastify's to close.
      io.disconnectSockets(true);
      io.engine.close();
    });
  },
  { name: 'cellbench-realtime' },
);
