import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bitfield } from '../../src/util/bitfield.js'
import { PiecePicker, type BlockRequest, type PickerPeer } from '../../src/engine/picker.js'

/** Small seeded PRNG so every run picks the same. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const KB = 1024
const seed: PickerPeer = { id: 'seed', has: () => true, isSeed: true }
const peerWith = (id: string, pieces: number[]): PickerPeer & { bf: Bitfield } => {
  const set = new Set(pieces)
  const bf = new Bitfield(64)
  for (const p of pieces) bf.set(p)
  return { id, has: (i) => set.has(i), bf }
}
const pieces = (reqs: BlockRequest[]) => [...new Set(reqs.map((r) => r.index))]
/** n pieces of 32 KiB (2 blocks of 16 KiB), last piece 20 KiB (blocks 16 + 4). */
const make = (n = 8, random = mulberry32(1)) => new PiecePicker({ pieceCount: n, pieceLength: 32 * KB, length: (n - 1) * 32 * KB + 20 * KB, random })

/** Receives and verifies everything in reqs. */
function complete(p: PiecePicker, reqs: BlockRequest[], peerId = 'x'): void {
  for (const r of reqs) if (p.onBlockReceived(r.index, r.offset, peerId).pieceComplete) p.onPieceVerified(r.index)
}

test('blocks: 16 KiB, last piece has a shorter last block', () => {
  const p = make(3)
  const reqs = p.pick(seed, 100)
  assert.equal(reqs.length, 6)
  const last = reqs.filter((r) => r.index === 2).sort((a, b) => a.offset - b.offset)
  assert.deepEqual(last, [{ index: 2, offset: 0, length: 16 * KB }, { index: 2, offset: 16 * KB, length: 4 * KB }])
  assert.ok(reqs.filter((r) => r.index !== 2).every((r) => r.length === 16 * KB))
  assert.equal(p.blockCount(2), 2)
  assert.equal(p.pieceSize(2), 20 * KB)
})

test('rarest first, and only pieces the peer has', () => {
  const p = make(8)
  const a = peerWith('a', [0, 1, 2, 3, 4, 5, 6, 7])
  const b = peerWith('b', [1, 2, 3, 4, 5, 6, 7])
  const c = peerWith('c', [2, 3, 4, 5, 6, 7])
  const d = peerWith('d', [3, 4, 5, 6, 7])
  for (const peer of [a, b, c, d]) p.addAvailability(peer.bf)
  p.incrementAvailability(4) // a have message: 4 is now commoner than 5, 6, 7
  assert.equal(p.availability(0), 1)
  assert.equal(p.availability(4), 5)
  const order = [0, 1, 2].map(() => pieces(p.pick(a, 2))[0])
  assert.deepEqual(order, [0, 1, 2])
  assert.deepEqual(pieces(p.pick(a, 8)).sort(), [3, 5, 6, 7]) // all with availability 4
  assert.deepEqual(pieces(p.pick(a, 2)), [4])
  assert.deepEqual(p.pick(a, 2), []) // everything requested by a

  const q = make(8)
  for (const peer of [a, b, c, d]) q.addAvailability(peer.bf)
  assert.deepEqual(pieces(q.pick(d, 4)).every((i) => i >= 3), true) // d lacks 0..2
  q.removeAvailability(a.bf)
  q.removeAvailability(b.bf)
  assert.equal(q.availability(1), 0)
  assert.equal(q.availability(2), 1)
})

