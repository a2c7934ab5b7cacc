/** The `bittorrent-dht` npm package (webtorrent's DHT) as a second implementation, on 127.0.0.1. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes, toHex } from '../../../src/util/bytes.js'
import { loopbackDht, waitForAnnounce } from './udp-helpers.js'

interface BtDht {
  listen(port: number, host: string, cb: () => void): void
  address(): { port: number }
  announce(infoHash: string, port: number, cb: (err: Error | null) => void): void
  lookup(infoHash: string, cb?: (err: Error | null) => void): void
  on(event: 'peer', fn: (peer: { host: string; port: number }, infoHash: Buffer) => void): void
  on(event: 'ready' | 'error' | 'warning', fn: (arg?: unknown) => void): void
  once(event: 'ready', fn: () => void): void
  ready: boolean
  destroy(cb?: () => void): void
}
const moduleName = 'bittorrent-dht'
const BtDhtCtor = ((await import(moduleName)) as { default: new (opts: object) => BtDht }).default

async function startBtDht(bootstrap: string[]): Promise<BtDht> {
  const d = new BtDhtCtor({ bootstrap, host: false })
  d.on('error', () => undefined)
  await new Promise<void>((r) => d.listen(0, '127.0.0.1', r))
  if (!d.ready) await new Promise<void>((r) => d.once('ready', r))
  return d
}

test('bittorrent-dht nodes answer our lookups, find our announces, and we find theirs', { timeout: 60_000 }, async () => {
  const a = await loopbackDht() // the bittorrent-dht nodes bootstrap at A and at each other
  const bt: BtDht[] = []
  try {
    for (let i = 0; i < 4; i++) bt.push(await startBtDht([`127.0.0.1:${a.dht.port}`, ...bt.map((d) => `127.0.0.1:${d.address().port}`)]))
    const b = await loopbackDht({ bootstrap: bt.map((d) => ({ host: '127.0.0.1', port: d.address().port })) })
    try {
      assert.ok(await b.dht.bootstrap() >= 4)

      // bittorrent-dht announces; A (one of the 5 nodes, all among the closest 8) stores it,
      // and B finds it through the bittorrent-dht nodes' get_peers answers
      const theirs = randomBytes(20)
      const stored = waitForAnnounce(a.dht, (h, p) => h === toHex(theirs) && p === 7001)
      await new Promise<void>((resolve, reject) => bt[1]!.announce(toHex(theirs), 7001, (err) => (err ? reject(err) : resolve())))
      await stored
      const peers = await b.dht.lookup(theirs)
      assert.deepEqual(peers, [{ host: '127.0.0.1', port: 7001 }])

      // we announce; a bittorrent-dht lookup finds us
      const ours = randomBytes(20)
      const r = await b.dht.announce(ours, 6543)
      assert.ok(r.announced >= 4, `announced to ${r.announced}`)
      const found = await new Promise<{ host: string; port: number }>((resolve) => {
        bt[3]!.on('peer', (peer, infoHash) => { if (toHex(infoHash) === toHex(ours)) resolve(peer) })
        bt[3]!.lookup(toHex(ours))
      })
      assert.deepEqual({ host: found.host, port: found.port }, { host: '127.0.0.1', port: 6543 })

      for (const d of [a, b]) assert.deepEqual([...d.destinations], ['127.0.0.1'])
      assert.equal(b.dht.stats.malformed + b.dht.stats.unmatched, 0)
    } finally { await b.close() }
  } finally {
    await Promise.all(bt.map((d) => new Promise<void>((r) => d.destroy(() => r()))))
    await a.close()
  }
})
