/**
 * serialport's MockBinding with a byte-level device behind each path: what the host writes goes to the
 * device's `receive`, what the device sends arrives as the port's data. For emulated boards that are not
 * line-based (the Firmata rig I/O board).
 */

import { MockBinding } from '@serialport/binding-mock';
import type { Binding } from '../../bridge/index.js';

export interface ByteDevice {
  receive(bytes: Buffer): void;
  attach(sink: ((bytes: Buffer) => void) | undefined): void;
}

/** `reset: false` keeps the mock ports other helpers made (fakeBoardBinding resets them too). */
export function byteDeviceBinding(devices: Record<string, ByteDevice>, { reset = true } = {}): Binding {
  if (reset) MockBinding.reset();
  for (const path of Object.keys(devices)) MockBinding.createPort(path, { echo: false, record: false });
  return {
    ...MockBinding,
    list: () => MockBinding.list(),
    async open(options) {
      const port = await MockBinding.open(options);
      const device = devices[options.path];
      if (device) {
        const write = port.write.bind(port);
        port.write = async (buffer: Buffer) => {
          await write(buffer);
          const copy = Buffer.from(buffer);
          setImmediate(() => {
            if (port.isOpen) device.receive(copy);
          });
        };
        const close = port.close.bind(port);
        port.close = async () => {
          device.attach(undefined);
          await close();
        };
        // The device talks once the port is open, as an Arduino does after the reset that opening causes.
        setImmediate(() => device.attach((bytes) => port.isOpen && port.emitData(bytes)));
      }
      return port;
    },
  } as Binding;
}
