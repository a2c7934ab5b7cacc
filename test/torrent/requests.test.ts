/** The request pump in the harness: endgame, timeouts, late critical blocks, cancels on
 * deselect, rejects, allowed-fast, and many triggers folding into one pass. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Swarm, bytes, sameBytes, storedBytes, scriptedPeer, scriptedDial } from '../harness/swarm.js'
import { allowedFastSet, type Wire } from '../../src/wire/index.js'
import type { Content } from '../harness/swarm.js'

/** A peer that has everything, unchokes, and answers requests with `answer` (default: the content). */
function servingPeer(swarm: Swarm, content: Content, opts: { answer?: (wire: Wire, i: number, o: number, l: number) => void; choke?: boolean } = {}) {
  const seen: { requests: string[]; cancels: string[] } = { requests: [], cancels: [] }
  const peer = scriptedPeer(swarm, (wire) => {
    wire.once('handshake', () => {
      wire.handshake(content.metainfo.infoHash, bytes(20, 99), { fast: true, extended: true })
      wire.haveAll()
      if (!opts.choke) wire.unchoke()
    })
    wire.on('request', (i, o, l) => {
      seen.requests.push(`${i}:${o}`)
      if (opts.answer) opts.answer(wire, i, o, l)
      else wire.piece(i, o, content.data.subarray(i * content.metainfo.pieceLength + o, i * content.metainfo.pieceLength + o + l))
    })
    wire.on('cancel', (i, o) => seen.cancels.push(`${i}:${o}`))
  })
  return { ...peer, seen }
}

test('endgame: the last blocks held by a slow peer are also asked of a fast one, and the spare copies cancelled', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(256 * 1024) })
  const slow = await swarm.seeder(content)
  swarm.net.shape(slow.client.address.port, { downRate: 4000 })
  const fast = await swarm.seeder(content)
  swarm.net.shape(fast.client.address.port, { downRate: 100_000 })
  const cancels: string[] = []
  slow.torrent.on('wire', (w) => w.on('cancel', (i, o) => cancels.push(`${i}:${o}`)))
  const leech = await swarm.leecher(content.metainfo, [slow.client.address, fast.client.address])
  const took = await swarm.until(() => leech.torrent.done, 'done')
  assert.ok(took < 20_000, `the slow peer alone would take a minute; took ${took} ms`)
  assert.ok(cancels.length > 0, 'the slow peer was told to forget the blocks the fast one sent')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
})

test('a request unanswered for 30 s goes back to the pool, with a cancel, and is asked again', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const silent = servingPeer(swarm, content, { answer: () => undefined })
  const leech = await swarm.leecher(content.metainfo, [silent.address])
  await swarm.until(() => silent.seen.requests.length > 0, 'requests')
  const first = [...silent.seen.requests]
  await swarm.clock.advance(29_000)
  assert.equal(silent.seen.cancels.length, 0)
  await swarm.clock.advance(2000)
  assert.deepEqual(silent.seen.cancels.sort(), [...first].sort(), 'every expired request is cancelled')
  assert.ok(silent.seen.requests.length > first.length, 'and asked again')
  assert.equal(leech.torrent.done, false)
  await swarm.destroy()
})

test('a stream reader does not wait for a stalled peer: a late critical block goes to another peer', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'video.mkv': bytes(4 * 1024 * 1024) })
  const stalled = await swarm.seeder(content)
  swarm.net.shape(stalled.client.address.port, { downRate: 2000 })
  const cancels: string[] = []
  stalled.torrent.on('wire', (w) => w.on('cancel', (i, o) => cancels.push(`${i}:${o}`)))
  const leech = await swarm.leecher(content.metainfo, [stalled.client.address], { add: { sequential: true } })
  const chunks = leech.torrent.files[0]!.chunks({ start: 0, end: 16383 })
  let arrivedAt = -1
  let start = 0
  const first = chunks.next().then((r) => { arrivedAt = swarm.clock.now() - start; return r })
  // wait until the reader's block is asked of the stalled peer, then offer a fast one
  const stalledId = () => [...leech.torrent.peers.keys()][0]
  await swarm.until(() => { const id = stalledId(); return id !== undefined && leech.torrent.exchange?.picker.isRequested(id, 0, 0) === true }, 'block 0 asked')
  start = swarm.clock.now()
  // 100 times faster, but not so fast that the whole torrent arrives at once (endgame)
  const fast = await swarm.seeder(content)
  swarm.net.shape(fast.client.address.port, { downRate: 200_000 })
  leech.torrent.addPeer(fast.client.address)
  await swarm.until(() => arrivedAt >= 0, 'the first block')
  const r = await first
  assert.ok(sameBytes(r.value!, content.data.subarray(0, 16384)))
  assert.ok(arrivedAt >= 2000 && arrivedAt < 6000, `asked again once late (2 s; behind the fast peer's queue), not after the 8 s the stalled peer needs: ${arrivedAt} ms`)
  assert.ok(cancels.includes('0:0'), 'the stalled copy was cancelled')
  assert.equal(leech.torrent.exchange!.picker.isEndgame(), false, 'far from endgame: the hurry did it')
  await chunks.return(undefined)
  await swarm.destroy()
})

