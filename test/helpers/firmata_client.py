#!/usr/bin/python3
"""A raw Firmata client, written from the protocol (github.com/firmata/protocol, protocol.md) with nothing but
Python's standard library, so a test can check a Firmata device against a client that shares no code with
johnny-five or firmata-io.

Usage: firmata_client.py PORT

It opens PORT (a tty: a PTY or a USB serial adapter) raw, prints {"type": "open"}, and then:
- reads one command a line on stdin, sends its bytes and prints {"type": "sent", "command": ...};
- prints every message the device sends, decoded, as one JSON line.
It ends at the end of stdin.

Commands (numbers in decimal):
  version                   REPORT_VERSION request (0xF9)
  firmware                  REPORT_FIRMWARE query (sysex 0x79)
  capabilities              CAPABILITY_QUERY (sysex 0x6B)
  analog_mapping            ANALOG_MAPPING_QUERY (sysex 0x69)
  pin_state PIN             PIN_STATE_QUERY (sysex 0x6D)
  pin_mode PIN MODE         SET_PIN_MODE (0xF4)
  digital_write PIN VALUE   SET_DIGITAL_PIN_VALUE (0xF5)
  digital_port PORT MASK    DIGITAL_MESSAGE (0x90 | port), the mask in two 7-bit bytes
  report_digital PORT ON    REPORT_DIGITAL (0xD0 | port)
  report_analog CHANNEL ON  REPORT_ANALOG (0xC0 | channel)
  reset                     SYSTEM_RESET (0xFF)

Messages printed:
  {"type": "version", "major", "minor"}
  {"type": "firmware", "major", "minor", "name"}
  {"type": "capabilities", "pins": [[[mode, resolution], ...], ...]}
  {"type": "analog_mapping", "channels": [channel or 127, ...]}
  {"type": "pin_state", "pin", "mode", "state"}     state from all its 7-bit bytes, least significant first
  {"type": "digital", "port", "mask"}
  {"type": "analog", "channel", "value"}
  {"type": "string", "text"}
  {"type": "sysex", "id", "data"}                    any other sysex
  {"type": "unexpected", "byte"}                     a data byte outside any message
"""

import json
import os
import selectors
import sys
import termios
import tty

START_SYSEX = 0xF0
END_SYSEX = 0xF7


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def seven_bit_pairs(data):
    """Values sent as (LSB 7 bits, MSB 7 bits) pairs."""
    return [data[i] | (data[i + 1] << 7) for i in range(0, len(data) - 1, 2)]


def decode_sysex(data):
    if not data:
        return {"type": "sysex", "id": None, "data": []}
    cmd, body = data[0], data[1:]
    if cmd == 0x79 and len(body) >= 2:
        name = "".join(chr(c) for c in seven_bit_pairs(body[2:]))
        return {"type": "firmware", "major": body[0], "minor": body[1], "name": name}
    if cmd == 0x6C:
        pins, modes, i = [], [], 0
        while i < len(body):
            if body[i] == 0x7F:
                pins.append(modes)
                modes = []
                i += 1
            elif i + 1 < len(body):
                modes.append([body[i], body[i + 1]])
                i += 2
            else:
                return {"type": "sysex", "id": cmd, "data": body, "error": "capability response cut short"}
        if modes:
            return {"type": "sysex", "id": cmd, "data": body, "error": "pin modes without their 0x7F"}
        return {"type": "capabilities", "pins": pins}
    if cmd == 0x6A:
        return {"type": "analog_mapping", "channels": list(body)}
    if cmd == 0x6E and len(body) >= 3:
        state = 0
        for k, b in enumerate(body[2:]):
            state |= b << (7 * k)
        return {"type": "pin_state", "pin": body[0], "mode": body[1], "state": state}
    if cmd == 0x71:
        return {"type": "string", "text": "".join(chr(c) for c in seven_bit_pairs(body))}
    return {"type": "sysex", "id": cmd, "data": body}


class Parser:
    """Firmata's MIDI-style framing: a status byte (high bit set) starts a message, data bytes follow."""

    def __init__(self):
        self.status = None
        self.data = []
        self.sysex = None

    def feed(self, byte):
        if self.sysex is not None:
            if byte == END_SYSEX:
                message, self.sysex = decode_sysex(self.sysex), None
                emit(message)
            elif byte & 0x80:
                emit({"type": "sysex", "id": None, "data": self.sysex, "error": "status byte inside sysex"})
                self.sysex = None
                self.feed(byte)
            else:
                self.sysex.append(byte)
            return
        if byte == START_SYSEX:
            self.sysex, self.status = [], None
            return
        if byte & 0x80:
            self.status, self.data = byte, []
            return
        if self.status is None:
            emit({"type": "unexpected", "byte": byte})
            return
        self.data.append(byte)
        if len(self.data) < 2:
            return
        status, (lsb, msb) = self.status, self.data
        self.status, self.data = None, []
        if status == 0xF9:
            emit({"type": "version", "major": lsb, "minor": msb})
        elif status & 0xF0 == 0x90:
            emit({"type": "digital", "port": status & 0x0F, "mask": lsb | (msb << 7)})
        elif status & 0xF0 == 0xE0:
            emit({"type": "analog", "channel": status & 0x0F, "value": lsb | (msb << 7)})
        else:
            emit({"type": "unexpected", "status": status, "data": [lsb, msb]})


def encode(words):
    name, args = words[0], [int(w) for w in words[1:]]
    if name == "version":
        return [0xF9]
    if name == "firmware":
        return [START_SYSEX, 0x79, END_SYSEX]
    if name == "capabilities":
        return [START_SYSEX, 0x6B, END_SYSEX]
    if name == "analog_mapping":
        return [START_SYSEX, 0x69, END_SYSEX]
    if name == "pin_state":
        return [START_SYSEX, 0x6D, args[0], END_SYSEX]
    if name == "pin_mode":
        return [0xF4, args[0], args[1]]
    if name == "digital_write":
        return [0xF5, args[0], args[1]]
    if name == "digital_port":
        return [0x90 | args[0], args[1] & 0x7F, (args[1] >> 7) & 0x7F]
    if name == "report_digital":
        return [0xD0 | args[0], 1 if args[1] else 0]
    if name == "report_analog":
        return [0xC0 | args[0], 1 if args[1] else 0]
    if name == "reset":
        return [0xFF]
    raise ValueError(f"unknown command {name!r}")


def main():
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[4] = attrs[5] = termios.B57600  # StandardFirmata's rate (a PTY ignores it)
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    emit({"type": "open"})
    parser = Parser()
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ, "port")
    sel.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    pending_input = b""
    while True:
        for key, _ in sel.select():
            if key.data == "port":
                try:
                    chunk = os.read(fd, 4096)
                except BlockingIOError:
                    continue
                for b in chunk:
                    parser.feed(b)
                continue
            line_bytes = os.read(sys.stdin.fileno(), 4096)
            if not line_bytes:
                os.close(fd)
                return 0
            pending_input += line_bytes
            while b"\n" in pending_input:
                line, pending_input = pending_input.split(b"\n", 1)
                words = line.decode().split()
                if not words:
                    continue
                try:
                    os.write(fd, bytes(encode(words)))
                    emit({"type": "sent", "command": " ".join(words)})
                except (ValueError, IndexError) as err:
                    emit({"type": "error", "command": " ".join(words), "error": str(err)})


if __name__ == "__main__":
    sys.exit(main())
