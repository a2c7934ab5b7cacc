/** Real-socket helpers for the DHT interop tests: our node on 127.0.0.1 with every
 * destination it sends to recorded, and ports free for both TCP and UDP. */
import dgram from 'node:dgram'
import net from 'node:net'
import { createDht, type Dht, type DhtOptions } from '../../../src/discovery/dht/index.node.js'
import { UdpMux } from '../../../src/transport/udp-mux.node.js'

export interface LoopbackDht {
  dht: Dht
  mux: UdpMux
  destinations: Set<string>
  /** resolves once the node has handled `n` datagrams in all */
  handled(n: number): Promise<void>
  close(): Promise<void>
}

export async function loopbackDht(opts: Partial<Omit<DhtOptions, 'channel'>> = {}): Promise<LoopbackDht> {
  const mux = await UdpMux.bind(0, '127.0.0.1')
  const inner = mux.channel('dht')
  const destinations = new Set<string>()
  let count = 0
  const waiters: { n: number; resolve: () => void }[] = []
  const dht = createDht({
    bootstrap: [], ...opts,
    channel: {
      port: inner.port,
      send: (d, to) => { destinations.add(to.host); inner.send(d, to) },
      onMessage: (h) => inner.onMessage((d, from) => {
        try { h(d, from) } finally {
          count++
          for (const w of waiters.filter((x) => count >= x.n)) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
        }
      }),
    },
  })
  const handled = (n: number) => count >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))
  return { dht, mux, destinations, handled, close: async () => { dht.destroy(); await mux.close() } }
}

/** `n` ports on 127.0.0.1 that are free for TCP and UDP right now. */
export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = []
  while (out.length < n) {
    const server = net.createServer()
    const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)))
    const udp = dgram.createSocket('udp4')
    const ok = await new Promise<boolean>((r) => { udp.once('error', () => r(false)); udp.bind(port, '127.0.0.1', () => r(true)) })
    if (ok) udp.close()
    await new Promise((r) => server.close(r))
    if (ok && !out.includes(port)) out.push(port)
  }
  return out
}

/** Resolves with the first event of `dht` that `match` accepts; rejects after `ms`. */
export function waitForAnnounce(dht: Dht, match: (hashHex: string, port: number) => boolean, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { dht.off('announce', on); reject(new Error('no announce_peer arrived')) }, ms)
    const on = (h: Uint8Array, peer: { port: number }) => {
      if (!match(Buffer.from(h).toString('hex'), peer.port)) return
      clearTimeout(timer); dht.off('announce', on); resolve()
    }
    dht.on('announce', on)
  })
}
