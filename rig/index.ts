/** The HIL rig: brings a bench up (plant, firmware, bridge) and, later, runs scenarios against it. */
export { HilBench, type HilBenchOptions, type HilCell, type HilCellOptions, type Ticker } from './hil-bench.js';
export { HostBoard, GASBOARD_HOST_BINARY, type HostBoardOptions } from './host-board.js';
