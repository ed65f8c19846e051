/**
 * What a power-up is, decided by the bench. A board's readings are keyed by (device, power-up, seq), and
 * `seq` starts again at 1 at every power-up, so filing a new power-up's readings under an old one drops
 * them (the key is taken) or splices two runs into one series. The board's own boot counter (PROTOCOL.md,
 * `boot` in ID) is evidence, not the key: an EEPROM erased or replaced, a board without `--link`'s EEPROM
 * file, a demo started afresh all report a boot the store already has.
 *
 * At every handshake the bench compares what the board says with the newest power-up it stored:
 *
 *   1. board boot higher than the stored one  → a new power-up; boots in between were never seen (shorter
 *      than the reconnect backoff, or while the bridge was away) and are recorded as lost;
 *   2. board boot lower than the stored one    → a new power-up: the board's EEPROM was erased or replaced;
 *   3. board clock at the handshake behind the last stored reading's board time → a new power-up (a
 *      board's clock counts from its power-up and never runs back within one);
 *   4. the board powered up (handshake time − board time) after the last stored reading was measured,
 *      beyond `toleranceMs` → a new power-up (one power-up cannot start after its own readings);
 *   5. otherwise the same power-up (a reconnect, or a bridge restart): readings go on under it.
 *
 * What the handshake cannot tell (a board that restarted within the tolerance of its last reading and
 * whose clock is already past it) shows later as a reading that collides with a different stored one; the
 * device manager checks that with STATUS and then starts a new power-up mid-stream (device-manager.ts).
 */

/** The newest power-up the store has for a device, and its newest reading. */
export interface KnownPowerUp {
  powerUp: number;
  boardBoot: number | null;
  last?: { seq: number; boardMs: number; measuredAtMs: number };
}

/** What the board said in its ID, and when it arrived (bridge time). */
export interface HandshakeEvidence {
  boardBoot?: number;
  handshakeBoardMs: number;
  atMs: number;
}

export type PowerUpDecision =
  | { kind: 'same'; powerUp: number }
  | {
      kind: 'new';
      powerUp: number;
      reason: string;
      /** Board boots the bench never saw, recorded as one lost range before the new power-up. */
      lostBoardBoots?: { first: number; last: number };
    };

/**
 * How far a power-up's start, estimated from the handshake, may lie after its last reading and still be
 * the same power-up: the handshake's latency plus the drift of a board clock against the bridge's (a
 * crystal is within 100 ppm; 1000 ppm leaves room for a ceramic resonator), so 2 s plus 0.1 % of the
 * board's uptime.
 */
export function startToleranceMs(handshakeBoardMs: number): number {
  return 2000 + handshakeBoardMs / 1000;
}

/**
 * Decides the power-up of a handshake. `highestPowerUp` is the highest number the device has, seen or
 * lost, so that a new one never reuses a number.
 */
export function decidePowerUp(known: KnownPowerUp | undefined, ev: HandshakeEvidence, highestPowerUp: number): PowerUpDecision {
  const next = highestPowerUp + 1;
  if (!known) return { kind: 'new', powerUp: next, reason: 'first power-up the bench has seen of this board' };

  if (ev.boardBoot !== undefined && known.boardBoot !== null) {
    if (ev.boardBoot > known.boardBoot) {
      if (ev.boardBoot > known.boardBoot + 1) {
        const lost = { first: known.boardBoot + 1, last: ev.boardBoot - 1 };
        return { kind: 'new', powerUp: next + 1, reason: `board boot ${known.boardBoot} → ${ev.boardBoot}`, lostBoardBoots: lost };
      }
      return { kind: 'new', powerUp: next, reason: `board boot ${known.boardBoot} → ${ev.boardBoot}` };
    }
    if (ev.boardBoot < known.boardBoot) {
      return {
        kind: 'new',
        powerUp: next,
        reason: `board reports boot ${ev.boardBoot}, behind boot ${known.boardBoot} of its last power-up: its EEPROM was erased or replaced`,
      };
    }
  }

  const last = known.last;
  if (last) {
    if (ev.handshakeBoardMs < last.boardMs) {
      return {
        kind: 'new',
        powerUp: next,
        reason: `board clock at the handshake (${ev.handshakeBoardMs} ms) is behind its last stored reading (${last.boardMs} ms, seq ${last.seq})`,
      };
    }
    const startedAtMs = ev.atMs - ev.handshakeBoardMs;
    const lateMs = startedAtMs - last.measuredAtMs;
    if (lateMs > startToleranceMs(ev.handshakeBoardMs)) {
      return {
        kind: 'new',
        powerUp: next,
        reason: `board powered up ${Math.round(lateMs / 1000)} s after its last stored reading (seq ${last.seq}) was measured`,
      };
    }
  }
  return { kind: 'same', powerUp: known.powerUp };
}
