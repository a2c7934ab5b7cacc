import { browserHasher } from '../util/hasher.browser.js'
import { MemoryStorage } from '../storage/memory.js'
import { IdbStorage } from '../storage/idb.browser.js'
import { WsTrackerSignaling, type WebSocketCtor, type WsTrackerOptions } from '../discovery/ws-tracker.js'
import type { RTCPeerConnectionCtor, WebRtcOptions } from '../transport/webrtc/types.js'
import type { ClientPlatform } from './client.js'
import { fetchTorrent } from './fetch-torrent.js'
import { browserFileAdapters } from '../stream/stream-to.browser.js'

export interface BrowserPlatformOptions {
  /** WebRTC settings: ICE servers (STUN/TURN), policy, timeouts; the implementation defaults
   * to the browser's RTCPeerConnection */
  webrtc?: WebRtcOptions
  /** default: the browser's WebSocket */
  WebSocket?: WebSocketCtor
  /** signaling knobs (offers per announce, intervals, reconnect backoff) */
  signaling?: Omit<WsTrackerOptions, 'WebSocket' | 'webrtc'>
  /** where pieces go: 'memory' (default) or 'indexeddb' (persistent, for large files) */
  store?: 'memory' | 'indexeddb'
}

/** A browser's parts: no sockets of its own, so peers come only through WebSocket trackers
 * as WebRTC data channels; pieces in memory; SHA-1 by WebCrypto. */
export function browserPlatform(opts: BrowserPlatformOptions = {}): ClientPlatform & { signaling: WsTrackerSignaling } {
  const g = globalThis as unknown as { WebSocket?: WebSocketCtor; RTCPeerConnection?: RTCPeerConnectionCtor }
  const WebSocket = opts.WebSocket ?? g.WebSocket
  const RTCPeerConnection = opts.webrtc?.RTCPeerConnection ?? g.RTCPeerConnection
  if (!WebSocket) throw new Error('this environment has no WebSocket')
  const signaling = new WsTrackerSignaling({
    ...opts.signaling,
    WebSocket,
    webrtc: { ...opts.webrtc, ...(RTCPeerConnection ? { RTCPeerConnection } : {}) },
  })
  return {
    hasher: browserHasher,
    // IndexedDB keeps large files out of memory and survives a reload; memory is the default.
    createStorage: (layout, _path, infoHashHex) => opts.store === 'indexeddb' ? new IdbStorage(layout, infoHashHex) : new MemoryStorage(layout),
    trackerTransports: {},
    fetchTorrent,
    fileAdapters: browserFileAdapters,
    signaling,
    close: () => signaling.destroy(),
  }
}
