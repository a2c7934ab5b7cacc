/** The `webtorrent` npm client (v3; WebRTC through node-datachannel) locked down for
 * loopback tests: no DHT, LSD, UPnP, NAT-PMP, PEX or web seeds, plain handshakes, and only
 * the announce URL we give it. */
import { Buffer } from 'node:buffer'

export interface WtTorrent {
  done: boolean
  progress: number
  numPeers: number
  on(e: 'done' | 'ready', f: () => void): void
  on(e: 'wire', f: (wire: unknown, addr: string) => void): void
  on(e: 'error' | 'warning', f: (e: Error | string) => void): void
}
export interface WtClient {
  add(torrent: Buffer, opts: { path: string; announce: string[] }, cb?: (t: WtTorrent) => void): WtTorrent
  destroy(cb: (err?: Error) => void): void
  on(e: 'error', f: (e: Error) => void): void
}

const WEBTORRENT = 'webtorrent' // a variable: the package has no type declarations

export async function webtorrentClient(): Promise<WtClient> {
  const { default: WebTorrent } = await import(WEBTORRENT) as unknown as { default: new (o: object) => WtClient }
  const client = new WebTorrent({
    dht: false, lsd: false, natUpnp: false, natPmp: false, utPex: false, webSeeds: false, utp: false, secure: 0,
    // libdatachannel leaves loopback out of its candidates unless bound to it
    tracker: { rtcConfig: { bindAddress: '127.0.0.1', iceServers: [] } },
    torrentPort: 0,
  })
  client.on('error', () => undefined)
  return client
}

export function wtDone(t: WtTorrent, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (t.done) { resolve(); return }
    const timer = setTimeout(() => reject(new Error(`webtorrent not done after ${ms} ms (progress ${t.progress}, peers ${t.numPeers})`)), ms)
    t.on('done', () => { clearTimeout(timer); resolve() })
    t.on('error', (e) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(e)) })
  })
}

export function wtDestroy(c: WtClient): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 5000)
    c.destroy(() => { clearTimeout(t); resolve() })
  })
}

export const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)
