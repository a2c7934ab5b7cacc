/** Swarm-level scenarios in the in-memory harness: many peers, churn, choking, pausing. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Swarm, bytes, sameBytes, storedBytes } from '../harness/swarm.js'
import type { Torrent } from '../../src/torrent/torrent.js'

test('a 20-peer swarm with churn: every leecher still there finishes with the right bytes', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'big.bin': bytes(512 * 1024, 3) })
  const seed = await swarm.seeder(content)
  // the seeder serves slowly, so leechers trade among themselves
  swarm.net.shape(seed.client.address.port, { downRate: 200_000 })
  const leechers: { torrent: Torrent; client: Awaited<ReturnType<Swarm['leecher']>>['client'] }[] = []
  const join = async () => {
    const peers = [seed.client.address, ...leechers.slice(-6).map((l) => l.client.address)]
    const l = await swarm.leecher(content.metainfo, peers)
    leechers.push(l)
  }
  for (let i = 0; i < 14; i++) await join()
  await swarm.clock.advance(1500)
  const gone = [leechers[2]!, leechers[5]!, leechers[9]!]
  for (const l of gone) await swarm.run(l.client.destroy())
  for (let i = 0; i < 5; i++) await join()
  const alive = leechers.filter((l) => !gone.includes(l))
  assert.equal(alive.length + gone.length, 19)
  await swarm.until(() => alive.every((l) => l.torrent.done), 'every leecher done')
  for (const l of alive) assert.ok(sameBytes(await storedBytes(l.torrent), content.data))
  const fromSeeder = seed.torrent.uploaded
  assert.ok(fromSeeder < content.data.length * alive.length, 'leechers traded among themselves')
  await swarm.destroy()
})

test('choking: a seeder unchokes at most its slots plus one optimistic peer, and everyone finishes', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(256 * 1024) })
  const seed = await swarm.seeder(content)
  swarm.net.shape(seed.client.address.port, { downRate: 100_000 })
  const leechers: Awaited<ReturnType<Swarm['leecher']>>[] = []
  for (let i = 0; i < 7; i++) leechers.push(await swarm.leecher(content.metainfo, [seed.client.address], { add: { maxPeers: 1 } }))
  let most = 0
  const unchoked = () => [...seed.torrent.peers.values()].filter((p) => !p.wire.amChoking).length
  await swarm.until(() => { most = Math.max(most, unchoked()); return leechers.every((l) => l.torrent.done) }, 'all done')
  assert.ok(most >= 4 && most <= 5, `unchoked at once: ${most}`)
  await swarm.destroy()
})

test('a leecher that finishes leaves the seed: two seeds have nothing to give each other', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const seed = await swarm.seeder(content)
  const leech = await swarm.leecher(content.metainfo, [seed.client.address])
  let wires = 0
  leech.torrent.on('wire', () => wires++)
  await swarm.until(() => leech.torrent.done, 'done')
  await swarm.clock.advance(120_000)
  assert.equal(leech.torrent.numPeers, 0)
  assert.equal(seed.torrent.numPeers, 0)
  assert.equal(wires, 0, 'and they do not meet again')
  await swarm.destroy()
})

test('pause lets every peer go and stops the download; resume finishes it', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(256 * 1024) })
  const seed = await swarm.seeder(content)
  swarm.net.shape(seed.client.address.port, { downRate: 64_000 })
  const leech = await swarm.leecher(content.metainfo, [seed.client.address])
  await swarm.until(() => leech.torrent.progress > 0.2, 'some progress')
  await swarm.run(leech.torrent.pause())
  assert.equal(leech.torrent.state, 'paused')
  await swarm.clock.advance(1000)
  assert.equal(leech.torrent.numPeers, 0)
  const at = leech.torrent.progress
  await swarm.clock.advance(60_000)
  assert.equal(leech.torrent.progress, at, 'no progress while paused')
  leech.torrent.resume()
  await swarm.until(() => leech.torrent.done, 'done after resume')
  assert.equal(leech.torrent.state, 'seeding')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
})

test('an upload limit paces the seeder on the clock', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(200_000) })
  const seed = await swarm.seeder(content, { add: { uploadLimit: 50_000 } })
  const leech = await swarm.leecher(content.metainfo, [seed.client.address])
  const took = await swarm.until(() => leech.torrent.done, 'done')
  // one second of burst, then 50 kB/s for the remaining 150 kB
  assert.ok(took >= 2900 && took <= 5000, `took ${took} ms of fake time`)
  await swarm.destroy()
})

test('a seeder dials a leecher it learns of, when the leecher does not dial', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(128 * 1024) })
  const seed = await swarm.seeder(content)
  const leech = await swarm.leecher(content.metainfo, [])
  seed.torrent.addPeer(leech.client.address)
  await swarm.until(() => leech.torrent.done, 'done')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
})

test('peer exchange: a leecher told of one peer meets the others through it (BEP 11)', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(256 * 1024) })
  const seeders = []
  for (let i = 0; i < 3; i++) {
    const s = await swarm.seeder(content)
    swarm.net.shape(s.client.address.port, { downRate: 20_000 }) // slow: the hub stays a leecher a while
    seeders.push(s)
  }
  const hub = await swarm.leecher(content.metainfo, seeders.map((s) => s.client.address))
  await swarm.until(() => hub.torrent.numPeers === 3, 'the hub has its seeders')
  // the newcomer knows only the hub
  const newcomer = await swarm.leecher(content.metainfo, [hub.client.address])
  await swarm.until(() => newcomer.torrent.discovery.found.pex >= 3, 'peers from PEX', 120_000)
  const met = new Set(swarm.net.connections.filter((c) => c.from === newcomer.client.address.port).map((c) => c.to))
  for (const s of seeders) assert.ok(met.has(s.client.address.port), 'dialed each seeder it heard of')
  await swarm.until(() => newcomer.torrent.done, 'done')
  await swarm.destroy()
})

test('a private torrent (BEP 27) exchanges no peers', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) }, { private: true })
  const hub = await swarm.seeder(content)
  await swarm.seeder(content, { add: { peers: [hub.client.address] } })
  const newcomer = await swarm.leecher(content.metainfo, [hub.client.address])
  await swarm.clock.advance(180_000)
  assert.equal(newcomer.torrent.discovery.found.pex, 0)
  await swarm.destroy()
})
