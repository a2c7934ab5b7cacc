/** Hostile and odd peers in the harness: each is dropped or banned, or tolerated where real
 * clients behave that way, and an honest peer still gets the torrent done. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Swarm, bytes, sameBytes, storedBytes, scriptedPeer, scriptedDial, type Content } from '../harness/swarm.js'
import { encode } from '../../src/bencode/index.js'
import { formatMagnet } from '../../src/metainfo/index.js'
import type { Wire, WireExtension } from '../../src/wire/index.js'

/** A peer that has everything and unchokes; `onRequest` plays it. */
function seedLike(swarm: Swarm, content: Content, onRequest: (wire: Wire, i: number, o: number, l: number) => void, ext?: () => WireExtension) {
  return scriptedPeer(swarm, (wire) => {
    if (ext) wire.use(ext())
    wire.once('handshake', () => {
      wire.handshake(content.metainfo.infoHash, bytes(20, 66), { fast: true, extended: true })
      wire.haveAll()
      wire.unchoke()
    })
    wire.on('request', (i, o, l) => onRequest(wire, i, o, l))
  })
}

test('a peer sending wrong data is banned; the pieces come from an honest peer', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(256 * 1024) })
  const liar = seedLike(swarm, content, (wire, i, o, l) => wire.piece(i, o, new Uint8Array(l).fill(7)))
  const leech = await swarm.leecher(content.metainfo, [liar.address])
  await swarm.until(() => leech.torrent.addresses.isBanned(liar.address), 'the liar banned')
  assert.equal(leech.torrent.numPeers, 0)
  assert.equal(leech.torrent.have?.count(), 0, 'nothing of the liar was kept')
  const honest = await swarm.seeder(content)
  leech.torrent.addPeer(honest.client.address)
  await swarm.until(() => leech.torrent.done, 'done from the honest peer')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
})

test('blocks nobody asked for, at bad offsets or of pieces that do not exist, are dropped without harm', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(128 * 1024) })
  const spammer = scriptedPeer(swarm, (wire) => {
    wire.once('handshake', () => {
      wire.handshake(content.metainfo.infoHash, bytes(20, 67), { fast: true, extended: true })
      wire.haveNone()
      for (let k = 0; k < 200; k++) wire.piece(k % 12, (k * 5) % 40000, new Uint8Array(1000 + k))
    })
  })
  const honest = await swarm.seeder(content)
  const leech = await swarm.leecher(content.metainfo, [spammer.address, honest.client.address])
  await swarm.until(() => leech.torrent.done, 'done')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
})

test('a peer claiming 2 GB of metadata is dropped; the metadata comes from an honest peer', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const liar = seedLike(swarm, content, () => undefined, () => ({ name: 'ut_metadata', extendHandshake: () => ({ metadata_size: 2 ** 31 }), onMessage: () => undefined }))
  const honest = await swarm.seeder(content)
  const leech = await swarm.leecher(formatMagnet({ infoHash: content.metainfo.infoHash }), [liar.address, honest.client.address])
  await swarm.until(() => leech.torrent.done, 'done')
  assert.equal(liar.wires[0]!.destroyed, true)
  await swarm.destroy()
})

test('a peer that rejects metadata requests (BEP 9) is not dropped for it', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  let rejected = 0
  const refuser = seedLike(swarm, content, (wire, i, o, l) => wire.piece(i, o, content.data.subarray(i * 16384 + o, i * 16384 + o + l)), () => {
    const ext: WireExtension & { wire?: Wire } = {
      name: 'ut_metadata',
      extendHandshake: () => ({ metadata_size: content.metainfo.infoBytes.length }),
      onMessage: (payload) => { rejected++; refuser.wires.at(-1)!.extended('ut_metadata', encode({ msg_type: 2, piece: payload.length > 0 ? 0 : 0 })) },
    }
    return ext
  })
  const leech = await swarm.leecher(formatMagnet({ infoHash: content.metainfo.infoHash }), [refuser.address])
  await swarm.until(() => rejected > 0, 'a metadata request')
  await swarm.clock.advance(1000)
  assert.equal(leech.torrent.numPeers, 1, 'still connected')
  const honest = await swarm.seeder(content)
  leech.torrent.addPeer(honest.client.address)
  await swarm.until(() => leech.torrent.done, 'done')
  await swarm.destroy()
})

test('a leecher that sends interested and then have_none (webtorrent from a magnet) is served', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const seed = await swarm.seeder(content)
  const wire = await scriptedDial(swarm, seed.client.address)
  const got: number[] = []
  wire.on('piece', (i) => got.push(i))
  wire.once('unchoke', () => { wire.request(0, 0, 16384); wire.request(3, 0, 16384) })
  wire.handshake(content.metainfo.infoHash, bytes(20, 8), { fast: true, extended: true })
  await swarm.clock.advance(10)
  wire.interested()
  wire.haveNone()
  await swarm.until(() => got.length === 2, 'two blocks')
  assert.deepEqual(got.sort(), [0, 3])
  assert.equal(wire.destroyed, false)
  wire.destroy()
  await swarm.destroy()
})

