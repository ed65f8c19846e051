/**
 * The live-cells page: one card per board with its latest O2, CO2 and temperature, fed by the bridge's
 * socket.io events, and buttons that send valve commands through the REST API.
 */

import { io, type Socket } from 'socket.io-client';
import { ACTUATOR_LABELS, actuatorsOf, type ClientToServerEvents, type DeviceView, type ReadingView, type ServerToClientEvents } from '../../bridge/events.js';

const container = document.querySelector<HTMLElement>('#devices')!;
const empty = document.querySelector<HTMLElement>('#empty')!;
const link = document.querySelector<HTMLElement>('#link')!;
const template = document.querySelector<HTMLTemplateElement>('#device-card')!;
const cards = new Map<string, HTMLElement>();

// An API token, when the bridge wants one (cellbench bridge --auth tokens): opened as /#token=cbt_...,
// kept for this tab only and taken out of the address bar. An open bench (the demo) needs none.
const fromHash = /(?:^#|&)token=([A-Za-z0-9_-]{20,200})/.exec(location.hash)?.[1];
if (fromHash) {
  sessionStorage.setItem('cellbench-token', fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
const token = sessionStorage.getItem('cellbench-token') ?? undefined;
/** The seq of the last event seen, so that a reconnect's snapshot says how many were missed. */
let lastSeq: number | undefined;

function fixed(v: number | null, decimals: number): string {
  return v === null ? '—' : v.toFixed(decimals);
}

function set(card: HTMLElement, selector: string, text: string): void {
  card.querySelector<HTMLElement>(selector)!.textContent = text;
}

function cardFor(id: string): HTMLElement {
  let card = cards.get(id);
  if (card) return card;
  card = (template.content.firstElementChild!.cloneNode(true) as HTMLElement);
  card.dataset.deviceId = id;
  set(card, '.id', id);
  cards.set(id, card);
  const sorted = [...cards.keys()].sort();
  const next = sorted[sorted.indexOf(id) + 1];
  container.insertBefore(card, next ? cards.get(next)! : null);
  empty.hidden = true;
  return card;
}

/** A value the bridge flagged as impossible is shown crossed out, never as a plain number. */
function setValue(card: HTMLElement, selector: string, text: string, flagged: boolean): void {
  const el = card.querySelector<HTMLElement>(selector)!;
  el.textContent = text;
  if (flagged) {
    el.dataset.flagged = 'impossible';
    el.title = 'impossible value: stored flagged, not used by alarms';
  } else {
    delete el.dataset.flagged;
    el.removeAttribute('title');
  }
}

function showReading(r: ReadingView): void {
  const card = cardFor(r.deviceId);
  const flags = r.flags ?? [];
  const future = flags.includes('time_future');
  setValue(card, '.o2', fixed(r.o2Kpa, 2), future || flags.includes('o2_impossible'));
  setValue(card, '.co2', fixed(r.co2Kpa, 3), future || flags.includes('co2_impossible'));
  setValue(card, '.temp', fixed(r.tempC, 2), future || flags.includes('temp_impossible'));
  set(card, '.seq', String(r.seq));
  const at = card.querySelector<HTMLTimeElement>('.at')!;
  at.dateTime = new Date(r.measuredAtMs).toISOString();
  at.textContent = new Date(r.measuredAtMs).toLocaleTimeString();
}

/** The actuator buttons of a board: the ones its capabilities say it has (the protocol's facts), once. */
function showControls(card: HTMLElement, d: DeviceView): void {
  const valves = card.querySelector<HTMLElement>('.valves')!;
  const wanted = actuatorsOf(d.capabilities).join(',');
  if (valves.dataset.actuators === wanted) return;
  valves.dataset.actuators = wanted;
  valves.replaceChildren();
  for (const valve of actuatorsOf(d.capabilities)) {
    for (const on of [true, false]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `${ACTUATOR_LABELS[valve]} ${on ? 'open' : 'close'}`;
      b.dataset.valve = valve;
      b.dataset.on = String(on);
      b.addEventListener('click', () => void sendValve(d.id, valve, on, card));
      valves.append(b);
    }
  }
}

function showDevice(d: DeviceView): void {
  const card = cardFor(d.id);
  showControls(card, d);
  const state = card.querySelector<HTMLElement>('.state')!;
  state.textContent = d.state;
  state.dataset.state = d.state;
  set(card, '.kind', d.kind);
  set(card, '.fw', d.firmwareVersion);
  set(card, '.frames', String(d.counters.frames));
  set(card, '.stored', String(d.counters.stored));
  set(card, '.rejected', String(d.counters.rejected));
  if (d.lastReading) showReading(d.lastReading);
}

async function sendValve(deviceId: string, valve: string, on: boolean, card: HTMLElement): Promise<void> {
  const out = card.querySelector<HTMLElement>('.command-result')!;
  out.textContent = `sending ${valve} ${on ? 'open' : 'close'}…`;
  delete out.dataset.ok;
  try {
    const res = await fetch(`/api/devices/${encodeURIComponent(deviceId)}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ op: 'set_valve', valve, on }),
    });
    const body = (await res.json()) as { commandId?: number; code?: string; message?: string };
    out.dataset.ok = String(res.ok);
    out.textContent = res.ok ? `${valve} ${on ? 'open' : 'closed'}: ACK (command ${body.commandId})` : `${body.code}: ${body.message}`;
  } catch (err) {
    out.dataset.ok = 'false';
    out.textContent = `bridge unreachable: ${(err as Error).message}`;
  }
}

const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
  transports: ['websocket'],
  auth: (cb) => cb({ ...(token ? { token } : {}), ...(lastSeq !== undefined ? { lastSeq } : {}) }),
});
socket.on('connect', () => {
  link.dataset.state = 'live';
  link.textContent = 'live';
});
socket.on('disconnect', () => {
  link.dataset.state = 'down';
  link.textContent = 'bridge disconnected; reconnecting…';
});
socket.on('snapshot', (s) => {
  lastSeq = s.seq;
  s.devices.forEach(showDevice);
});
socket.on('device', (d, seq) => {
  lastSeq = seq;
  showDevice(d);
});
socket.on('reading', (r, seq) => {
  lastSeq = seq;
  showReading(r);
});
