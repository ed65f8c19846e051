/** The wasm target in-process: a board stepped in lockstep, and the serialport binding that reaches it. */
export { WasmBoard, WASM_BOARD_FILES, EEPROM_BYTES, UART, type WasmBoardKind, type WasmBoardOptions, type WasmBoardEvents } from './wasm-board.js';
export { WasmLinkBinding, WasmLinkPort } from './memory-binding.js';
