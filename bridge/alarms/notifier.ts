/**
 * Tells people about alarms: a JSON POST to each webhook, an e-mail over SMTP (nodemailer), and an SMS
 * through a gateway's webhook (a JSON POST `{to, text}` per number). Every attempt is a row in the
 * `notifications` table with its outcome; a failing channel never stops the others or the bridge.
 * HTTP timeouts run on the injected clock. Raised and cleared alarms are sent; acknowledgements are not.
 * The person-safety alarm is sent whatever `minSeverity` says.
 */

import nodemailer, { type Transporter } from 'nodemailer';
import type { Clock } from '../clock.js';
import type { AlarmChange, AlarmSeverity, AlarmView } from '../events.js';
import type { SqliteStore } from '../store/sqlite-store.js';

export interface NotificationOptions {
  /** URLs that get `{"event": "alarm.raised" | "alarm.cleared", "alarm": {...}}` as a JSON POST. */
  webhooks?: string[];
  email?: {
    host: string;
    port: number;
    /** TLS from the start (port 465). Default false. */
    secure?: boolean;
    /** Do not upgrade with STARTTLS even when offered (a local sink). Default false. */
    ignoreTLS?: boolean;
    user?: string;
    pass?: string;
    from: string;
    to: string[];
  };
  /** An SMS gateway reached by webhook: one JSON POST `{to, text}` per number. */
  sms?: { gatewayUrl: string; to: string[]; headers?: Record<string, string> };
  /** Least severity sent (warning < critical < safety). Default 'warning' (all). */
  minSeverity?: AlarmSeverity;
  /** HTTP timeout per attempt. Default 10000. */
  timeoutMs?: number;
}

const RANK: Record<AlarmSeverity, number> = { warning: 0, critical: 1, safety: 2 };

export function alarmText(alarm: AlarmView, change: AlarmChange): { subject: string; text: string } {
  const when = new Date(change === 'cleared' ? (alarm.clearedAtMs ?? alarm.raisedAtMs) : alarm.raisedAtMs).toISOString();
  const subject = `[cellbench] ${change.toUpperCase()} ${alarm.severity} ${alarm.kind} in ${alarm.cellId}`;
  const text = `${alarm.message}\ncell ${alarm.cellId}${alarm.deviceId ? `, board ${alarm.deviceId}` : ''}; ${change} at ${when} (reading time); alarm ${alarm.id}`;
  return { subject, text };
}

export class Notifier {
  private readonly opts: NotificationOptions;
  private readonly store: SqliteStore;
  private readonly clock: Clock;
  private readonly mail: Transporter | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(options: NotificationOptions, store: SqliteStore, clock: Clock) {
    this.opts = options;
    this.store = store;
    this.clock = clock;
    if (options.email) {
      const e = options.email;
      this.mail = nodemailer.createTransport({
        host: e.host,
        port: e.port,
        secure: e.secure ?? false,
        ignoreTLS: e.ignoreTLS ?? false,
        ...(e.user ? { auth: { user: e.user, pass: e.pass ?? '' } } : {}),
      });
    }
  }

  /** Sends an alarm change on every channel; never rejects. */
  notify(alarm: AlarmView, change: AlarmChange): void {
    if (change === 'acked') return;
    if (alarm.severity !== 'safety' && RANK[alarm.severity] < RANK[this.opts.minSeverity ?? 'warning']) return;
    const { subject, text } = alarmText(alarm, change);
    const jobs: Array<[channel: string, target: string, run: () => Promise<void>]> = [];
    for (const url of this.opts.webhooks ?? []) {
      jobs.push(['webhook', url, () => this.post(url, { event: `alarm.${change}`, alarm }, {})]);
    }
    if (this.mail && this.opts.email) {
      const e = this.opts.email;
      jobs.push(['email', e.to.join(','), async () => {
        await this.mail!.sendMail({ from: e.from, to: e.to, subject, text });
      }]);
    }
    for (const to of this.opts.sms?.to ?? []) {
      jobs.push(['sms', to, () => this.post(this.opts.sms!.gatewayUrl, { to, text: `${subject}: ${alarm.message}`.slice(0, 320) }, this.opts.sms!.headers ?? {})]);
    }
    for (const [channel, target, run] of jobs) {
      const p = run().then(
        () => this.record(alarm, change, channel, target, 'sent'),
        (err: Error) => this.record(alarm, change, channel, target, 'failed', err.message),
      );
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    }
  }

  private record(alarm: AlarmView, change: AlarmChange, channel: string, target: string, outcome: 'sent' | 'failed', error?: string): void {
    try {
      this.store.alarms.addNotification({ alarmId: alarm.id, channel, target, event: change, atMs: this.clock.now(), outcome, ...(error ? { error } : {}) });
    } catch {
      // The store is closed (the bridge is shutting down); nothing left to record into.
    }
  }

  private async post(url: string, body: unknown, headers: Record<string, string>): Promise<void> {
    const abort = new AbortController();
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const timer = this.clock.setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: abort.signal });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  /** Resolves when every send started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.idle();
    this.mail?.close();
  }
}