test('a fresh bitfield mid-connection replaces the old one, and availability follows', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(8 * 16384) })
  const half = Uint8Array.of(0b11110000)
  const peer = scriptedPeer(swarm, (wire) => {
    wire.once('handshake', () => {
      wire.handshake(content.metainfo.infoHash, bytes(20, 9), { fast: true, extended: true })
      wire.bitfield({ toBytes: () => half } as never)
      wire.unchoke()
    })
    // it serves the first half only: the download cannot end while we look
    wire.on('request', (i, o, l) => { if (i < 4) wire.piece(i, o, content.data.subarray(i * 16384 + o, i * 16384 + o + l)) })
  })
  const leech = await swarm.leecher(content.metainfo, [peer.address])
  await swarm.until(() => leech.torrent.wanted.have === 4 * 16384, 'the first half')
  const picker = leech.torrent.exchange!.picker
  const wire = [...leech.torrent.peers.values()][0]!.wire
  assert.deepEqual([0, 4].map((i) => picker.availability(i)), [1, 0])
  assert.equal(wire.amInterested, false, 'nothing more to want from it')
  peer.wires[0]!.haveAll()
  await swarm.clock.advance(10)
  assert.deepEqual([0, 4].map((i) => picker.availability(i)), [1, 1])
  assert.equal(wire.amInterested, true)
  peer.wires[0]!.haveNone()
  await swarm.clock.advance(10)
  assert.deepEqual([0, 4].map((i) => picker.availability(i)), [0, 0], 'have_none takes it all back')
  assert.equal(wire.amInterested, false)
  await swarm.destroy()
})

test('dialing ourselves (under another address) ends in a ban, not a loop', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const leech = await swarm.leecher(content.metainfo, [])
  const alias = { host: '127.0.0.2', port: leech.client.address.port }
  leech.torrent.addPeer(alias)
  await swarm.clock.advance(600_000)
  assert.equal(leech.torrent.addresses.isBanned(alias), true)
  assert.ok(swarm.net.connections.filter((c) => c.to === alias.port).length <= 2)
  await swarm.destroy()
})

test('an address that refuses connections is retried with backoff, then forgotten', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const leech = await swarm.leecher(content.metainfo, [])
  let dials = 0
  const dead = { host: '127.0.0.1', port: swarm.net.port() }
  const connect = swarm.net.connect.bind(swarm.net)
  swarm.net.connect = (from, addr) => { if (addr.port === dead.port) dials++; return connect(from, addr) }
  leech.torrent.addPeer(dead)
  await swarm.clock.advance(3_600_000)
  assert.ok(dials >= 3 && dials <= 6, `dials: ${dials}`)
  assert.equal(leech.torrent.addresses.size, 0, 'forgotten after repeated failures')
  await swarm.destroy()
})

test('a peer that handshakes and then says nothing is dropped after the idle timeout', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const mute = scriptedPeer(swarm, (wire) => {
    wire.once('handshake', () => wire.handshake(content.metainfo.infoHash, bytes(20, 10), { fast: false, extended: false }))
  }, { keepAliveMs: 0, idleTimeoutMs: 0 })
  const leech = await swarm.leecher(content.metainfo, [mute.address])
  await swarm.until(() => leech.torrent.numPeers === 1, 'connected')
  const peer = [...leech.torrent.peers.values()][0]!
  await swarm.clock.advance(100_000)
  assert.equal(peer.state, 'active')
  await swarm.clock.advance(25_000)
  assert.equal(peer.state, 'closed', 'dropped after 120 s of silence')
  assert.equal(leech.torrent.peers.has(peer.id), false)
  await swarm.destroy()
})

test('10,000 requests for the same block are answered once', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const seed = await swarm.seeder(content)
  const wire = await scriptedDial(swarm, seed.client.address)
  let pieces = 0
  wire.on('piece', () => pieces++)
  wire.once('unchoke', () => { for (let k = 0; k < 10_000; k++) wire.request(1, 0, 16384) })
  wire.handshake(content.metainfo.infoHash, bytes(20, 11), { fast: true, extended: true })
  await swarm.clock.advance(10)
  wire.interested()
  await swarm.until(() => pieces > 0, 'the block')
  await swarm.clock.advance(1000)
  assert.ok(pieces <= 2, `copies sent: ${pieces}`)
  assert.ok(seed.torrent.uploaded <= 2 * 16384)
  wire.destroy()
  await swarm.destroy()
})

test('a full torrent lets a newcomer replace the peer that has been useless longest', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const seed = await swarm.seeder(content, { add: { maxPeers: 3 } })
  const squatters = []
  for (let k = 0; k < 3; k++) {
    const w = await scriptedDial(swarm, seed.client.address)
    w.handshake(content.metainfo.infoHash, bytes(20, 20 + k), { fast: true, extended: true })
    squatters.push(w)
    await swarm.clock.advance(1000)
  }
  assert.equal(seed.torrent.numPeers, 3)
  const early = await swarm.leecher(content.metainfo, [seed.client.address])
  await swarm.clock.advance(100)
  assert.equal(early.torrent.numPeers, 0, 'no one is useless yet: the newcomer waits')
  await swarm.run(early.client.destroy())
  await swarm.clock.advance(20_000)
  const leech = await swarm.leecher(content.metainfo, [seed.client.address])
  await swarm.until(() => leech.torrent.done, 'the newcomer got in and finished')
  assert.equal(squatters[0]!.destroyed, true, 'the oldest squatter made way')
  assert.equal(squatters[2]!.destroyed, false)
  await swarm.destroy()
})
