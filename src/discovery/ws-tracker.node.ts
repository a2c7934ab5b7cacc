import WebSocket from 'ws'
import { nodeWebRtc } from '../transport/webrtc/node.node.js'
import type { WebRtcOptions } from '../transport/webrtc/types.js'
import { MAX_WS_RESPONSE_BYTES } from '../tracker-protocol/index.js'
import { WsTrackerSignaling, type WebSocketCtor, type WsTrackerOptions } from './ws-tracker.js'

/** `ws` with a frame limit: a tracker has no reason to send more than an offer's worth. */
class BoundedWebSocket extends WebSocket {
  constructor(url: string) {
    super(url, { maxPayload: MAX_WS_RESPONSE_BYTES, perMessageDeflate: false, handshakeTimeout: 15_000 })
  }
}

export interface NodeSignalingOptions extends Omit<WsTrackerOptions, 'WebSocket' | 'webrtc'> {
  webrtc?: Omit<WebRtcOptions, 'RTCPeerConnection' | 'loadRTCPeerConnection'>
}

/** WebSocket-tracker signaling for Node: `ws` sockets, node-datachannel peer connections. */
export function nodeSignaling(opts: NodeSignalingOptions = {}): WsTrackerSignaling {
  const { webrtc, ...rest } = opts
  return new WsTrackerSignaling({ ...rest, WebSocket: BoundedWebSocket as unknown as WebSocketCtor, webrtc: nodeWebRtc(webrtc) })
}
