import type { AnnounceEvent } from './types.js'
import { TrackerRefusal } from './types.js'

/** Messages of the WebSocket tracker protocol (see specs/websocket-tracker.md): JSON text
 * frames whose binary ids are 20-char latin1 strings. Everything is validated here and
 * re-built from known fields, so nothing a client sends is relayed verbatim. */

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
export type WsMessage = WsAnnounce | WsAnswer | WsScrape

/** A refusal that knows which action / info hash it answers, so clients can match it. */
export class WsRefusal extends TrackerRefusal {
  constructor(message: string, readonly action?: 'announce' | 'scrape', readonly infoHash?: string) { super(message) }
}

const MAX_SDP = 32 * 1024

type Json = { [key: string]: unknown }
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

// One code point per byte: every char must be <= 0xff.
const isBinary20 = (v: unknown): v is string => typeof v === 'string' && v.length === 20 && /^[\0-\xff]*$/.test(v)

export function parseWsMessage(text: string, limits: { maxOffers: number; maxScrapeHashes: number; maxNumwant: number }): WsMessage {
  let data: unknown
  try { data = JSON.parse(text) } catch { throw new WsRefusal('invalid JSON') }
  if (!isObject(data)) throw new WsRefusal('message must be a JSON object')
  if (data.action === 'scrape') return parseScrape(data, limits.maxScrapeHashes)
  if (data.action !== 'announce') throw new WsRefusal('unknown action')

  const fail = (reason: string, hash?: string): never => { throw new WsRefusal(reason, 'announce', hash) }
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
  if (list.length === 0) throw new WsRefusal('missing info_hash (full scrape is not offered)', 'scrape')
  if (list.length > maxHashes) throw new WsRefusal(`too many info_hash values (at most ${maxHashes})`, 'scrape')
  for (const h of list) if (!isBinary20(h)) throw new WsRefusal('invalid info_hash: must be 20 bytes', 'scrape')
  return { action: 'scrape', infoHashes: list as string[] }
}

function description(v: unknown, type: 'offer' | 'answer'): SessionDescription | undefined {
  if (!isObject(v) || v.type !== type || typeof v.sdp !== 'string' || v.sdp.length > MAX_SDP) return undefined
  return { type, sdp: v.sdp }
}

/** `{ "failure reason" }`, with the action and info hash when known (clients ignore replies
 * they cannot attribute to a torrent). */
export function encodeWsFailure(err: WsRefusal | TrackerRefusal): string {
  const out: Json = {}
  if (err instanceof WsRefusal) {
    if (err.action) out.action = err.action
    if (err.infoHash) out.info_hash = err.infoHash
  }
  out['failure reason'] = err.message
  return JSON.stringify(out)
}
