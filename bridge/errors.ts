/**
 * The bridge's error codes. Every error a client can see carries one of these codes (as Fastify's carry
 * FST_ERR_*), so clients and tests branch on the code, never on the message text.
 */

export type BridgeErrorCode =
  | 'BRIDGE_ERR_BAD_BODY'
  | 'BRIDGE_ERR_BAD_QUERY'
  | 'BRIDGE_ERR_BAD_PARAMS'
  | 'BRIDGE_ERR_BODY_TOO_LARGE'
  | 'BRIDGE_ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'BRIDGE_ERR_BAD_URL'
  | 'BRIDGE_ERR_URI_TOO_LONG'
  | 'BRIDGE_ERR_BAD_REQUEST'
  | 'BRIDGE_ERR_BAD_HOST'
  | 'BRIDGE_ERR_BAD_ORIGIN'
  | 'BRIDGE_ERR_NOT_FOUND'
  | 'BRIDGE_ERR_DEVICE_NOT_FOUND'
  | 'BRIDGE_ERR_DEVICE_NOT_OPEN'
  | 'BRIDGE_ERR_NOT_CAPABLE'
  | 'BRIDGE_ERR_COMMAND_NAK'
  | 'BRIDGE_ERR_COMMAND_TIMEOUT'
  | 'BRIDGE_ERR_LINK_CLOSED'
  | 'BRIDGE_ERR_UNAUTHORIZED'
  | 'BRIDGE_ERR_FORBIDDEN'
  | 'BRIDGE_ERR_READ_ONLY'
  | 'BRIDGE_ERR_RATE_LIMITED'
  | 'BRIDGE_ERR_TOKEN_NOT_FOUND'
  | 'BRIDGE_ERR_NOT_LOOPBACK'
  | 'BRIDGE_ERR_ALARM_NOT_FOUND'
  | 'BRIDGE_ERR_ALARM_SAFETY'
  | 'BRIDGE_ERR_NO_SENSOR_READING'
  | 'BRIDGE_ERR_INTERNAL';

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  readonly statusCode: number;
  /** The request field the error is about, when there is one (`valve`, `from`, ...). */
  readonly field: string | undefined;
  /** Extra data for the client, e.g. the board's NAK code. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: BridgeErrorCode,
    statusCode: number,
    message: string,
    extra: { field?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.statusCode = statusCode;
    this.field = extra.field;
    this.details = extra.details;
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  statusCode: number;
  code: BridgeErrorCode;
  error: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
}

export const errorBodySchema = {
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;
