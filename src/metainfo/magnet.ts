import { fromBase32, fromHex, toBase32, toHex } from '../util/bytes.js'
import { MetainfoError } from './errors.js'

export interface MagnetPeer {
  host: string
  port: number
}

export interface Magnet {
  infoHash: Uint8Array
  infoHashHex: string
  name?: string
  trackers: string[]
  webSeeds: string[]
  peers: MagnetPeer[]
  /** BEP 53 select-only file indexes, sorted and unique */
  select?: number[]
}

export interface MagnetInput {
  infoHash: Uint8Array | string
  name?: string
  trackers?: string[]
  webSeeds?: string[]
  peers?: MagnetPeer[]
  select?: number[]
}

/** A `so` entry may not name more files than this, so `0-99999999999` cannot hang us. */
const MAX_SELECT = 100_000

/** A bare info hash: 40 hex digits or 32 base32 characters (BEP 9). */
export function parseInfoHash(s: string): Uint8Array | undefined {
  if (/^[0-9a-fA-F]{40}$/.test(s)) return fromHex(s)
  if (/^[A-Za-z2-7]{32}$/.test(s)) return fromBase32(s)
  return undefined
}

/** Parses a BEP 9 magnet link (xt=urn:btih, dn, tr, ws, x.pe) with BEP 53 `so`.
 * Throws only MetainfoError. Unusable peer addresses are skipped; everything that
 * changes what is downloaded (hash, selection) must be valid. */
export function parseMagnet(uri: string): Magnet {
  const m = /^magnet:\?(.*)$/is.exec(uri.trim())
  if (m === null) throw new MetainfoError('not a magnet link (expected "magnet:?")')
  let infoHash: Uint8Array | undefined
  let name: string | undefined
  let select: number[] | undefined
  let sawV2 = false
  const trackers: string[] = []
  const webSeeds: string[] = []
  const peers: MagnetPeer[] = []

  for (const part of m[1]!.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const rawKey = eq < 0 ? part : part.slice(0, eq)
    const rawValue = eq < 0 ? '' : part.slice(eq + 1)
    const key = decodeComponent(rawKey).toLowerCase()
    // Old links number repeated keys: tr.1=…&tr.2=…
    const base = key === 'x.pe' ? key : key.replace(/\.\d+$/, '')
    const value = decodeComponent(base === 'dn' ? rawValue.replace(/\+/g, ' ') : rawValue)
    if (base === 'xt') {
      const hash = /^urn:btih:(.*)$/i.exec(value)
      if (hash !== null) {
        const parsed = parseInfoHash(hash[1]!)
        if (parsed === undefined) throw new MetainfoError(`bad btih info hash "${hash[1]}" (need 40 hex or 32 base32 characters)`)
        infoHash ??= parsed
      } else if (/^urn:btmh:/i.test(value)) {
        sawV2 = true
      }
    } else if (base === 'dn') {
      name ??= value
    } else if (base === 'tr') {
      if (value !== '' && !trackers.includes(value)) trackers.push(value)
    } else if (base === 'ws') {
      if (value !== '' && !webSeeds.includes(value)) webSeeds.push(value)
    } else if (base === 'x.pe') {
      const peer = parsePeer(value)
      if (peer !== undefined) peers.push(peer)
    } else if (base === 'so') {
      select = [...new Set([...(select ?? []), ...parseSelect(value)])].sort((a, b) => a - b)
    }
  }
  if (infoHash === undefined) {
    throw new MetainfoError(sawV2 ? 'v2-only magnet links (urn:btmh) are not supported' : 'magnet link has no xt=urn:btih info hash')
  }
  const magnet: Magnet = { infoHash, infoHashHex: toHex(infoHash), trackers, webSeeds, peers }
  if (name !== undefined) magnet.name = name
  if (select !== undefined) magnet.select = select
  return magnet
}

/** Builds a magnet link; values are percent-encoded so any name or URL survives. */
export function formatMagnet(m: MagnetInput): string {
  const hash = typeof m.infoHash === 'string' ? parseInfoHash(m.infoHash) : m.infoHash
  if (hash === undefined || hash.length !== 20) throw new MetainfoError('info hash must be 20 bytes, 40 hex or 32 base32 characters')
  const parts = [`xt=urn:btih:${toHex(hash)}`]
  if (m.name !== undefined) parts.push(`dn=${encodeURIComponent(m.name)}`)
  for (const t of m.trackers ?? []) parts.push(`tr=${encodeURIComponent(t)}`)
  for (const w of m.webSeeds ?? []) parts.push(`ws=${encodeURIComponent(w)}`)
  for (const p of m.peers ?? []) {
    const host = p.host.includes(':') ? `[${p.host}]` : p.host
    parts.push(`x.pe=${encodeURIComponent(`${host}:${p.port}`)}`)
  }
  if (m.select !== undefined && m.select.length > 0) parts.push(`so=${formatSelect(m.select)}`)
  return 'magnet:?' + parts.join('&')
}

/** Base32 spelling of an info hash, as some magnet links use. */
export const infoHashToBase32 = (hash: Uint8Array): string => toBase32(hash)

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    throw new MetainfoError(`bad percent-encoding in magnet link: "${s.slice(0, 100)}"`)
  }
}

/** `host:port` or `[v6]:port` (BEP 9 x.pe). */
function parsePeer(s: string): MagnetPeer | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:[\]\s/]+):(\d{1,5})$/.exec(s)
  if (m === null) return undefined
  const port = Number(m[2])
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined
}

/** BEP 53: `0,2,4-6` -> [0, 2, 4, 5, 6]. */
function parseSelect(s: string): number[] {
  const out: number[] = []
  for (const item of s.split(',')) {
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(item.trim())
    if (m === null) throw new MetainfoError(`bad so (select-only) entry "${item}"`)
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    if (to < from) throw new MetainfoError(`bad so range "${item}"`)
    if (out.length + (to - from + 1) > MAX_SELECT) throw new MetainfoError(`so selects more than ${MAX_SELECT} files`)
    for (let i = from; i <= to; i++) out.push(i)
  }
  return out
}

/** [0, 2, 4, 5, 6] -> `0,2,4-6`. */
function formatSelect(indexes: readonly number[]): string {
  const sorted = [...new Set(indexes)].filter((i) => Number.isSafeInteger(i) && i >= 0).sort((a, b) => a - b)
  const out: string[] = []
  for (let i = 0; i < sorted.length;) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    out.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`)
    i = j + 1
  }
  return out.join(',')
}
