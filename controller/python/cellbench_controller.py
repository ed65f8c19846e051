#!/usr/bin/env python3
"""A short RQ-DCA controller for cellbench, in Python, speaking only the bridge's API (controller/README.md,
"The contract"): socket.io events (python3-socketio) and REST (python3-requests). It is the proof that a
controller not written in TypeScript can take the reference controller's place.

Environment: CELLBENCH_BRIDGE_URL (e.g. http://127.0.0.1:8080), CELLBENCH_TOKEN (an operator token; none for
an open bench), CELLBENCH_CELLS (comma-separated; default every cell of GET /api/cells). Settings, each with
its default: CELLBENCH_PY_ULO_KPA 1.5, CELLBENCH_PY_CO2_KPA 1.5, CELLBENCH_PY_FLOOR_KPA 0.4,
CELLBENCH_PY_SETTLE_H 48 (at ULO before the reference window: CO2 still dissolving into the fruit after the
pull-down makes the apparent RQ low), CELLBENCH_PY_STEP_H 24 (hours between steps down), CELLBENCH_PY_WINDOW_H 6 (closed-cell RQ window), CELLBENCH_PY_PRECLOSE_H 2 (closed before the window),
CELLBENCH_PY_REMEASURE_H 168 (RQ re-measured in DCA hold).

Per cell: pull down with N2 (useful above 3.5 kPa; respiration does the rest) to the ULO setpoint; hold O2
with the n2 and air valves and CO2 with the scrubber; after SETTLE_H at ULO, close the cell (no N2, no air, no
scrub) for WINDOW_H and fit the O2 and CO2 slopes by least squares: RQ = CO2 rise / O2 fall. The first
window at ULO gives the reference RQ; each later one either steps the setpoint down 0.1 kPa (dca_search)
or, with RQ above 1.1 x the reference, raises it 0.25 kPa and holds there (dca_hold). O2 never below the
floor (air opens at it; a window ends there); N2 off while the door is open (the door also sends the cell
back to ULO). The record is saved after every reading handled, status.atMs = the reading's measuredAtMs
(the lockstep pacing rule), so the controller resumes from it after a restart. Decisions go to stdout.
"""

import json
import os
import queue
import signal
import sys
from urllib.parse import quote

import requests
import socketio

NAME = 'cellbench-py-dca'
HOUR_MS = 3_600_000
N2_USEFUL_ABOVE_KPA = 3.5
BAND_KPA = 0.1
STEP_KPA = 0.1
RAISE_KPA = 0.25
STRESS_FACTOR = 1.1


def env_float(name, default):
    text = os.environ.get(name, '')
    try:
        return float(text) if text else default
    except ValueError:
        sys.exit(f'cellbench_controller: {name} must be a number: "{text}"')


CFG = {
    'ulo': env_float('CELLBENCH_PY_ULO_KPA', 1.5),
    'co2': env_float('CELLBENCH_PY_CO2_KPA', 1.5),
    'floor': env_float('CELLBENCH_PY_FLOOR_KPA', 0.4),
    'settle_ms': env_float('CELLBENCH_PY_SETTLE_H', 48) * HOUR_MS,
    'step_ms': env_float('CELLBENCH_PY_STEP_H', 24) * HOUR_MS,
    'window_ms': env_float('CELLBENCH_PY_WINDOW_H', 6) * HOUR_MS,
    'preclose_ms': env_float('CELLBENCH_PY_PRECLOSE_H', 2) * HOUR_MS,
    'remeasure_ms': env_float('CELLBENCH_PY_REMEASURE_H', 168) * HOUR_MS,
}


class BridgeError(Exception):
    pass


class Bridge:
    """The REST half of the contract; every error names the route and the bridge's error code."""

    def __init__(self, url, token):
        self.url = url.rstrip('/')
        self.http = requests.Session()
        if token:
            self.http.headers['Authorization'] = f'Bearer {token}'

    def call(self, method, path, body=None):
        try:
            r = self.http.request(method, self.url + path, json=body, timeout=30)
        except requests.RequestException as e:
            raise BridgeError(f'{method} {path}: cannot reach the bridge at {self.url}: {e}') from None
        try:
            data = r.json()
        except ValueError:
            data = {}
        if r.status_code != 200 and not (method == 'POST' and r.status_code == 409):
            raise BridgeError(f"{method} {path}: {r.status_code} {data.get('code')}: {data.get('message', r.text[:200])}")
        return r.status_code, data


