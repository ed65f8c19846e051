/** The board protocol (firmware/PROTOCOL.md) for TypeScript: frame codec, checksum and typed messages. */
export { crc16Ccitt } from './crc16.js';
export {
  decodeFrame,
  encodeFrame,
  field,
  printable,
  MAX_LINE_BYTES,
  MAX_FIELDS,
  MAX_VALUE_CHARS,
  type Frame,
  type DecodeResult,
  type RejectCode,
} from './codec.js';
export {
  toBoardMessage,
  commandFrame,
  MessageError,
  PROTOCOL_VERSION,
  NAK_CODES,
  VALVE_NAMES,
  type BoardMessage,
  type BoardIdentity,
  type Command,
  type NakCode,
  type ValveName,
} from './messages.js';
