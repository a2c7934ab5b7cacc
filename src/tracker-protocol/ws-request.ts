/** WebSocket tracker requests (client → tracker, see shared/specs/websocket-tracker.md):
 * announce with offers, answer, scrape. JSON text frames whose binary ids are 20-char
 * latin1 strings. The server validates everything here and rebuilds messages from known
 * fields, so nothing a client sends is relayed verbatim. */
import { isBinary20 } from './binary.js'
import { TrackerError } from './errors.js'
import type { AnnounceEvent } from './types.js'

export interface SessionDescription { type: 'offer' | 'answer'; sdp: string }
export interface WsOffer { offerId: string; offer: SessionDescription }

export interface WsAnnounce {
  action: 'announce'
  infoHash: string
  peerId: string
  uploaded: number
  downloaded: number
  left: number
  event: AnnounceEvent
  numwant: number
  offers: WsOffer[]
}
export interface WsAnswer {
  action: 'answer'
  infoHash: string
  peerId: string
  toPeerId: string
  offerId: string
  answer: SessionDescription
}
export interface WsScrape { action: 'scrape'; infoHashes: string[] }
export type WsRequest = WsAnnounce | WsAnswer | WsScrape

/** What the server reads of one request. */
export interface WsRequestLimits { maxOffers: number; maxScrapeHashes: number; maxNumwant: number }

/** A refusal that knows which action / info hash it answers, so clients can match it. */
export class WsRequestError extends TrackerError {
  constructor(message: string, readonly action?: 'announce' | 'scrape', readonly infoHash?: string) { super(message) }
}

/** Longest SDP accepted in an offer or answer. */
export const MAX_SDP = 32 * 1024

// ---- encoding (clients) ----

export function encodeWsAnnounce(a: Omit<WsAnnounce, 'action'>): string {
  return JSON.stringify({
    action: 'announce', info_hash: a.infoHash, peer_id: a.peerId,
    uploaded: a.uploaded, downloaded: a.downloaded, left: a.left,
    ...(a.event !== 'none' ? { event: a.event } : {}),
    numwant: a.numwant,
    offers: a.offers.map((o) => ({ offer_id: o.offerId, offer: { type: o.offer.type, sdp: o.offer.sdp } })),
  })
}

/** An answer goes out as an `announce` carrying `to_peer_id` (the offerer). */
export function encodeWsAnswer(a: Omit<WsAnswer, 'action'>): string {
  return JSON.stringify({
    action: 'announce', info_hash: a.infoHash, peer_id: a.peerId, to_peer_id: a.toPeerId,
    offer_id: a.offerId, answer: { type: a.answer.type, sdp: a.answer.sdp },
  })
}

export function encodeWsScrape(infoHashes: readonly string[]): string {
  return JSON.stringify({ action: 'scrape', info_hash: infoHashes.length === 1 ? infoHashes[0] : infoHashes })
}

// ---- decoding (the server) ----

type Json = { [key: string]: unknown }
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export function parseWsRequest(text: string, limits: WsRequestLimits): WsRequest {
  let data: unknown
  try { data = JSON.parse(text) } catch { throw new WsRequestError('invalid JSON') }
  if (!isObject(data)) throw new WsRequestError('message must be a JSON object')
  if (data.action === 'scrape') return parseScrape(data, limits.maxScrapeHashes)
  if (data.action !== 'announce') throw new WsRequestError('unknown action')

  const fail = (reason: string, hash?: string): never => { throw new WsRequestError(reason, 'announce', hash) }
  if (!isBinary20(data.info_hash)) fail('invalid info_hash: must be 20 bytes')
  const infoHash = data.info_hash as string
  if (!isBinary20(data.peer_id)) fail('invalid peer_id: must be 20 bytes', infoHash)
  const peerId = data.peer_id as string

  if (data.answer !== undefined) {
    if (!isBinary20(data.to_peer_id)) fail('invalid to_peer_id: must be 20 bytes', infoHash)
    if (!isBinary20(data.offer_id)) fail('invalid offer_id: must be 20 bytes', infoHash)
    const answer = description(data.answer, 'answer')
    if (!answer) fail('invalid answer', infoHash)
    return { action: 'answer', infoHash, peerId, toPeerId: data.to_peer_id as string, offerId: data.offer_id as string, answer: answer! }
  }

  const num = (name: string, fallback: number): number => {
    const v = data[name]
    if (v === undefined || v === null) return fallback
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) fail(`invalid ${name}`, infoHash)
    return Math.min(v as number, Number.MAX_SAFE_INTEGER)
  }
  const event = data.event
  if (event !== undefined && event !== null && event !== 'started' && event !== 'completed' && event !== 'stopped' && event !== '') {
    fail('invalid event', infoHash)
  }
  const offers: WsOffer[] = []
  if (data.offers !== undefined && data.offers !== null) {
    if (!Array.isArray(data.offers)) fail('offers must be a list', infoHash)
    for (const o of (data.offers as unknown[]).slice(0, limits.maxOffers)) {
      if (!isObject(o) || !isBinary20(o.offer_id)) fail('invalid offer_id: must be 20 bytes', infoHash)
      const offer = description((o as Json).offer, 'offer')
      if (!offer) fail('invalid offer', infoHash)
      offers.push({ offerId: (o as Json).offer_id as string, offer: offer! })
    }
  }
  return {
    action: 'announce', infoHash, peerId,
    uploaded: num('uploaded', 0),
    downloaded: num('downloaded', 0),
    // webtorrent sends `left: null` before it has the metadata: a leecher.
    left: num('left', Number.MAX_SAFE_INTEGER),
    event: (typeof event === 'string' && event !== '' ? event : 'none') as AnnounceEvent,
    numwant: Math.min(Math.floor(num('numwant', offers.length)), limits.maxNumwant),
    offers,
  }
}

function parseScrape(data: Json, maxHashes: number): WsScrape {
  const raw = data.info_hash
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
  if (list.length === 0) throw new WsRequestError('missing info_hash (full scrape is not offered)', 'scrape')
  if (list.length > maxHashes) throw new WsRequestError(`too many info_hash values (at most ${maxHashes})`, 'scrape')
  for (const h of list) if (!isBinary20(h)) throw new WsRequestError('invalid info_hash: must be 20 bytes', 'scrape')
  return { action: 'scrape', infoHashes: list as string[] }
}

function description(v: unknown, type: 'offer' | 'answer'): SessionDescription | undefined {
  if (!isObject(v) || v.type !== type || typeof v.sdp !== 'string' || v.sdp.length > MAX_SDP) return undefined
  return { type, sdp: v.sdp }
}
