/** Why a wire failed, so callers can tell a misbehaving peer from a dead connection. */
export type WireErrorCode =
  | 'oversize'   // a length prefix above the configured maximum
  | 'malformed'  // bytes that do not form a valid message or handshake
  | 'protocol'   // a valid message at the wrong time or with forbidden values
  | 'timeout'    // nothing received for too long
  | 'extension'  // an extension (BEP 10) misbehaved or is missing

/** The only error type the wire codec, parser and Wire raise for peer faults. A peer
 * that causes one is dropped; the torrent and client go on. */
export class WireError extends Error {
  override name = 'WireError'
  constructor(message: string, readonly code: WireErrorCode = 'protocol') {
    super(message)
  }
}
