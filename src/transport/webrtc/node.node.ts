import type { RTCPeerConnectionCtor, WebRtcOptions } from './types.js'

/** node-datachannel's standard RTCPeerConnection, loaded on first use so a Node client that
 * never meets a WebSocket tracker never loads the native module. */
export const loadNodeRTCPeerConnection = async (): Promise<RTCPeerConnectionCtor> => {
  const mod = await import('node-datachannel/polyfill')
  return mod.RTCPeerConnection as unknown as RTCPeerConnectionCtor
}

/** WebRTC options for Node. `bindAddress: '127.0.0.1'` (in extraConfig) is needed where
 * loopback is the only interface: libjuice leaves loopback out of its host candidates. */
export function nodeWebRtc(opts: Omit<WebRtcOptions, 'RTCPeerConnection' | 'loadRTCPeerConnection'> = {}): WebRtcOptions {
  return { offerCandidates: 'relay', ...opts, loadRTCPeerConnection: loadNodeRTCPeerConnection }
}
