/** Micro-benchmark: prints picks per second for 4,096 pieces. Prints only; speed depends on
 * the machine, so nothing is asserted about it (only that each simulated download finishes). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bitfield } from '../../src/util/bitfield.js'
import { PiecePicker, type BlockRequest, type PickerPeer } from '../../src/engine/picker.js'

/** Small seeded PRNG so every run is the same. */
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

interface Run { picks: number; blocks: number; inPick: number; ms: number; done: boolean }

/** One simulated download: 40 partial peers + 2 seeds, each round every peer answers its
 * oldest 8 requests and is asked to refill to 16 in flight. */
function simulate(seedValue: number): Run {
  const pieceCount = 4096
  const pieceLength = 256 * 1024 // 16 blocks
  const random = mulberry32(seedValue)
  const p = new PiecePicker({ pieceCount, pieceLength, length: pieceCount * pieceLength - 1000, random })
  const peers: PickerPeer[] = []
  for (let k = 0; k < 40; k++) {
    const bf = new Bitfield(pieceCount)
    const density = 0.3 + 0.6 * random()
    for (let i = 0; i < pieceCount; i++) if (random() < density) bf.set(i)
    p.addAvailability(bf)
    peers.push({ id: `peer${k}`, has: (i) => bf.get(i) })
  }
  for (let k = 0; k < 2; k++) { p.peerHasAll(); peers.push({ id: `seed${k}`, has: () => true, isSeed: true }) }

  const inFlight = new Map<string, BlockRequest[]>(peers.map((peer) => [peer.id, []]))
  const start = performance.now()
  let picks = 0
  let blocks = 0
  let rounds = 0
  let inPick = 0
  while (!p.done && performance.now() - start < 10_000 && rounds < 100_000) {
    rounds++
    for (const peer of peers) {
      const queue = inFlight.get(peer.id)!
      for (const r of queue.splice(0, 8)) {
        const got = p.onBlockReceived(r.index, r.offset, peer.id)
        for (const other of got.cancel) {
          const q = inFlight.get(other)!
          const at = q.findIndex((x) => x.index === r.index && x.offset === r.offset)
          if (at >= 0) q.splice(at, 1)
        }
        if (got.pieceComplete) p.onPieceVerified(r.index)
      }
      const t0 = performance.now()
      const reqs = p.pick(peer, 16 - queue.length)
      inPick += performance.now() - t0
      picks++
      blocks += reqs.length
      queue.push(...reqs)
    }
  }
  return { picks, blocks, inPick, ms: performance.now() - start, done: p.done }
}

test('picker micro-benchmark: 4,096 pieces, 40 partial peers + 2 seeds', () => {
  const rate = (count: number, msec: number) => Math.round(count / (msec / 1000)).toLocaleString('en')
  for (const [k, label] of ['cold', 'warm', 'warm'].entries()) {
    const r = simulate(42 + k)
    console.log(`picker (${label}): ${r.picks} picks (${r.blocks} blocks) for 4,096 pieces: ${rate(r.picks, r.inPick)} picks/s ` +
      `inside pick(), ${rate(r.picks, r.ms)} picks/s with receive/verify bookkeeping (${r.ms.toFixed(0)} ms)`)
    assert.equal(r.done, true)
    assert.ok(r.blocks >= 4096 * 16) // endgame may request a few blocks twice
  }
})