def fit_slope(s):
    """Least-squares slope of y over t from the running sums [n, St, Stt, Sy, Sty]."""
    n, st, stt, sy, sty = s
    den = n * stt - st * st
    return (n * sty - st * sy) / den if n >= 3 and den > 0 else None


def kpa(x):
    return f'{x:.2f} kPa'


class Cell:
    def __init__(self, bridge, cell_id):
        self.bridge, self.id, self.path = bridge, cell_id, f'/api/cells/{quote(cell_id, safe="")}'
        self.status = self.read_status()
        _, body = bridge.call('GET', f'{self.path}/controller')
        rec = body.get('record')
        mem = rec['memory'] if rec and rec.get('controller') == NAME else None
        if mem and mem.get('version') == 1:
            self.mem = mem
            self.log(mem['lastMs'] or 0, 'resumed', f"record of {rec['updatedAtMs']}: {mem['state']} at {kpa(mem['sp'])}")
        else:
            self.mem = {'version': 1, 'state': 'pull_down', 'reason': 'started: pull down to ULO', 'sp': CFG['ulo'],
                        'refRq': None, 'rq': None, 'breakPoint': None, 'since': None, 'lastMs': None,
                        'prev': None, 'win': None, 'valves': {'n2': False, 'air': False, 'scrub': False}}
            self.log(0, 'started', 'no record of this controller for the cell')
        self.acked = {}   # valve -> state the board ACKed (unknown after a start: sent again)
        self.stale = False

    def read_status(self):
        return self.bridge.call('GET', f'{self.path}/status')[1]

    def log(self, t_ms, decision, reason):
        """One decision as a JSON line, the shape of the TypeScript DecisionLogEntry."""
        state = self.mem['state'] if hasattr(self, 'mem') else 'starting'
        print(json.dumps({'atMs': t_ms, 'cellId': self.id, 'state': state, 'decision': decision, 'reason': reason}), flush=True)

    def enter(self, t, state, reason, decision=None):
        self.mem.update(state=state, reason=reason, since=t)
        self.log(t, decision or f'enter {state}', reason)

    def set_sp(self, t, sp, why):
        sp = round(max(CFG['floor'] + STEP_KPA, min(CFG['ulo'], sp)), 3)
        if sp != self.mem['sp']:
            self.log(t, f"setpoint {kpa(self.mem['sp'])} -> {kpa(sp)}", why)
        self.mem['sp'] = sp

    # ---- one reading -------------------------------------------------------------------------------------
    def handle(self, r):
        m, t = self.mem, r['measuredAtMs']
        if m['lastMs'] is not None and t <= m['lastMs']:
            return  # a replay or a reading overtaken by a newer one: history, not news
        if self.stale:
            self.status, self.stale = self.read_status(), False
        devices = self.status['devices']
        m['lastMs'] = t
        if not devices or r['deviceId'] == devices[0]['deviceId']:
            o2, co2 = r.get('o2Kpa'), r.get('co2Kpa')
            usable = o2 is not None and co2 is not None and not r.get('flags')
            door = bool(self.status.get('door') and self.status['door']['open'])
            self.decide(t, o2, co2, usable, door)
            self.act(t, o2, co2, usable, door, devices[0] if devices else None)
        self.save(t)

    def decide(self, t, o2, co2, usable, door):
        m = self.mem
        if door:
            # Back to ULO and no progress while it is open: the settling time starts again once it closes.
            m['win'] = None
            self.set_sp(t, CFG['ulo'], 'door open')
            if m['state'] != 'ulo_hold':
                self.enter(t, 'ulo_hold', 'door open: back to ULO, N2 off')
            m['since'] = t
            return
        if not usable:
            if m['state'] == 'rq_measurement':
                self.end_window(t, 'rejected: a reading without usable O2/CO2')
            m['reason'] = 'no usable reading: N2 off'
            return
        since = t - (m['since'] or t)
        if m['state'] == 'pull_down' and o2 <= m['sp'] + BAND_KPA:
            self.enter(t, 'ulo_hold', f"O2 {kpa(o2)} reached the ULO setpoint {kpa(m['sp'])}")
        elif m['state'] == 'ulo_hold' and m['refRq'] is None and since >= CFG['settle_ms']:
            self.start_window(t, 'reference RQ at ULO')
        elif m['state'] == 'ulo_hold' and m['refRq'] is not None and since >= CFG['step_ms']:
            self.enter(t, 'dca_search', 'settled at ULO after a door: search again')
        elif m['state'] == 'dca_search' and since >= CFG['step_ms']:
            self.start_window(t, f"{CFG['step_ms'] / HOUR_MS:g} h at {kpa(m['sp'])}")
        elif m['state'] == 'dca_hold' and since >= CFG['remeasure_ms']:
            self.start_window(t, 're-measure in DCA hold')
        elif m['state'] == 'rq_measurement':
            w = m['win']
            h = (t - w['fit0']) / HOUR_MS
            if h >= 0:  # after the pre-close hours, in which CO2 that left or entered the fruit settles
                for key, y in (('o2', o2), ('co2', co2)):
                    s = w[key]
                    s[0] += 1; s[1] += h; s[2] += h * h; s[3] += y; s[4] += h * y
            if o2 <= CFG['floor'] + 0.05:
                self.end_window(t, f"O2 {kpa(o2)} near the floor {kpa(CFG['floor'])}: window ended early", early=True)
            elif t - w['fit0'] >= CFG['window_ms']:
                self.end_window(t, 'window complete')

    def start_window(self, t, why):
        self.mem['prev'] = self.mem['state']
        self.mem['win'] = {'t0': t, 'fit0': t + CFG['preclose_ms'], 'o2': [0, 0, 0, 0, 0], 'co2': [0, 0, 0, 0, 0]}
        hours = (CFG['preclose_ms'] + CFG['window_ms']) / HOUR_MS
        self.enter(t, 'rq_measurement', f'{why}: cell closed (no N2, air or scrub) for {hours:g} h, slopes fitted after the first {CFG["preclose_ms"] / HOUR_MS:g} h', 'rq window opened')

    def end_window(self, t, why, early=False):
        m = self.mem
        w, prev = m['win'], m['prev'] or 'ulo_hold'
        m['win'] = None
        long_enough = (t - w['fit0']) >= CFG['window_ms'] / 2
        uptake, output = fit_slope(w['o2']), fit_slope(w['co2'])
        if (early and not long_enough) or uptake is None or output is None or uptake >= 0:
            return self.enter(t, prev, f'rq window rejected ({why}; O2 slope {uptake})', 'rq window rejected')
        rq = round(output / -uptake, 3)
        m['rq'] = rq
        if m['refRq'] is None:
            m['refRq'] = rq
            self.log(t, f'reference RQ {rq}', f'{why}: O2 {uptake:.4f}, CO2 {output:+.4f} kPa/h')
            self.set_sp(t, m['sp'] - STEP_KPA, f'reference RQ {rq}: first step down')
            return self.enter(t, 'dca_search', f"step down to {kpa(m['sp'])}")
        limit = STRESS_FACTOR * m['refRq']
        if rq > limit:
            m['breakPoint'] = m['sp']
            self.set_sp(t, m['sp'] + RAISE_KPA, f'RQ {rq} above {limit:.3f} (1.1 x reference {m["refRq"]})')
            return self.enter(t, 'dca_hold', f"stress at {kpa(m['breakPoint'])}: RQ {rq}; holding {kpa(m['sp'])}", 'stress detected: raise')
        if prev == 'dca_hold':
            return self.enter(t, 'dca_hold', f'RQ {rq} within {limit:.3f}: hold {kpa(m["sp"])}', 'rq ok: hold')
        before = m['sp']
        self.set_sp(t, m['sp'] - STEP_KPA, f'RQ {rq} within {limit:.3f}: lower')
        if m['sp'] == before:
            return self.enter(t, 'dca_hold', f"at the lowest setpoint {kpa(before)} above the floor: hold", 'rq ok: hold')
        self.enter(t, 'dca_search', f"RQ {rq} within {limit:.3f}: step down to {kpa(m['sp'])}", 'rq ok: lower')

    # ---- valves ------------------------------------------------------------------------------------------
    def act(self, t, o2, co2, usable, door, dev):
        m, sp, prev = self.mem, self.mem['sp'], self.mem['valves']
        if not usable:
            want = {'n2': False, 'air': False, 'scrub': False}
        elif m['state'] == 'rq_measurement':
            want = {'n2': False, 'air': False, 'scrub': False}
        else:
            scrub = co2 > (CFG['co2'] - 0.3 if prev['scrub'] else CFG['co2'])
            n2 = o2 > (sp if prev['n2'] else sp + BAND_KPA) and o2 >= N2_USEFUL_ABOVE_KPA
            air = o2 < (sp if prev['air'] else sp - BAND_KPA)
            want = {'n2': n2, 'air': air, 'scrub': scrub}
        if usable and o2 <= CFG['floor'] + BAND_KPA:
            want['n2'] = False
        if usable and o2 <= CFG['floor']:
            want['air'] = True
        if door:
            want['n2'] = False
        if want['n2']:
            want['air'] = False
        for k in ('n2', 'air', 'scrub'):
            if want[k] != prev[k]:
                self.log(t, f"{k} {'on' if want[k] else 'off'}", f"O2 {o2}, CO2 {co2} kPa, setpoint {kpa(sp)}, {m['state']}")
        m['valves'] = want
        if dev is None:
            return
        caps = dev.get('capabilities') or []
        for k in ('n2', 'air', 'scrub'):
            if (caps and f'valve.{k}' not in caps) or self.acked.get(k) == want[k]:
                continue
            cmd = {'op': 'set_valve', 'valve': k, 'on': want[k]}
            if dev.get('boardCell') is not None:
                cmd['cell'] = dev['boardCell']
            code, body = self.bridge.call('POST', f"/api/devices/{quote(dev['deviceId'], safe='')}/commands", cmd)
            self.acked[k] = want[k] if code == 200 else None
            if code != 200:
                self.log(t, f'command {json.dumps(cmd)} failed', f"{code} {body.get('code')} {body.get('message')}")

    def save(self, t):
        m = self.mem
        self.bridge.call('PUT', f'{self.path}/controller', {
            'controller': NAME,
            'status': {'state': m['state'], 'reason': m['reason'][:500], 'o2SetpointKpa': m['sp'], 'co2SetpointKpa': CFG['co2'],
                       'breakPointO2Kpa': m['breakPoint'], 'rq': m['rq'], 'atMs': t},
            'memory': m, 'alarms': []})


