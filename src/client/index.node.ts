import { basename, dirname, resolve } from 'node:path'
import { BaseClient, type AddOptions, type ClientOptions, type TorrentCallback } from './client.js'
import { nodePlatform, readTorrentFile } from './node-platform.node.js'
import type { NodeSignalingOptions } from '../discovery/ws-tracker.node.js'
import { createTorrentFromPath, parseTorrent } from '../metainfo/index.node.js'
import { ClientError } from './errors.js'
import type { Torrent } from '../torrent/torrent.js'
import { toTiers } from '../torrent/tiers.js'
import type { ParsedId } from './torrent-id.js'
import { StreamServer, type StreamServerOptions } from '../stream/http-server.node.js'

export interface SeedOptions extends AddOptions {
  /** an existing .torrent (path or bytes) describing the data; default: create one */
  torrent?: string | Uint8Array
  /** tiers for the new torrent (WebTorrent/create-torrent's name; `announce` works too) */
  announceList?: string[][]
  pieceLength?: number
  private?: boolean
  comment?: string
  createdBy?: string
}

export interface NodeClientOptions extends ClientOptions {
  /** WebRTC peers through ws:// trackers: ICE servers, `extraConfig: { bindAddress }` (a
   * machine whose only interface is loopback needs '127.0.0.1'), offers per announce… */
  webrtc?: NodeSignalingOptions
}

/** The Node client: TCP to the BitTorrent network and WebRTC to browsers, files on disk. */
export class Client extends BaseClient {
  constructor(options: NodeClientOptions = {}) {
    const trackers = options.trackers !== false && options.tracker !== false
    super(options, nodePlatform({ trackers, ...(options.webrtc ? { webrtc: options.webrtc } : {}) }))
  }

  /** An HTTP server for this client's torrents (Range requests, index pages); call
   * `listen()` on it. Binds 127.0.0.1 unless told otherwise. */
  createServer(opts: StreamServerOptions = {}): StreamServer {
    return new StreamServer(this, opts)
  }

  /** Seeds a file or folder, and returns the torrent at once (as WebTorrent does; its
   * metadata comes once the data is hashed). Without `torrent`, hashes the data into a new
   * torrent (and needs no check); with it, verifies the data on disk against it first.
   * `onseed` runs once it seeds (ready, every piece there). */
  seed(path: string, opts?: SeedOptions | TorrentCallback, onseed?: TorrentCallback): Torrent {
    if (typeof opts === 'function') return this.seed(path, {}, opts)
    const o = opts ?? {}
    const full = resolve(path)
    const { torrent: given, announceList, pieceLength, private: isPrivate, comment, createdBy, ...addOpts } = o
    const tiers = announceList ?? toTiers(o.announce)
    const parsed = seedSource(full, given, { tiers, pieceLength, isPrivate, comment, createdBy })
    const torrent = this.addParsed(parsed, { ...addOpts, path: dirname(full), seeding: given === undefined })
    if (onseed) torrent.whenDone().then(onseed, () => undefined)
    return torrent
  }
}

async function seedSource(full: string, given: string | Uint8Array | undefined, o: {
  tiers: string[][]; pieceLength?: number | undefined; isPrivate?: boolean | undefined; comment?: string | undefined; createdBy?: string | undefined
}): Promise<ParsedId> {
  if (given !== undefined) {
    const torrentFile = typeof given === 'string' ? await readTorrentFile(given) : given
    const metainfo = parseTorrent(torrentFile)
    if (metainfo.name !== basename(full)) {
      throw new ClientError(`the torrent describes "${metainfo.name}" but the path is "${basename(full)}"`)
    }
    return { infoHash: metainfo.infoHash, metainfo, torrentFile, trackers: [], peers: [] }
  }
  const created = await createTorrentFromPath(full, {
    ...(o.tiers.length ? { announce: o.tiers } : {}),
    ...(o.pieceLength ? { pieceLength: o.pieceLength } : {}),
    ...(o.isPrivate ? { private: true } : {}),
    ...(o.comment ? { comment: o.comment } : {}),
    ...(o.createdBy ? { createdBy: o.createdBy } : {}),
  })
  return { infoHash: created.metainfo.infoHash, metainfo: created.metainfo, torrentFile: created.torrent, trackers: [], peers: [] }
}

export type { ClientOptions, AddOptions }
export type { StreamServerOptions }
