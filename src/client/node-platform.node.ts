import { readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClientError } from './errors.js'
import { WorkerHasher } from '../util/hasher-pool.node.js'
import { connectTcp, listenTcp } from '../transport/tcp.node.js'
import { FsStorage } from '../storage/fs.node.js'
import { announceHttp } from '../discovery/http-tracker.js'
import { UdpTrackerClient } from '../discovery/udp-tracker.node.js'
import type { ClientPlatform } from './client.js'
import { mseLayer } from './encryption.js'
import { nodeSignaling, type NodeSignalingOptions } from '../discovery/ws-tracker.node.js'
import { nodeFileAdapters } from '../stream/node-stream.node.js'
import { UdpMux } from '../transport/udp-mux.node.js'
import { startNodeDht } from './dht.node.js'
import { fetchTorrent } from './fetch-torrent.js'
import { LocalDiscovery } from '../discovery/lsd.node.js'

/** Node's parts: TCP peers, files on disk, HTTP and UDP trackers, node:crypto hashing. */
export function nodePlatform(opts: { trackers?: boolean; webrtc?: NodeSignalingOptions } = {}): ClientPlatform {
  const udp = opts.trackers === false ? undefined : new UdpTrackerClient()
  const hasher = new WorkerHasher(1)
  const signaling = opts.trackers === false ? undefined : nodeSignaling(opts.webrtc)
  // one UDP socket for the DHT and uTP, on the TCP port when it is free (as libtorrent does)
  let mux: Promise<UdpMux> | undefined
  const bindUdp = (port: number, host: string) => mux ??= UdpMux.bind(port, host).catch(() => UdpMux.bind(0, host))
  return {
    hasher,
    createStorage: (layout, path, infoHashHex) => new FsStorage(path, layout, { partsId: infoHashHex }),
    connect: (addr, { signal }) => connectTcp(addr, { signal, timeoutMs: 10_000 }),
    encryption: mseLayer,
    listen: async (port, host, onConnection) => listenTcp(port, host, (socket) =>
      onConnection(socket, { host: normalizeHost(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 })),
    trackerTransports: { http: announceHttp, ...(udp ? { udp } : {}) },
    // WebRTC peers through ws:// and wss:// trackers (hybrid: TCP and WebRTC in one torrent)
    ...(signaling ? { signaling } : {}),
    fileAdapters: nodeFileAdapters,
    startLsd: (o) => LocalDiscovery.start(o),
    startDht: async (port, host, clock, options) => startNodeDht(await bindUdp(port, host), clock, options),
    readTorrentFile,
    fetchTorrent,
    // like WebTorrent's <tmpdir>/webtorrent: never the current folder unless asked
    defaultPath: join(tmpdir(), 'swarmstream'),
    close: async () => {
      udp?.close()
      await signaling?.destroy()
      await hasher.close()
      await (await mux?.catch(() => undefined))?.close()
    },
  }
}

function normalizeHost(h: string): string {
  return h.startsWith('::ffff:') ? h.slice(7) : h
}

/** .torrent files are small: anything bigger is not one (and must not fill memory). */
const MAX_TORRENT_FILE = 64 * 1024 * 1024

/** Reads a .torrent file, with errors that say what the path really is. */
export async function readTorrentFile(path: string): Promise<Uint8Array> {
  let info
  try {
    info = await stat(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ClientError(code === 'ENOENT' ? `no such file: ${path}` : code === 'EACCES' ? `cannot read ${path}: permission denied` : (err as Error).message)
  }
  if (info.isDirectory()) throw new ClientError(`${path} is a folder, not a .torrent file (to make a torrent of it: swarmstream create ${path})`)
  if (info.size > MAX_TORRENT_FILE) throw new ClientError(`${path} is ${info.size} bytes: too big for a .torrent file`)
  return new Uint8Array(await readFile(path))
}
