/** WebRTC peers (browsers natively, Node through an injected implementation). */
export { RtcPeer } from './rtc-peer.js'
export { ChannelDuplex, type ChannelDuplexOptions } from './channel-duplex.js'
export { WebRtcError, MAX_SDP_LENGTH, type WebRtcOptions, type RTCPeerConnectionCtor } from './types.js'
