/** The HIL rig: brings a bench up (plant, firmware on PTYs, bridge) for demos and end-to-end tests. */
export { HilBench, type HilBenchOptions, type HilCell, type HilCellOptions, type Ticker } from './hil-bench.js';
export { HostBoard, GASBOARD_HOST_BINARY, type HostBoardOptions } from './host-board.js';
export { FirmataEmulator, attachFirmataEmulatorToPort, FIRMATA_MODES, type FirmataEmulatorOptions, type ByteLink } from './firmata-emulator.js';
export { PALLETUNIT_HOST_BINARY, AVR_SIM_BINARY, AVR_GASBOARD_ELF, type CellSensorValues, type HostBoardEvents } from './host-board.js';
export { AVR_PALLETUNIT_ELF } from './host-board.js';
