/** Joins a torrent to its web seeds (BEP 19; discovery/web-seeds.ts) through the torrent's
 * public face, so torrent.ts needs one line for it: the url-list and `opts.webSeeds` are
 * connected while the torrent downloads, through `addConnection` like any transport, and
 * banned addresses (the torrent's strikes) are never connected again. */
import type { Clock } from '../util/clock.js'
import type { Metainfo } from '../metainfo/index.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { WebSeeds, type WebSeedsOptions } from '../discovery/web-seeds.js'
import type { TorrentState } from './lifecycle.js'

export { WebSeeds }

export interface WebSeedsTorrent {
  readonly ctx: { clock: Clock }
  readonly state: TorrentState
  readonly ready: boolean
  readonly metainfo: Metainfo | undefined
  readonly addresses: { isBanned(addr: PeerAddress): boolean }
  addConnection(conn: Duplex, addr: PeerAddress, initiator: boolean): void
  on(event: 'state', listener: (state: TorrentState) => void): unknown
  emit(event: 'warning', error: Error): unknown
}

export function webSeedsOf(t: WebSeedsTorrent, opts: { webSeeds?: string[] | undefined; webSeedOptions?: WebSeedsOptions | undefined }): WebSeeds {
  const seeds = new WebSeeds({
    clock: t.ctx.clock,
    torrent: () => (t.ready ? t.metainfo : undefined),
    wantsPeers: () => t.state === 'downloading',
    isBanned: (addr) => t.addresses.isBanned(addr),
    addConnection: (conn, addr) => t.addConnection(conn, addr, true),
    warn: (err) => t.emit('warning', err),
  }, opts.webSeedOptions)
  for (const url of opts.webSeeds ?? []) seeds.add(url)
  t.on('state', (state) => { if (state === 'destroyed') seeds.destroy(); else seeds.update() })
  return seeds
}
