/**
 * socket.io on the bridge's HTTP server, typed by the event map in events.ts.
 *
 * - Every (re)connect gets a `snapshot` first: the devices, the `seq` of the last event sent, and how
 *   many events the client missed (from the `lastSeq` it gives in its handshake auth).
 * - Every later event carries its `seq` from the bridge's event hub (event-hub.ts: one counter for the whole
 *   bridge run, shared with every other subscriber).
 * - Rooms: each event goes to `all`, `device:<id>` and `cell:<id>`. A client starts in `all`; `subscribe`
 *   narrows it to some devices and cells (socket.io sends an event once however many rooms match).
 * - `command` runs a device command for a client with an operator token, as the REST route does.
 *   Failed socket auth counts towards the same per-address failure limit as REST.
 * - A local-only bench (the open bench) refuses a handshake whose Host or Origin is not a loopback one
 *   (browser-guard.ts): a foreign page could otherwise open valves through a cross-origin WebSocket. The
 *   check is a middleware rather than engine.io's `allowRequest`, so that the client gets a clear
 *   `connect_error` (message and `data.code`) rather than a bare failed upgrade; nothing reaches a
 *   refused socket's handlers.
 */

import fp from 'fastify-plugin';
import { Server, type Socket } from 'socket.io';
import type { FastifyInstance } from 'fastify';
import { Ajv } from 'ajv';
import { checkCapable, commandBodySchema, commandOf, type CommandBody } from './devices/command-body.js';
import { BridgeError } from './errors.js';
import type { Actor } from './auth/auth.js';
import { refusedBrowserRequest } from './auth/browser-guard.js';
import type {
  BridgeSnapshot,
  ClientToServerEvents,
  ServerToClientEvents,
  SocketCommand,
  SocketCommandResult,
  SocketHandshakeAuth,
} from './events.js';

interface SocketData {
  token: string | undefined;
  actor: Actor | undefined;
}

type BridgeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

declare module 'fastify' {
  interface FastifyInstance {
    io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  }
}

const MAX_ROOMS = 64;

/** The socket command: the REST command body and its device, under the same schema (devices/command-body.ts). */
const validCommand = new Ajv({ allErrors: false, coerceTypes: false }).compile<SocketCommand>(commandBodySchema({ deviceId: true }));

