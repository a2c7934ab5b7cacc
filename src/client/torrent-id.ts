/** What a torrent id names. Magnet links, info hashes, .torrent bytes and parsed metainfo
 * are read at once (so `client.add` knows the info hash before it returns); a .torrent path,
 * a Blob or an http(s) URL is read by the platform, later. Malformed ids throw here, at once. */
import { parseMagnet, parseInfoHash, parseTorrent, type Metainfo } from '../metainfo/index.js'
import type { PeerAddress } from '../transport/types.js'
import { ClientError } from './errors.js'

export type TorrentId = string | Uint8Array | Metainfo | Blob

export interface ParsedId {
  infoHash: Uint8Array
  metainfo?: Metainfo
  /** the .torrent bytes, when the id was one */
  torrentFile?: Uint8Array
  name?: string
  trackers: string[]
  peers: PeerAddress[]
  select?: number[]
  /** web seeds (BEP 19) a magnet's ws= named */
  webSeeds?: string[]
}

/** How a platform reads ids that need I/O. */
export interface IdReader {
  /** a .torrent file by path (Node) */
  readTorrentFile?(path: string): Promise<Uint8Array>
  /** a .torrent by http(s) URL */
  fetchTorrent?(url: string): Promise<Uint8Array>
}

export function parseTorrentId(id: TorrentId, reader: IdReader): ParsedId | Promise<ParsedId> {
  if (id instanceof Uint8Array) {
    // 20 bytes are an info hash, as WebTorrent reads them
    if (id.length === 20) return { infoHash: id.slice(), trackers: [], peers: [] }
    return fromTorrentFile(id)
  }
  if (typeof Blob !== 'undefined' && id instanceof Blob) return id.arrayBuffer().then((b) => fromTorrentFile(new Uint8Array(b)))
  if (typeof id !== 'string') {
    if (!isMetainfo(id)) throw new ClientError('not a torrent id: want a magnet link, an info hash, a .torrent path, URL or bytes, or parsed metainfo')
    return { infoHash: id.infoHash, metainfo: id, trackers: [], peers: [] }
  }
  if (id.startsWith('magnet:')) {
    const m = parseMagnet(id)
    return { infoHash: m.infoHash, ...(m.name ? { name: m.name } : {}), trackers: m.trackers, peers: m.peers, ...(m.select ? { select: m.select } : {}), ...(m.webSeeds.length > 0 ? { webSeeds: m.webSeeds } : {}) }
  }
  const hash = parseInfoHash(id)
  if (hash) return { infoHash: hash, trackers: [], peers: [] }
  if (/^https?:\/\//i.test(id)) {
    if (!reader.fetchTorrent) throw new ClientError(`cannot fetch ${id}: this build does not download .torrent files over HTTP yet; download it and give its path`)
    return reader.fetchTorrent(id).then(fromTorrentFile)
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(id)) throw new ClientError(`not a torrent id: ${id} (URLs of this scheme are not supported)`)
  if (!reader.readTorrentFile) throw new ClientError(`not a magnet link or info hash: ${id}`)
  return reader.readTorrentFile(id).then(fromTorrentFile)
}

function fromTorrentFile(bytes: Uint8Array): ParsedId {
  const m = parseTorrent(bytes)
  return { infoHash: m.infoHash, metainfo: m, torrentFile: bytes, trackers: [], peers: [] }
}

function isMetainfo(v: unknown): v is Metainfo {
  const m = v as Partial<Metainfo> | null
  return typeof m === 'object' && m !== null && m.infoHash instanceof Uint8Array && m.infoBytes instanceof Uint8Array && Array.isArray(m.files)
}

/** The info hash an id names, when it can be told at once (for `client.get`). */
export function infoHashOf(id: TorrentId): Uint8Array | undefined {
  if (typeof Blob !== 'undefined' && id instanceof Blob) return undefined
  try {
    const parsed = parseTorrentId(id, {})
    return parsed instanceof Promise ? undefined : parsed.infoHash
  } catch {
    return undefined
  }
}
