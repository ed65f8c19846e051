/** The HIL rig: brings a bench up (plant, firmware on PTYs, bridge) for demos and end-to-end tests. */
export { HilBench, type HilBenchOptions, type HilCell, type HilCellOptions, type Ticker } from './hil-bench.js';
export { HostBoard, GASBOARD_HOST_BINARY, type HostBoardOptions } from './host-board.js';
export { FirmataEmulator, attachFirmataEmulatorToPort, FIRMATA_MODES, type FirmataEmulatorOptions, type ByteLink } from './firmata-emulator.js';
export { PALLETUNIT_HOST_BINARY, AVR_SIM_BINARY, AVR_GASBOARD_ELF, type CellSensorValues, type HostBoardEvents } from './host-board.js';
export { AVR_PALLETUNIT_ELF } from './host-board.js';
export { createFastBench, DEFAULT_RUN_START_EPOCH_MS, type FastBench, type FastBenchOptions, type FastCell, type FastCellOptions, type FastRecord, type FastCellRecord, type FastRecordRow, type FastTimings, type ControllerFactory, type ListenOptions } from './fast-bench.js';
export { createInProcessClient, InProcessClientError, READINGS_PAGE, type InProcessClientOptions } from './in-process-client.js';