def main():
    url = os.environ.get('CELLBENCH_BRIDGE_URL', '')
    if not url.startswith(('http://', 'https://')):
        print(f'cellbench_controller: CELLBENCH_BRIDGE_URL must be an http(s) URL: "{url}"', file=sys.stderr)
        return 2
    token = os.environ.get('CELLBENCH_TOKEN') or None
    bridge = Bridge(url, token)
    try:
        ids = [c for c in os.environ.get('CELLBENCH_CELLS', '').split(',') if c.strip()]
        ids = [c.strip() for c in ids] or [c['id'] for c in bridge.call('GET', '/api/cells')[1]['cells']]
        cells = {c: Cell(bridge, c) for c in ids}
    except BridgeError as e:
        print(f'cellbench_controller: {e}', file=sys.stderr)
        return 1

    events = queue.Queue()
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))
    # engine.io runs each event's handler in a thread of its own: they only queue, the main loop decides.
    sio = socketio.Client(reconnection=True, handle_sigint=False)
    sio.on('reading', lambda r, seq=None: events.put(('reading', r)))
    # A door, loading, calibration or bridge alarm changes the cell's status; its own record saved does not.
    sio.on('cell', lambda c, seq=None: c['change'] != 'controller' and events.put(('stale', c['cellId'])))
    sio.on('alarm', lambda a, change=None, seq=None: a['kind'] != 'controller' and events.put(('stale', a['cellId'])))
    sio.on('snapshot', lambda s: s.get('missed') and print(f"cellbench_controller: reconnected; {s['missed']} events missed", file=sys.stderr, flush=True))
    try:
        sio.connect(url, auth={'token': token} if token else {}, transports=['polling'], wait_timeout=10)
    except socketio.exceptions.ConnectionError as e:
        print(f'cellbench_controller: socket.io to {url}: {e}', file=sys.stderr)
        return 1
    print(f"cellbench_controller: controlling {', '.join(ids)} on {url}", file=sys.stderr, flush=True)
    while not stop:
        try:
            kind, payload = events.get(timeout=0.2)
        except queue.Empty:
            continue
        try:
            if kind == 'stale' and payload in cells:
                cells[payload].stale = True
            elif kind == 'reading' and payload.get('cellId') in cells:
                cells[payload['cellId']].handle(payload)
        except BridgeError as e:
            print(f'cellbench_controller: {e}', file=sys.stderr, flush=True)
    sio.disconnect()
    return 0


if __name__ == '__main__':
    sys.exit(main())
