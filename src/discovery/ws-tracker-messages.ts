/** Messages of the WebSocket tracker protocol (WebRTC signaling), see
 * shared/specs/websocket-tracker.md. Ids travel as JSON strings with one code point per
 * byte; anything that is not exactly 20 such code points is rejected. */

export interface SignalSdp { type: string; sdp: string }

export type TrackerMessage =
  | { kind: 'failure'; infoHash?: string; reason: string }
  | { kind: 'response'; infoHash: string; interval?: number; complete?: number; incomplete?: number; warning?: string }
  | { kind: 'offer'; infoHash: string; peerId: string; offerId: string; offer: SignalSdp }
  | { kind: 'answer'; infoHash: string; peerId: string; offerId: string; answer: SignalSdp }
  | { kind: 'ignored'; why: string }

/** largest frame read from a tracker: an offer with a long SDP is a few KiB */
export const MAX_TRACKER_FRAME = 256 * 1024

export function toBinaryString(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return s
}

export function fromBinaryString(s: string): Uint8Array {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

export function isId20(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 20) return false
  for (let i = 0; i < 20; i++) if (v.charCodeAt(i) > 0xff) return false
  return true
}

function sdpOf(v: unknown, type: 'offer' | 'answer'): SignalSdp | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const { type: t, sdp } = v as { type?: unknown; sdp?: unknown }
  if (t !== type || typeof sdp !== 'string') return undefined
  return { type, sdp }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

/** Reads one text frame from a tracker into a typed message (never throws). */
export function parseTrackerMessage(text: unknown): TrackerMessage {
  if (typeof text !== 'string') return { kind: 'ignored', why: 'binary frame' }
  if (text.length > MAX_TRACKER_FRAME) return { kind: 'ignored', why: 'frame too large' }
  let m: unknown
  try { m = JSON.parse(text) } catch { return { kind: 'ignored', why: 'not JSON' } }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return { kind: 'ignored', why: 'not an object' }
  const o = m as Record<string, unknown>
  const infoHash = isId20(o.info_hash) ? o.info_hash : undefined
  if (typeof o['failure reason'] === 'string') {
    return { kind: 'failure', reason: o['failure reason'], ...(infoHash ? { infoHash } : {}) }
  }
  if (o.action !== 'announce') return { kind: 'ignored', why: `action ${String(o.action)}` }
  if (!infoHash) return { kind: 'ignored', why: 'bad info_hash' }
  if (o.offer !== undefined || o.answer !== undefined) {
    if (!isId20(o.peer_id) || !isId20(o.offer_id)) return { kind: 'ignored', why: 'bad peer_id or offer_id' }
    const offer = sdpOf(o.offer, 'offer')
    if (offer) return { kind: 'offer', infoHash, peerId: o.peer_id, offerId: o.offer_id, offer }
    const answer = sdpOf(o.answer, 'answer')
    if (answer) return { kind: 'answer', infoHash, peerId: o.peer_id, offerId: o.offer_id, answer }
    return { kind: 'ignored', why: 'malformed offer or answer' }
  }
  const interval = num(o.interval), complete = num(o.complete), incomplete = num(o.incomplete)
  const warning = typeof o['warning message'] === 'string' ? o['warning message'] : undefined
  return {
    kind: 'response', infoHash,
    ...(interval !== undefined ? { interval } : {}),
    ...(complete !== undefined ? { complete } : {}),
    ...(incomplete !== undefined ? { incomplete } : {}),
    ...(warning !== undefined ? { warning } : {}),
  }
}

export interface AnnounceMessage {
  infoHash: string
  peerId: string
  uploaded: number
  downloaded: number
  left: number
  event?: 'started' | 'completed' | 'stopped'
  offers: { offerId: string; sdp: string }[]
}

export function announceMessage(a: AnnounceMessage): string {
  return JSON.stringify({
    action: 'announce', info_hash: a.infoHash, peer_id: a.peerId,
    uploaded: a.uploaded, downloaded: a.downloaded, left: a.left,
    ...(a.event ? { event: a.event } : {}),
    numwant: a.offers.length,
    offers: a.offers.map((o) => ({ offer_id: o.offerId, offer: { type: 'offer', sdp: o.sdp } })),
  })
}

export function answerMessage(a: { infoHash: string; peerId: string; toPeerId: string; offerId: string; sdp: string }): string {
  return JSON.stringify({
    action: 'announce', info_hash: a.infoHash, peer_id: a.peerId, to_peer_id: a.toPeerId,
    offer_id: a.offerId, answer: { type: 'answer', sdp: a.sdp },
  })
}
