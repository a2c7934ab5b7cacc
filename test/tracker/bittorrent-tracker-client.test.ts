/** The `bittorrent-tracker` npm client (webtorrent's) against our three endpoints. */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { startTracker, until } from './helpers.js'

interface TrackerClient {
  on(event: string, fn: (...args: never[]) => void): void
  start(): void
  scrape(): void
  update(): void
  stop(): void
  destroy(cb?: () => void): void
}
type ClientCtor = new (opts: Record<string, unknown>) => TrackerClient
// Untyped package: imported through a string so the type checker does not look for declarations.
const clientModule = 'bittorrent-tracker'
const TrackerClientCtor = ((await import(clientModule)) as { default: unknown }).default as ClientCtor

function makeClient(announce: string, infoHash: string, port: number, extra: Record<string, unknown> = {}) {
  // No STUN servers (simple-peer's defaults are public ones) and a loopback host candidate:
  // libjuice skips loopback interfaces unless bound to one, and the test namespace has only lo.
  const rtcConfig = { iceServers: [], bindAddress: '127.0.0.1' }
  const client = new TrackerClientCtor({ infoHash, peerId: randomBytes(20).toString('hex'), announce: [announce], port, rtcConfig, ...extra })
  const events = { updates: [] as Record<string, unknown>[], peers: [] as string[], scrapes: [] as Record<string, unknown>[], warnings: [] as string[], errors: [] as string[] }
  client.on('update', ((d: Record<string, unknown>) => events.updates.push(d)) as never)
  client.on('peer', ((p: unknown) => events.peers.push(typeof p === 'string' ? p : 'webrtc')) as never)
  client.on('scrape', ((d: Record<string, unknown>) => events.scrapes.push(d)) as never)
  client.on('warning', ((e: Error) => events.warnings.push(e.message)) as never)
  client.on('error', ((e: Error) => events.errors.push(e.message)) as never)
  return { client, events }
}

// node-datachannel's native threads keep the process alive until cleaned up.
after(async () => {
  const name = 'node-datachannel'
  const ndc = (await import(name)) as { cleanup?: () => void; default?: { cleanup?: () => void } }
  ;(ndc.cleanup ?? ndc.default?.cleanup)?.()
})

const destroy = (c: TrackerClient): Promise<void> => new Promise((r) => { c.destroy(() => r()); setTimeout(r, 1000).unref() })

for (const transport of ['http', 'udp'] as const) {
  test(`bittorrent-tracker client: ${transport} announce, peer lists, counts and scrape`, { timeout: 20_000 }, async () => {
    const { server, ports } = await startTracker({ interval: 60 })
    const url = transport === 'http' ? `http://127.0.0.1:${ports.http}/announce` : `udp://127.0.0.1:${ports.udp}`
    const infoHash = randomBytes(20).toString('hex')
    const a = makeClient(url, infoHash, 6881, { getAnnounceOpts: () => ({ left: 0 }) }) // a seeder
    const b = makeClient(url, infoHash, 6882)
    try {
      a.client.start()
      assert.ok(await until(() => a.events.updates.length >= 1, 5000), 'first announce answered')
      b.client.start()
      assert.ok(await until(() => b.events.peers.includes('127.0.0.1:6881'), 5000), `b learns a: ${b.events.peers}`)
      const u = b.events.updates[0]!
      assert.equal(u.complete, 1)
      assert.equal(u.incomplete, 1)
      a.client.update()
      assert.ok(await until(() => a.events.peers.includes('127.0.0.1:6882'), 5000), `a learns b: ${a.events.peers}`)
      b.client.scrape()
      assert.ok(await until(() => b.events.scrapes.length >= 1, 5000), 'scrape answered')
      const s = b.events.scrapes[0]!
      assert.equal(s.complete, 1)
      assert.equal(s.incomplete, 1)
      assert.deepEqual(a.events.errors.concat(b.events.errors, a.events.warnings, b.events.warnings), [])
      const st = server.stats()
      assert.equal(st[transport], 2)
      assert.equal(st.seeders, 1)
      b.client.stop()
      assert.ok(await until(() => server.stats().leechers === 0, 5000), 'stopped peer leaves the swarm')
    } finally {
      await destroy(a.client); await destroy(b.client); await server.close()
    }
  })
}

test('bittorrent-tracker client: WebSocket announce, offer/answer relay, WebRTC peers meet, scrape', { timeout: 40_000 }, async () => {
  const { server, ports } = await startTracker({ interval: 60 })
  const url = `ws://127.0.0.1:${ports.ws}`
  const infoHash = randomBytes(20).toString('hex')
  const a = makeClient(url, infoHash, 6881)
  const b = makeClient(url, infoHash, 6882)
  try {
    a.client.start()
    assert.ok(await until(() => a.events.updates.length >= 1 && server.stats().ws === 1, 10_000), 'a announced')
    b.client.start()
    // b's offers are relayed to a; a's answer goes back to b; both get a connected WebRTC peer.
    assert.ok(await until(() => a.events.peers.length >= 1 && b.events.peers.length >= 1, 25_000),
      `peers met over WebRTC (a ${a.events.peers.length}, b ${b.events.peers.length}; warnings ${a.events.warnings} ${b.events.warnings})`)
    const u = b.events.updates.at(-1)!
    assert.equal(u.incomplete, 2)
    b.client.scrape()
    assert.ok(await until(() => b.events.scrapes.length >= 1, 5000), 'scrape answered')
    assert.equal(b.events.scrapes[0]!.incomplete, 2)
    assert.deepEqual(a.events.errors.concat(b.events.errors), [])
  } finally {
    await destroy(a.client); await destroy(b.client)
    await server.close()
  }
})
