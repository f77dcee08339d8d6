/** The wire protocol between the server and its clients: see docs/protocol.md. */
export { PROTOCOL_VERSION } from './version.ts';
export { ErrorCode, ok, fail, type Ack, type ProtocolError } from './errors.ts';
export * from './schemas.ts';
export type * from './events.ts';
export type * from './views.ts';
export * from './nickname.ts';
export * from './roomCode.ts';
export * from './frames.ts';
