/** Test fixtures for streams: a seeder behind a throttling TCP proxy (a seeder that only
 * serves slowly, so tests can look at a torrent that is not complete yet), and HTTP helpers. */
import { createServer, connect, type Socket } from 'node:net'
import { request } from 'node:http'
import { join } from 'node:path'
import { writeFile, mkdir } from 'node:fs/promises'
import { Client } from '../../src/client/index.node.js'
import type { Torrent } from '../../src/torrent/torrent.js'
import type { Metainfo } from '../../src/metainfo/index.js'
import { tempDir } from '../integration/fixtures.js'
import { toHex } from '../../src/util/bytes.js'

/** Forwards 127.0.0.1:port to `target`, pacing bytes from the target to `bytesPerSecond`. */
export async function throttleProxy(target: number, bytesPerSecond: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((down) => {
    const up = connect(target, '127.0.0.1')
    sockets.add(down); sockets.add(up)
    const queue: Buffer[] = []
    let queued = 0
    const tickMs = 20
    const timer = setInterval(() => {
      let budget = Math.max(1, Math.floor(bytesPerSecond * tickMs / 1000))
      while (budget > 0 && queue.length > 0) {
        const head = queue[0]!
        const n = Math.min(budget, head.length)
        down.write(head.subarray(0, n))
        if (n === head.length) queue.shift(); else queue[0] = head.subarray(n)
        budget -= n; queued -= n
      }
      if (queued < 64 * 1024 && up.isPaused()) up.resume()
    }, tickMs)
    up.on('data', (d: Buffer) => { queue.push(d); queued += d.length; if (queued > 256 * 1024) up.pause() })
    down.on('data', (d: Buffer) => up.write(d))
    const close = () => { clearInterval(timer); up.destroy(); down.destroy(); sockets.delete(up); sockets.delete(down) }
    up.on('close', close).on('error', close)
    down.on('close', close).on('error', close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const a = server.address()
  return {
    port: typeof a === 'object' && a ? a.port : 0,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }),
  }
}

export interface Swarm {
  seeder: Client
  leecher: Client
  metainfo: Metainfo
  /** the .torrent bytes */
  torrentFile: Uint8Array
  torrent: Torrent
  /** the seeder's own data folder */
  seedDir: string
  proxyPort: number
  close(): Promise<void>
}

/** A seeder of `files` (name -> bytes, one file alone or several in a folder `name`) and a
 * leecher that reaches it only through a throttled proxy. `magnet`: the leecher starts from
 * the info hash and fetches the metadata from the peer. */
export async function slowSwarm(files: Record<string, Uint8Array>, opts: { rate: number; pieceLength?: number; folder?: string; magnet?: boolean; select?: number[]; sequential?: boolean }): Promise<Swarm> {
  const seedTmp = await tempDir('swarmstream-seed-')
  const leechTmp = await tempDir('swarmstream-leech-')
  const names = Object.keys(files)
  let path: string
  if (opts.folder) {
    path = join(seedTmp.path, opts.folder)
    for (const n of names) { await mkdir(join(path, n, '..'), { recursive: true }); await writeFile(join(path, n), files[n]!) }
  } else {
    path = join(seedTmp.path, names[0]!)
    await writeFile(path, files[names[0]!]!)
  }
  const seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  const seeded = await seeder.seed(path, { pieceLength: opts.pieceLength ?? 32768 }).whenReady()
  const metainfo = seeded.metainfo!, torrentFile = seeded.torrentFile!
  await seeder.ready()
  const proxy = await throttleProxy(seeder.port, opts.rate)
  const leecher = new Client({ port: false, trackers: false })
  const torrent = await leecher.add(opts.magnet ? `magnet:?xt=urn:btih:${toHex(metainfo.infoHash)}` : metainfo, {
    path: leechTmp.path, peers: [{ host: '127.0.0.1', port: proxy.port }],
    ...(opts.select ? { select: opts.select } : {}),
    ...(opts.sequential ? { sequential: true } : {}),
  })
  return {
    seeder, leecher, metainfo, torrentFile, torrent, seedDir: seedTmp.path, proxyPort: proxy.port,
    close: async () => {
      await leecher.destroy(); await seeder.destroy(); await proxy.close()
      await seedTmp.cleanup(); await leechTmp.cleanup()
    },
  }
}

export interface HttpResult { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** A plain HTTP request with any headers (fetch would not let us set Host). `firstByte`
 * resolves when the first body byte arrives. */
export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpResult> & { firstByte: Promise<void> } {
  let onFirst: () => void = () => undefined
  const firstByte = new Promise<void>((r) => { onFirst = r })
  const p = new Promise<HttpResult>((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => { if (chunks.length === 0) onFirst(); chunks.push(d) })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    const t = setTimeout(() => req.destroy(new Error(`request timed out: ${url}`)), opts.timeoutMs ?? 20_000)
    req.on('close', () => clearTimeout(t))
    req.on('error', reject)
    req.end()
  })
  return Object.assign(p, { firstByte })
}