test('ties broken randomly, deterministic for a given random()', () => {
  const firstPieces = (seedValue: number) => {
    const p = make(64, mulberry32(seedValue))
    return Array.from({ length: 10 }, () => pieces(p.pick(seed, 2))[0])
  }
  const run1 = firstPieces(7)
  assert.deepEqual(firstPieces(7), run1)
  assert.notDeepEqual(run1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  assert.notDeepEqual(firstPieces(8), run1)
})

test('priority: critical and high before normal, skip never, done counts wanted pieces only', () => {
  const p = make(8)
  p.setPriority(0, 1, 0)
  p.setPriority(6, 6, 4)
  p.setPriority(3, 4, 7)
  p.setPriority(7, 7, 4)
  const got = Array.from({ length: 6 }, () => pieces(p.pick(seed, 2))[0])
  assert.deepEqual(got.slice(0, 2), [3, 4]) // critical, in index order
  assert.deepEqual(got.slice(2, 4).sort(), [6, 7]) // high
  assert.deepEqual(got.slice(4).sort(), [2, 5]) // normal
  assert.deepEqual(p.pick(seed, 10), []) // 0 and 1 skipped
  assert.throws(() => p.setPriority(0, 0, 8), RangeError)
  for (const i of [2, 3, 4, 5, 6]) p.onPieceVerified(i)
  assert.equal(p.done, false)
  p.onPieceVerified(7)
  assert.equal(p.done, true)
  p.setPriority(1, 1, 1)
  assert.equal(p.done, false)
  assert.deepEqual(pieces(p.pick(seed, 10)), [1])
})

test('sequential mode: index order within a priority, priority still first', () => {
  const p = make(16)
  p.setSequential(true)
  p.setPriority(10, 10, 3)
  const got = Array.from({ length: 5 }, () => pieces(p.pick(seed, 2))[0])
  assert.deepEqual(got, [10, 0, 1, 2, 3])
  // a piece that fails goes back to its place in the order
  p.onPieceFailed(1)
  assert.deepEqual(pieces(p.pick(seed, 2)), [1])
  p.setSequential(false)
  assert.notDeepEqual(Array.from({ length: 6 }, () => pieces(p.pick(seed, 2))[0]), [4, 5, 6, 7, 8, 9])
})

test('partially downloaded pieces are finished first', () => {
  const pieceLength = 64 * KB // 4 blocks
  const p = new PiecePicker({ pieceCount: 8, pieceLength, length: 8 * pieceLength, random: mulberry32(3) })
  const a = p.pick(seed, 2)
  assert.equal(pieces(a).length, 1)
  const started = a[0]!.index
  const b = p.pick({ id: 'b', has: () => true, isSeed: true }, 3)
  assert.deepEqual(b.slice(0, 2).map((r) => [r.index, r.offset]), [[started, 32 * KB], [started, 48 * KB]])
  assert.notEqual(b[2]!.index, started)
})

test('block-level in-flight tracking: one requester per block, dropped blocks return', () => {
  const p = make(4)
  const a = p.pick({ id: 'a', has: () => true, isSeed: true }, 1)
  const [r] = a
  assert.ok(r)
  assert.deepEqual(p.inFlightPeers(r.index, r.offset), ['a'])
  const b = p.pick({ id: 'b', has: () => true, isSeed: true }, 7)
  assert.equal(b.length, 7)
  assert.ok(!b.some((x) => x.index === r.index && x.offset === r.offset)) // every other block
  assert.equal(p.isEndgame(), true)
  p.onRequestDropped(r.index, r.offset, 'a')
  assert.deepEqual(p.inFlightPeers(r.index, r.offset).includes('a'), false)
  assert.equal(p.isEndgame(), false) // the dropped block is free again
  const d = p.pick({ id: 'd', has: () => true, isSeed: true }, 100)
  assert.deepEqual(d.slice(0, 1), [r])
})

test('received blocks: duplicates, completion, unrequested blocks kept', () => {
  const p = make(2)
  const reqs = p.pick(seed, 2)
  const idx = reqs[0]!.index
  assert.deepEqual(p.onBlockReceived(idx, 0, 'seed'), { pieceComplete: false, duplicate: false, cancel: [] })
  assert.equal(p.onBlockReceived(idx, 0, 'seed').duplicate, true)
  assert.equal(p.onBlockReceived(idx, 5, 'seed').duplicate, true) // not a block boundary
  assert.deepEqual(p.onBlockReceived(idx, 16 * KB, 'seed'), { pieceComplete: true, duplicate: false, cancel: [] })
  assert.equal(p.onBlockReceived(idx, 0, 'seed').duplicate, true) // awaiting verification
  p.onPieceVerified(idx)
  assert.ok(p.has(idx) && p.have.get(idx))
  const other = 1 - idx
  assert.equal(p.onBlockReceived(other, 0, 'late').duplicate, false) // never requested: still useful
  assert.deepEqual(p.pick(seed, 5), [{ index: other, offset: 16 * KB, length: other === 1 ? 4 * KB : 16 * KB }])
})

test('failed piece: all its blocks are wanted again', () => {
  const p = make(1)
  const reqs = p.pick(seed, 10)
  let done = false
  for (const r of reqs) done = p.onBlockReceived(r.index, r.offset, 'seed').pieceComplete
  assert.ok(done)
  assert.deepEqual(p.pick(seed, 10), [])
  p.onPieceFailed(0)
  assert.deepEqual(p.pick(seed, 10), reqs)
  complete(p, reqs)
  assert.equal(p.done, true)
  assert.deepEqual(p.pick(seed, 10), [])
})

test('endgame: same block from at most 2 more peers, cancels on arrival', () => {
  const p = make(2)
  const mk = (id: string): PickerPeer => ({ id, has: () => true, isSeed: true })
  const first = p.pick(mk('p0'), 100)
  assert.equal(first.length, 4)
  assert.equal(p.isEndgame(), true)
  const second = p.pick(mk('p1'), 100)
  const third = p.pick(mk('p2'), 100)
  assert.deepEqual([second.length, third.length], [4, 4])
  assert.deepEqual(p.pick(mk('p3'), 100), []) // capped: 3 requesters per block
  assert.deepEqual(p.pick(mk('p1'), 100), []) // never the same block twice to one peer
  const r = first[0]!
  assert.deepEqual(p.inFlightPeers(r.index, r.offset).sort(), ['p0', 'p1', 'p2'])
  const got = p.onBlockReceived(r.index, r.offset, 'p1')
  assert.deepEqual(got.cancel.sort(), ['p0', 'p2'])
  assert.deepEqual(p.inFlightPeers(r.index, r.offset), [])
  assert.equal(p.onBlockReceived(r.index, r.offset, 'p0').duplicate, true)
  // a dropped peer frees a slot for someone else
  const dropped = p.onPeerGone('p2')
  assert.equal(dropped.length, 3)
  assert.equal(p.pick(mk('p3'), 100).length, 3)
})

test('have_all peers are cheap and do not disturb rarest first', () => {
  const p = make(8)
  const a = peerWith('a', [5])
  p.addAvailability(a.bf)
  p.peerHasAll()
  p.peerHasAll()
  assert.equal(p.availability(5), 3)
  assert.equal(p.availability(0), 2)
  p.peerLostAll()
  assert.equal(p.availability(0), 1)
  // 5 is the only piece a partial peer can give; rarest pieces (availability 1) go to the seed first
  assert.notEqual(pieces(p.pick(seed, 2))[0], 5)
  assert.deepEqual(pieces(p.pick(a, 4)), [5])
})

test('random operations keep the invariants, and the download always completes', () => {
  const rnd = mulberry32(99)
  const n = 60
  const p = new PiecePicker({ pieceCount: n, pieceLength: 48 * KB, length: n * 48 * KB - 5000, random: mulberry32(5) })
  const peerPieces = Array.from({ length: 6 }, () => new Set(Array.from({ length: n }, (_, i) => i).filter(() => rnd() < 0.6)))
  const peers: PickerPeer[] = peerPieces.map((set, k) => ({ id: `p${k}`, has: (i) => set.has(i) }))
  peers.push({ id: 'seed', has: () => true, isSeed: true })
  p.peerHasAll()
  for (const set of peerPieces) for (const i of set) p.incrementAvailability(i)
  const received = new Set<string>()
  const outstanding = new Map<string, BlockRequest[]>(peers.map((x) => [x.id, []]))
  const key = (r: { index: number; offset: number }) => `${r.index}:${r.offset}`
  const receive = (peer: PickerPeer, r: BlockRequest) => {
    const got = p.onBlockReceived(r.index, r.offset, peer.id)
    assert.equal(got.duplicate, received.has(key(r)) || p.has(r.index))
    received.add(key(r))
    for (const id of got.cancel) {
      const q = outstanding.get(id)!
      q.splice(q.findIndex((x) => key(x) === key(r)), 1)
    }
    if (got.pieceComplete) {
      for (let o = 0; o < p.pieceSize(r.index); o += 16 * KB) received.delete(`${r.index}:${o}`)
      if (rnd() < 0.1) p.onPieceFailed(r.index)
      else p.onPieceVerified(r.index)
    }
  }
  for (let step = 0; step < 20_000 && !(p.done && step > 3000); step++) {
    const peer = peers[Math.floor(rnd() * peers.length)]!
    const q = outstanding.get(peer.id)!
    const op = rnd()
    if (step === 3000) p.setPriority(0, n - 1, 1) // end of the chaos: everything wanted again
    if (op < 0.45) {
      const endgame = p.isEndgame()
      const reqs = p.pick(peer, 1 + Math.floor(rnd() * 8))
      for (const r of reqs) {
        assert.ok(peer.has(r.index), 'only pieces the peer has')
        assert.ok(p.priority(r.index) > 0, 'never skipped pieces')
        assert.ok(!received.has(key(r)) && !p.has(r.index), 'never a block we have')
        const others = p.inFlightPeers(r.index, r.offset)
        assert.ok(others.includes(peer.id))
        assert.ok(endgame || p.isEndgame() ? others.length <= 3 : others.length === 1, 'one requester outside endgame')
      }
      q.push(...reqs)
    } else if (op < 0.85 && q.length > 0) {
      receive(peer, q.shift()!)
    } else if (op < 0.93 && q.length > 0) {
      const r = q.splice(Math.floor(rnd() * q.length), 1)[0]!
      p.onRequestDropped(r.index, r.offset, peer.id)
    } else if (op < 0.96 && step < 3000) {
      const a = Math.floor(rnd() * n)
      p.setPriority(a, a + Math.floor(rnd() * 5), Math.floor(rnd() * 8))
    } else if (op < 0.98) {
      p.setSequential(rnd() < 0.5)
    } else if (q.length > 0) {
      const gone = p.onPeerGone(peer.id)
      assert.deepEqual(gone.map(key).sort(), q.map(key).sort())
      q.length = 0
    }
  }
  assert.equal(p.done, true)
  assert.equal(p.have.count(), n)
})