/** What was wrong with a socket command, from the validator's first error, naming the field. */
function commandProblem(): string {
  const e = validCommand.errors?.[0];
  if (!e) return 'a socket command must be an object';
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const p = e.params as Record<string, unknown>;
  const name = (typeof p.missingProperty === 'string' && p.missingProperty) || (typeof p.additionalProperty === 'string' && p.additionalProperty) || path || '(root)';
  const reason = typeof p.additionalProperty === 'string' ? 'is not a known field' : Array.isArray(p.allowedValues) ? `must be one of ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : (e.message ?? 'is invalid');
  return `socket command field "${name}" ${reason}`;
}

export const realtime = fp(
  async (app: FastifyInstance) => {
    // Same origin only: the dashboard is served by this bridge, so no CORS is needed or allowed.
    // maxHttpBufferSize bounds a client's message as bodyLimit bounds a request body.
    const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(app.server, {
      serveClient: false,
      maxHttpBufferSize: 16_384,
    });
    app.decorate('io', io);

    io.use((socket, next) => {
      const auth = (socket.handshake.auth ?? {}) as SocketHandshakeAuth;
      const token = typeof auth.token === 'string' ? auth.token : undefined;
      socket.data.token = token;
      const ip = socket.handshake.address;
      const refuse = (e: BridgeError): void => next(Object.assign(new Error(e.message), { data: { code: e.code } }));
      const foreign = app.auth.localOnly ? refusedBrowserRequest(socket.handshake.headers) : undefined;
      if (foreign) return refuse(foreign);
      void (async () => {
        try {
          socket.data.actor = app.auth.protectReads
            ? await app.authFailures.authorize(ip, token, 'viewer', 'connecting', 'handshake')
            : app.auth.identify(token);
          next();
        } catch (err) {
          if (err instanceof BridgeError) return refuse(err);
          app.log.error({ err }, 'socket handshake failed');
          refuse(new BridgeError('BRIDGE_ERR_INTERNAL', 500, 'internal error; see the bridge log'));
        }
      })();
    });

    io.on('connection', (socket: BridgeSocket) => {
      void socket.join('all');
      const auth = (socket.handshake.auth ?? {}) as SocketHandshakeAuth;
      const lastSeq = typeof auth.lastSeq === 'number' && Number.isInteger(auth.lastSeq) && auth.lastSeq >= 0 && auth.lastSeq <= app.events.seq ? auth.lastSeq : undefined;
      const snapshot: BridgeSnapshot = {
        devices: app.devices.list(),
        atMs: app.clock.now(),
        seq: app.events.seq,
        missed: lastSeq === undefined ? null : app.events.seq - lastSeq,
        rooms: ['all'],
        alarms: app.alarms.list({ state: 'active' }),
      };
      socket.emit('snapshot', snapshot);

      socket.on('subscribe', (rooms, ack) => {
        if (typeof ack !== 'function') return;
        const devices = Array.isArray(rooms?.devices) ? rooms.devices.filter((d): d is string => typeof d === 'string') : [];
        const cells = Array.isArray(rooms?.cells) ? rooms.cells.filter((c): c is string => typeof c === 'string') : [];
        const wanted = [...devices.map((d) => `device:${d.slice(0, 64)}`), ...cells.map((c) => `cell:${c.slice(0, 64)}`)].slice(0, MAX_ROOMS);
        for (const r of socket.rooms) if (r !== socket.id) void socket.leave(r);
        const joined = wanted.length > 0 ? wanted : ['all'];
        for (const r of joined) void socket.join(r);
        ack({ rooms: joined });
      });

      socket.on('command', (command, ack) => {
        if (typeof ack !== 'function') return;
        void runCommand(socket, command).then(ack);
      });
    });

    async function runCommand(socket: BridgeSocket, command: unknown): Promise<SocketCommandResult> {
      const ip = socket.handshake.address;
      try {
        const actor: Actor | undefined = await app.authFailures.authorize(ip, socket.data.token, 'operator', 'a socket command', 'handshake');
        if (!validCommand(command)) throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `${commandProblem()}; a socket command is {deviceId, ...the REST command body}`);
        const { deviceId, ...body } = command;
        const device = app.devices.get(deviceId);
        if (!device) throw new BridgeError('BRIDGE_ERR_DEVICE_NOT_FOUND', 404, `no device "${deviceId}"`);
        const board = commandOf(body as CommandBody);
        checkCapable(device.id, device.kind, device.capabilities, board);
        const out = await app.devices.send(deviceId, board, actor?.name);
        if (out.outcome === 'nak') throw new BridgeError('BRIDGE_ERR_COMMAND_NAK', 409, `board "${deviceId}" refused command id=${out.id}: ${out.code}`);
        return { ok: true, commandId: out.id, outcome: 'ack', ...(out.outcome === 'ack' && out.cal !== undefined ? { cal: out.cal } : {}) };
      } catch (err) {
        if (err instanceof BridgeError) return { ok: false, code: err.code, message: err.message };
        app.log.error({ err }, 'socket command failed');
        return { ok: false, code: 'BRIDGE_ERR_INTERNAL', message: 'internal error; see the bridge log' };
      }
    }

    function rooms(deviceId: string, cellIds: readonly string[]): string[] {
      return ['all', `device:${deviceId}`, ...cellIds.map((c) => `cell:${c}`)];
    }
    // Every event of the bridge's hub, with the hub's number: a reading to its own cell's room, a device to the
    // rooms of every cell it measures, an alarm to its cell's and device's.
    app.events.subscribe((e) => {
      // Nobody connected: nothing to encode (a fast bench runs without a socket).
      if (io.engine.clientsCount === 0) return;
      if (e.kind === 'reading') io.to(rooms(e.reading.deviceId, [e.reading.cellId])).emit('reading', e.reading, e.seq);
      else if (e.kind === 'device') io.to(rooms(e.device.id, e.device.cellIds ?? [e.device.cellId])).emit('device', e.device, e.seq);
      else if (e.kind === 'alarm') io.to(['all', `cell:${e.alarm.cellId}`, ...(e.alarm.deviceId ? [`device:${e.alarm.deviceId}`] : [])]).emit('alarm', e.alarm, e.change, e.seq);
      else io.to(['all', `cell:${e.change.cellId}`]).emit('cell', e.change, e.seq);
    });

    app.addHook('preClose', async () => {
      // Disconnect clients before the HTTP server closes, or close() waits on their open sockets.
      // Not io.close(): that also closes the HTTP server, which is Fastify's to close.
      io.disconnectSockets(true);
      io.engine.close();
    });
  },
  { name: 'cellbench-realtime', dependencies: ['cellbench-auth', 'cellbench-alarms'] },
);
