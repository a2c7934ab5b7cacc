/** WebSocket tracker responses (tracker → client, see shared/specs/websocket-tracker.md):
 * the announce reply, relayed offers and answers, scrape, failures. Built by the server,
 * parsed by clients; a client never throws on what a tracker sends, it ignores it. */
import { isBinary20 } from './binary.js'
import { WsRequestError, type SessionDescription } from './ws-request.js'
import type { TrackerError } from './errors.js'
import type { ScrapeCounts } from './types.js'

/** Largest frame a client reads from a tracker: an offer with a long SDP is a few KiB. */
export const MAX_WS_RESPONSE_BYTES = 256 * 1024

export type WsResponse =
  | { kind: 'failure'; infoHash?: string; reason: string }
  | { kind: 'response'; infoHash: string; interval?: number; complete?: number; incomplete?: number; warning?: string }
  | { kind: 'offer'; infoHash: string; peerId: string; offerId: string; offer: SessionDescription }
  | { kind: 'answer'; infoHash: string; peerId: string; offerId: string; answer: SessionDescription }
  | { kind: 'scrape'; files: Map<string, ScrapeCounts> }
  | { kind: 'ignored'; why: string }

// ---- encoding (the server) ----

export function encodeWsAnnounceResponse(r: { infoHash: string; interval: number } & Omit<ScrapeCounts, 'downloaded'>): string {
  return JSON.stringify({ action: 'announce', interval: r.interval, info_hash: r.infoHash, complete: r.complete, incomplete: r.incomplete })
}

/** An offer relayed to one peer; `peerId` is the offerer's. */
export function encodeWsOfferRelay(r: { infoHash: string; peerId: string; offerId: string; offer: SessionDescription }): string {
  return JSON.stringify({ action: 'announce', info_hash: r.infoHash, peer_id: r.peerId, offer_id: r.offerId, offer: r.offer })
}

/** An answer relayed to the offerer; `peerId` is the answerer's. */
export function encodeWsAnswerRelay(r: { infoHash: string; peerId: string; offerId: string; answer: SessionDescription }): string {
  return JSON.stringify({ action: 'announce', info_hash: r.infoHash, peer_id: r.peerId, offer_id: r.offerId, answer: r.answer })
}

export function encodeWsScrapeResponse(files: ReadonlyMap<string, ScrapeCounts>): string {
  const out: { [hash: string]: ScrapeCounts } = {}
  for (const [h, c] of files) out[h] = { complete: c.complete, incomplete: c.incomplete, downloaded: c.downloaded }
  return JSON.stringify({ action: 'scrape', files: out })
}

/** `{ "failure reason" }`, with the action and info hash when known (clients ignore replies
 * they cannot attribute to a torrent). */
export function encodeWsFailure(err: TrackerError): string {
  const out: { [key: string]: string } = {}
  if (err instanceof WsRequestError) {
    if (err.action) out.action = err.action
    if (err.infoHash) out.info_hash = err.infoHash
  }
  out['failure reason'] = err.message
  return JSON.stringify(out)
}

// ---- decoding (clients) ----

function sdpOf(v: unknown, type: 'offer' | 'answer'): SessionDescription | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const { type: t, sdp } = v as { type?: unknown; sdp?: unknown }
  if (t !== type || typeof sdp !== 'string') return undefined
  return { type, sdp }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const count = (v: unknown): number => { const n = num(v); return n !== undefined && n >= 0 ? n : 0 }

/** Reads one frame from a tracker into a typed message (never throws). */
export function parseWsResponse(text: unknown): WsResponse {
  if (typeof text !== 'string') return { kind: 'ignored', why: 'binary frame' }
  if (text.length > MAX_WS_RESPONSE_BYTES) return { kind: 'ignored', why: 'frame too large' }
  let m: unknown
  try { m = JSON.parse(text) } catch { return { kind: 'ignored', why: 'not JSON' } }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return { kind: 'ignored', why: 'not an object' }
  const o = m as Record<string, unknown>
  const infoHash = isBinary20(o.info_hash) ? o.info_hash : undefined
  if (typeof o['failure reason'] === 'string') {
    return { kind: 'failure', reason: o['failure reason'], ...(infoHash ? { infoHash } : {}) }
  }
  if (o.action === 'scrape') return parseScrapeResponse(o.files)
  if (o.action !== 'announce') return { kind: 'ignored', why: `action ${String(o.action)}` }
  if (!infoHash) return { kind: 'ignored', why: 'bad info_hash' }
  if (o.offer !== undefined || o.answer !== undefined) {
    if (!isBinary20(o.peer_id) || !isBinary20(o.offer_id)) return { kind: 'ignored', why: 'bad peer_id or offer_id' }
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

/** Entries keyed by anything but a 20-byte id, or that are not objects, are skipped. */
function parseScrapeResponse(files: unknown): WsResponse {
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return { kind: 'ignored', why: 'scrape without files' }
  const out = new Map<string, ScrapeCounts>()
  for (const [h, c] of Object.entries(files as Record<string, unknown>)) {
    if (!isBinary20(h) || typeof c !== 'object' || c === null) continue
    const v = c as Record<string, unknown>
    out.set(h, { complete: count(v.complete), incomplete: count(v.incomplete), downloaded: count(v.downloaded) })
  }
  return { kind: 'scrape', files: out }
}
