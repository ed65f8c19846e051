/** Sensor-module emulators and the board-side plant link: what a board's UARTs and outputs meet in the simulator. */
export {
  O2StreamModule,
  O2_STATUS,
  formatO2Line,
  o2LineChecksum,
  type O2ModuleFault,
  type O2ModuleValues,
  type O2StreamModuleOptions,
} from './o2-stream-module.js';
export {
  ModbusCo2Module,
  CO2_STATUS,
  CO2_MODULE_REGISTERS,
  modbusCrc,
  withModbusCrc,
  type Co2ModuleFault,
  type Co2ModuleValues,
  type ModbusCo2ModuleOptions,
  type ModbusReply,
} from './modbus-co2-module.js';
export { parseBoardPlantLine, formatTimeLine, type BoardPlantLine, type CellOutputs } from './plant-link.js';
