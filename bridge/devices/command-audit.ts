/**
 * The command audit trail: every transmission of an operator's command on a connection is a row (id, op,
 * args, when, the attempt it repeats, who asked), finished with its outcome. HELLO, STATUS and REPLAY keep
 * the link and the store whole; they are not an operator's commands, and their outcomes are written as
 * link and readings events instead.
 */

import type { CommandStore } from '../store/command-store.js';
import type { BoardConnection } from './board-connection.js';

export function auditCommands(conn: BoardConnection, commands: CommandStore): void {
  conn.on('commandSent', (id, command, atMs, retryOf, actor) => {
    if (command.op === 'hello' || command.op === 'status' || command.op === 'replay') return;
    const { op, ...args } = command;
    commands.sent({ id, deviceId: conn.identity?.serialNumber ?? conn.path, op, args, sentAtMs: atMs, retryOf, actor: actor ?? 'bridge' });
  });
  conn.on('commandFinished', (id, outcome, atMs, nakCode) => commands.finished(id, outcome, atMs, nakCode));
}
