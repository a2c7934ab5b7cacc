/** Message Stream Encryption / Protocol Encryption (MSE/PE) over any Duplex (TCP now, uTP
 * later; never WebRTC, which is encrypted already). */
export { Rc4 } from './rc4.js'
export { CRYPTO_PLAINTEXT, CRYPTO_RC4, req2Hash } from './crypto.js'
export { MseError, MseInitiator, MseReceiver, type MseMethod, type MseOutcome, type InitiatorOptions, type ReceiverOptions } from './handshake.js'
export { MseStream, type StreamMethod } from './stream.js'
export { MseHandshakeError, mseInitiate, acceptIncoming, type AcceptOptions, type MseFailure } from './negotiate.js'