test('deselecting a file cancels its requests in flight', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'one.bin': bytes(128 * 1024, 1), 'two.bin': bytes(128 * 1024, 2) })
  const seed = await swarm.seeder(content)
  swarm.net.shape(seed.client.address.port, { downRate: 8000 })
  const cancels: number[] = []
  seed.torrent.on('wire', (w) => w.on('cancel', (i) => cancels.push(i)))
  const leech = await swarm.leecher(content.metainfo, [seed.client.address])
  const picker = leech.torrent.exchange!.picker
  const file = leech.torrent.files[1]!
  const inFile = (i: number) => i >= file.firstPiece && i <= file.lastPiece
  const peerId = () => [...leech.torrent.peers.keys()][0]!
  await swarm.until(() => leech.torrent.numPeers === 1 && [...picker.inFlight(peerId())].some((r) => inFile(r.index)), 'requests for file two')
  file.deselect()
  await swarm.clock.advance(0)
  assert.ok(cancels.some(inFile), 'cancels went out for file two')
  assert.equal([...picker.inFlight(peerId())].filter((r) => inFile(r.index)).length, 0)
  await swarm.until(() => leech.torrent.done, 'file one done')
  assert.equal(leech.torrent.files[0]!.progress, 1)
  await swarm.destroy()
})

test('many triggers in one turn fold into one pump pass', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  const silent = servingPeer(swarm, content, { answer: () => undefined, choke: true })
  const leech = await swarm.leecher(content.metainfo, [silent.address])
  await swarm.until(() => leech.torrent.numPeers === 1, 'connected')
  const ex = leech.torrent.exchange!
  const before = ex.stats.passes
  for (let i = 0; i < 100; i++) ex.need('tick')
  ex.need('priority')
  await swarm.clock.advance(0)
  assert.equal(ex.stats.passes, before + 1)
  await swarm.destroy()
})

test('BEP 6: a choke with rejects gives the blocks back; after the unchoke they are asked again and the download ends', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(64 * 1024) })
  let rejectNext = true
  const peer = servingPeer(swarm, content, {
    answer: (wire, i, o, l) => {
      if (rejectNext) {
        rejectNext = false
        wire.choke()
        wire.reject(i, o, l)
        queueMicrotask(() => { for (const r of peer.seen.requests.slice(1)) { const [a, b] = r.split(':').map(Number); wire.reject(a!, b!, 16384) } })
        swarm.clock.setTimeout(() => wire.unchoke(), 5000)
        return
      }
      wire.piece(i, o, content.data.subarray(i * 16384 + o, i * 16384 + o + l))
    },
  })
  const leech = await swarm.leecher(content.metainfo, [peer.address])
  await swarm.until(() => !rejectNext, 'the first request')
  await swarm.clock.advance(1000)
  const id = [...leech.torrent.peers.keys()][0]!
  assert.equal(leech.torrent.exchange!.picker.inFlightCount(id), 0, 'rejected requests are released')
  await swarm.until(() => leech.torrent.done, 'done')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
})

test('BEP 6: a choked peer is offered the canonical allowed-fast pieces and served those only', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(40 * 16384) })
  const seed = await swarm.seeder(content)
  const wire = await scriptedDial(swarm, seed.client.address)
  const allowed: number[] = []
  const got: string[] = []
  wire.on('allowed-fast', (i) => allowed.push(i))
  wire.on('piece', (i) => got.push(`piece ${i}`))
  wire.on('reject', (i) => got.push(`reject ${i}`))
  wire.handshake(content.metainfo.infoHash, bytes(20, 5), { fast: true, extended: true })
  await swarm.clock.advance(10)
  const expected = allowedFastSet(10, 40, content.metainfo.infoHash, '127.0.0.1')
  assert.deepEqual(allowed.sort((a, b) => a - b), [...expected].sort((a, b) => a - b))
  assert.equal(wire.peerChoking, true, 'not interested: still choked')
  const other = [...Array(40).keys()].find((i) => !expected.includes(i))!
  wire.request(expected[0]!, 0, 16384)
  wire.request(other, 0, 16384)
  await swarm.clock.advance(10)
  assert.deepEqual(got.sort(), [`piece ${expected[0]}`, `reject ${other}`].sort())
  wire.destroy()
  await swarm.destroy()
})
