/** How a WebRTC peer connection is made: the implementation is injected (node-datachannel's
 * polyfill in Node, the native class in browsers) so the same code runs in both. */

export type RTCPeerConnectionCtor = new (config?: RTCConfiguration) => RTCPeerConnection

export interface WebRtcOptions {
  /** the RTCPeerConnection class to use */
  RTCPeerConnection?: RTCPeerConnectionCtor
  /** or a loader for it, called once on first use (keeps a native module unloaded until needed) */
  loadRTCPeerConnection?: () => Promise<RTCPeerConnectionCtor>
  /** STUN and TURN servers (default none: host candidates only) */
  iceServers?: RTCIceServer[]
  /** 'relay' forces TURN (default 'all') */
  iceTransportPolicy?: RTCIceTransportPolicy
  /** extra fields handed to the constructor as they are (node-datachannel: bindAddress, mtu,
   * portRangeBegin, enableIceUdpMux...) */
  extraConfig?: Record<string, unknown>
  /** how long to wait for ICE gathering before an offer or answer is sent with what there is
   * (default 5 s); signaling here sends complete SDP, never trickles */
  gatherTimeoutMs?: number
  /** how long from offer/answer exchange to an open data channel (default 20 s) */
  connectTimeoutMs?: number
  /** bytes queued in the channel above which write() returns false (default 1 MiB) */
  highWaterMark?: number
  /** which of our ICE candidates offers carry: 'all' (default) or 'relay'. node-datachannel
   * uses 'relay': with libdatachannel 0.24 an answer applied while the remote already checks
   * us can lose the DTLS fingerprint check to a race (worse under CPU load) and the
   * connection fails. Without reachable candidates in the offer the remote meets us only
   * after we hold its answer. Peers behind NATs still reach such a client through their own
   * offers, which it answers with every candidate. */
  offerCandidates?: 'all' | 'relay'
  /** largest message sent; larger writes are split (default 64 KiB, the SDP default) */
  maxMessageSize?: number
}

/** The largest SDP accepted from a remote peer: real ones are a few KiB. */
export const MAX_SDP_LENGTH = 64 * 1024

export class WebRtcError extends Error {
  override name = 'WebRtcError'
}
