/** Shared pieces of the WebRTC tests: trackers on loopback, clients whose WebRTC binds
 * 127.0.0.1 (the only interface in the test namespace), torrents seeded from memory. */
import { createHash, randomFillSync } from 'node:crypto'
import { TrackerServer } from '../../src/tracker/index.js'
import { BaseClient, type ClientOptions } from '../../src/client/client.js'
import { nodePlatform } from '../../src/client/node-platform.node.js'
import { nodeSignaling, type NodeSignalingOptions } from '../../src/discovery/ws-tracker.node.js'
import { createTorrent, type Metainfo } from '../../src/metainfo/index.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { nodeHasher } from '../../src/util/hasher.node.js'
import type { Torrent } from '../../src/torrent/torrent.js'
import type { WsTrackerSignaling } from '../../src/discovery/ws-tracker.js'

export const LOOPBACK_RTC = { extraConfig: { bindAddress: '127.0.0.1' }, connectTimeoutMs: 8000 }

export async function startWsTracker(opts: { interval?: number } = {}): Promise<{ url: string; server: TrackerServer; close(): Promise<void> }> {
  const server = new TrackerServer({ http: { port: 0, host: '127.0.0.1' }, udp: false, ws: 'http', wsInterval: opts.interval ?? 120 })
  const ports = await server.listen()
  return { url: `ws://127.0.0.1:${ports.ws}`, server, close: () => server.close() }
}

/** The `bittorrent-tracker` npm server, WebSocket only, on loopback. */
export async function startNpmTracker(): Promise<{ url: string; close(): Promise<void> }> {
  const { Server } = await import(NPM_TRACKER) as unknown as { Server: new (o: object) => NpmServer }
  const server = new Server({ udp: false, http: false, ws: true, stats: false, trustProxy: false })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = server.ws.address().port
  return { url: `ws://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) }
}
interface NpmServer {
  once(e: 'error', f: (e: Error) => void): void
  listen(port: number, host: string, cb: () => void): void
  close(cb: () => void): void
  ws: { address(): { port: number } }
}

export function randomBytesOf(size: number): Uint8Array {
  const b = new Uint8Array(size)
  randomFillSync(b)
  return b
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

const NPM_TRACKER = 'bittorrent-tracker' // a variable: the package has no type declarations

export interface TestClient { client: BaseClient; signaling: WsTrackerSignaling; warnings: string[] }

/** A Node hybrid client (TCP + WebRTC) that binds WebRTC to loopback. */
export function hybridClient(opts: ClientOptions = {}, signalingOpts: NodeSignalingOptions = {}): TestClient {
  const signaling = nodeSignaling({ webrtc: LOOPBACK_RTC, minIntervalMs: 2000, ...signalingOpts })
  const client = new BaseClient({ host: '127.0.0.1', port: 0, ...opts }, { ...nodePlatform(), signaling })
  const warnings: string[] = []
  const note = (e: Error) => { if (warnings.length < 50) warnings.push(e.message) }
  signaling.on('warning', note)
  client.on('torrent', (t) => { t.on('warning', note); t.on('error', note) })
  return { client, signaling, warnings }
}

export async function memoryTorrent(data: Uint8Array, announce: string[], name = 'file.bin', pieceLength = 32 * 1024): Promise<{ metainfo: Metainfo; torrent: Uint8Array }> {
  return createTorrent({
    name, files: [{ path: [name], length: data.length }], pieceLength,
    read: async (_f, off, len) => data.subarray(off, off + len), hasher: nodeHasher, announce: [announce],
    creationDate: 0,
  })
}

/** Storage already holding `data`, to seed from memory. */
export async function filledStorage(metainfo: Metainfo, data: Uint8Array): Promise<MemoryStorage> {
  const s = new MemoryStorage({ pieceLength: metainfo.pieceLength, length: metainfo.length, files: metainfo.files })
  for (let i = 0; i < metainfo.pieceCount; i++) {
    const start = i * metainfo.pieceLength
    await s.write(i, 0, data.subarray(start, Math.min(data.length, start + metainfo.pieceLength)))
  }
  return s
}

export async function seedFromMemory(client: BaseClient, metainfo: Metainfo, data: Uint8Array): Promise<Torrent> {
  const storage = await filledStorage(metainfo, data)
  return client.add(metainfo, { seeding: true, createStorage: () => storage })
}

/** Reads a torrent's whole content back from its storage (through the public read path). */
export async function readAll(storage: MemoryStorage, metainfo: Metainfo): Promise<Uint8Array> {
  const out = new Uint8Array(metainfo.length)
  for (let i = 0; i < metainfo.pieceCount; i++) {
    const start = i * metainfo.pieceLength
    const len = Math.min(metainfo.pieceLength, metainfo.length - start)
    out.set(await storage.read(i, 0, len), start)
  }
  return out
}

export function whenDone(t: Torrent, ms: number, ...clients: TestClient[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (t.done && t.ready) { resolve(); return }
    const warnings = () => clients.map((c) => c.warnings.join('; ')).join(' | ')
    const timer = setTimeout(() => reject(new Error(`${t.name} not done after ${ms} ms (progress ${t.progress.toFixed(3)}, peers ${t.numPeers}); warnings: ${warnings()}`)), ms)
    t.once('done', () => { clearTimeout(timer); resolve() })
    t.once('error', (e) => { clearTimeout(timer); reject(e) })
  })
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms) })])
    .finally(() => clearTimeout(timer))
}
