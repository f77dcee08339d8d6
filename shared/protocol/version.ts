/**
 * The wire protocol's version. Bump it whenever an event, a payload shape or a rule in docs/protocol.md changes
 * in a way an older client would misread; the server refuses a mismatching client with VERSION_MISMATCH.
 */
export const PROTOCOL_VERSION = 5;
