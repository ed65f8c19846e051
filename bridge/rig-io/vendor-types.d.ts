/**
 * The parts of johnny-five and firmata-io the rig I/O board uses; neither package ships types and
 * @types/johnny-five is not installed.
 */

declare module 'firmata-io' {
  import { EventEmitter } from 'node:events';
  export class Firmata extends EventEmitter {
    constructor(transport: object, options?: { reportVersionTimeout?: number; skipCapabilities?: boolean; samplingInterval?: number });
    readonly MODES: { INPUT: number; OUTPUT: number; PULLUP: number; ANALOG: number };
    readonly isReady: boolean;
    readonly firmware: { name?: string; version?: { major: number; minor: number } };
    pinMode(pin: number, mode: number): void;
    digitalWrite(pin: number, value: 0 | 1): void;
    digitalRead(pin: number, callback: (value: 0 | 1) => void): void;
    reportDigitalPin(pin: number, enable: 0 | 1): void;
    removeAllListeners(event?: string): this;
  }
  const bindTransport: ((transport: unknown) => typeof Firmata) & { Firmata: typeof Firmata };
  export default bindTransport;
}

declare module 'johnny-five' {
  import { EventEmitter } from 'node:events';
  export class Board extends EventEmitter {
    constructor(options: { io: object; repl?: boolean; debug?: boolean; sigint?: boolean; timeout?: number; id?: string });
    readonly isReady: boolean;
    readonly io: object;
  }
  export class Relay {
    constructor(options: { pin: number; type?: 'NO' | 'NC'; board: Board });
    readonly isClosed: boolean;
    close(): this;
    open(): this;
  }
  const five: { Board: typeof Board; Relay: typeof Relay };
  export default five;
}
