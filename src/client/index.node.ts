import { basename, dirname, resolve } from 'node:path'
import { readFile } from 'node:fs/promises'
import { BaseClient, type AddOptions, type ClientOptions } from './client.js'
import { nodePlatform } from './node-platform.node.js'
import type { NodeSignalingOptions } from '../discovery/ws-tracker.node.js'
import { createTorrentFromPath, parseTorrent, type Metainfo } from '../metainfo/index.node.js'
import { ClientError } from './errors.js'
import type { Torrent } from '../torrent/torrent.js'
import { StreamServer, type StreamServerOptions } from '../stream/http-server.node.js'

export interface SeedOptions extends AddOptions {
  /** an existing .torrent (path or bytes) describing the data; default: create one */
  torrent?: string | Uint8Array
  announce?: string[][]
  pieceLength?: number
  private?: boolean
  comment?: string
}

export interface NodeClientOptions extends ClientOptions {
  /** WebRTC peers through ws:// trackers: ICE servers, `extraConfig: { bindAddress }` (a
   * machine whose only interface is loopback needs '127.0.0.1'), offers per announce… */
  webrtc?: NodeSignalingOptions
}

/** The Node client: TCP to the BitTorrent network and WebRTC to browsers, files on disk. */
export class Client extends BaseClient {
  constructor(options: NodeClientOptions = {}) {
    super(options, nodePlatform({ trackers: options.trackers !== false, ...(options.webrtc ? { webrtc: options.webrtc } : {}) }))
  }

  /** An HTTP server for this client's torrents (Range requests, index pages); call
   * `listen()` on it. Binds 127.0.0.1 unless told otherwise. */
  createServer(opts: StreamServerOptions = {}): StreamServer {
    return new StreamServer(this, opts)
  }

  /** Seeds a file or folder. Without `torrent`, hashes the data into a new torrent (and
   * needs no check); with it, verifies the data on disk against it first. */
  async seed(path: string, opts: SeedOptions = {}): Promise<{ torrent: Torrent; torrentFile: Uint8Array; metainfo: Metainfo }> {
    const full = resolve(path)
    let torrentFile: Uint8Array
    let metainfo: Metainfo
    if (opts.torrent !== undefined) {
      torrentFile = typeof opts.torrent === 'string' ? new Uint8Array(await readFile(opts.torrent)) : opts.torrent
      metainfo = parseTorrent(torrentFile)
      if (metainfo.name !== basename(full)) {
        throw new ClientError(`the torrent describes "${metainfo.name}" but the path is "${basename(full)}"`)
      }
    } else {
      const created = await createTorrentFromPath(full, {
        ...(opts.announce ? { announce: opts.announce } : {}),
        ...(opts.pieceLength ? { pieceLength: opts.pieceLength } : {}),
        ...(opts.private ? { private: true } : {}),
        ...(opts.comment ? { comment: opts.comment } : {}),
      })
      torrentFile = created.torrent
      metainfo = created.metainfo
    }
    const { torrent: _t, announce: _a, pieceLength: _p, private: _pr, comment: _c, ...addOpts } = opts
    const torrent = await this.add(metainfo, {
      ...addOpts,
      ...(opts.torrent !== undefined && opts.announce ? { announce: opts.announce } : {}),
      path: dirname(full),
      seeding: opts.torrent === undefined,
    })
    return { torrent, torrentFile, metainfo }
  }
}

export type { ClientOptions, AddOptions }
export type { StreamServerOptions }
