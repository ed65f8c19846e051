#!/usr/bin/python3
"""Runs Modbus-RTU requests with pymodbus (Debian's python3-pymodbus) against a serial port and prints
one JSON line per request, so a test can check an emulator against a client that is not ours.

Usage: modbus_client.py PORT '[{"op": "read_input_registers", "address": 0, "count": 6}, ...]'

ops: read_input_registers (address, count), read_holding_registers (address, count), write_coils (address,
values), write_registers (address, values), report_slave_id, read_device_information, user_function
(function_code, data: a list of bytes; a function pymodbus does not know, sent as it is). Each takes an
optional "slave" (default 1). Each line is {"op", "registers"} for an answer with registers, {"op",
"exception": {"function_code", "exception_code"}} for an exception answer, {"op", "answer"} for another
answer, or {"op", "error"} when no answer came within the timeout (1 s, no retries).
"""

import json
import sys

from pymodbus.client import ModbusSerialClient
from pymodbus.mei_message import ReadDeviceInformationRequest
from pymodbus.other_message import ReportSlaveIdRequest
from pymodbus.pdu import ExceptionResponse, ModbusRequest, ModbusResponse


def user_function(function_code, data):
    """Request and response classes for a function code pymodbus has none for: the PDU is the code and
    `data`; only an exception answer to it is expected."""

    class UserFunctionRequest(ModbusRequest):
        _rtu_frame_size = 4 + len(data)

        def encode(self):
            return bytes(data)

        def decode(self, payload):
            pass

    class UserFunctionResponse(ModbusResponse):
        def decode(self, payload):
            self.data = list(payload)

    UserFunctionRequest.function_code = function_code
    UserFunctionResponse.function_code = function_code
    return UserFunctionRequest, UserFunctionResponse


def result(op, response):
    if isinstance(response, ExceptionResponse):
        return {"op": op, "exception": {"function_code": response.function_code, "exception_code": response.exception_code}}
    if isinstance(response, Exception) or response is None:
        return {"op": op, "error": str(response)}
    if hasattr(response, "registers"):
        return {"op": op, "registers": list(response.registers)}
    return {"op": op, "answer": type(response).__name__}


def run(client, req):
    op = req["op"]
    slave = req.get("slave", 1)
    if op == "read_input_registers":
        return client.read_input_registers(req["address"], req["count"], slave=slave)
    if op == "read_holding_registers":
        return client.read_holding_registers(req["address"], req["count"], slave=slave)
    if op == "write_coils":
        return client.write_coils(req["address"], req["values"], slave=slave)
    if op == "write_registers":
        return client.write_registers(req["address"], req["values"], slave=slave)
    if op == "report_slave_id":
        return client.execute(ReportSlaveIdRequest(slave))
    if op == "read_device_information":
        return client.execute(ReadDeviceInformationRequest(read_code=1, object_id=0, unit=slave))
    if op == "user_function":
        request, response = user_function(req["function_code"], req["data"])
        client.register(response)
        return client.execute(request(slave))
    raise ValueError(f"unknown op {op!r}")


def main():
    port, ops = sys.argv[1], json.loads(sys.argv[2])
    client = ModbusSerialClient(port, baudrate=9600, bytesize=8, parity="N", stopbits=1, timeout=1, retries=0)
    if not client.connect():
        print(json.dumps({"error": f"cannot open {port}"}), flush=True)
        return 1
    try:
        for req in ops:
            try:
                print(json.dumps(result(req["op"], run(client, req))), flush=True)
            except Exception as err:  # a client-side failure is reported, not hidden
                print(json.dumps({"op": req["op"], "error": f"{type(err).__name__}: {err}"}), flush=True)
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
