/** Unit tests of the torrent's parts: a peer's piece set, the lifecycle, priority layers. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PeerPieces } from '../../src/torrent/peer-pieces.js'
import { Lifecycle, type TorrentState } from '../../src/torrent/lifecycle.js'
import { PiecePriorities } from '../../src/engine/piece-priorities.js'
import { PRIORITY_CRITICAL } from '../../src/engine/picker.js'

test('peer pieces: what comes before the piece count is replayed once it is known', () => {
  const p = new PeerPieces()
  assert.equal(p.onBitfield(Uint8Array.of(0b10100000)), undefined)
  assert.equal(p.onHave(7), undefined)
  assert.equal(p.known, false)
  const change = p.setPieceCount(8)
  assert.equal(change?.kind, 'replace')
  assert.deepEqual([0, 1, 2, 7].map((i) => p.has(i)), [true, false, true, true])
  assert.equal(p.onHave(7), undefined, 'a have for a piece it had is no change')
  assert.deepEqual(p.onHave(1), { kind: 'have', index: 1 })
  assert.equal(p.onHave(99), undefined, 'out of range')
})

test('peer pieces: have_all, have_none and bitfields replace each other at any time', () => {
  const p = new PeerPieces()
  p.setPieceCount(4)
  const all = p.onHaveAll()
  assert.equal(p.isSeed, true)
  assert.deepEqual(all, { kind: 'replace', before: undefined, after: { all: true } })
  const none = p.onHaveNone()
  assert.equal(none?.kind === 'replace' && none.before?.all, true, 'the change names what it replaces')
  assert.equal(p.isSeed, false)
  assert.equal(p.has(0), false)
  assert.throws(() => p.onBitfield(new Uint8Array(0)), /bitfield needs 1 bytes/)
  p.onBitfield(Uint8Array.of(0xf0))
  assert.equal(p.isSeed, true, 'a full bitfield is a seed too')
  const q = new PeerPieces()
  q.onHaveAll(); q.onHaveNone()
  q.setPieceCount(4)
  assert.equal(q.isSeed, false, 'the last early map wins')
})

test('lifecycle: progress moves forward only; pause, error and destroy overlay it', () => {
  const life = new Lifecycle()
  const seen: TorrentState[] = []
  life.on('state', (s) => seen.push(s))
  life.advance('checking')
  life.pause(true)
  life.advance('downloading') // progress goes on underneath, the state stays paused
  life.pause(false)
  life.advance('seeding')
  life.advance('downloading') // a file selected again
  assert.throws(() => life.advance('metadata'), /cannot go from downloading back to metadata/)
  life.fail(new Error('disk full'))
  life.fail(new Error('again'))
  life.destroy()
  life.pause(true)
  assert.deepEqual(seen, ['checking', 'paused', 'downloading', 'seeding', 'downloading', 'error', 'destroyed'])
  assert.equal(life.error?.message, 'disk full')
  assert.equal(life.live, false)
})

test('priority layers: selection, ranges and readers combine by max; changes fold into one callback', async () => {
  let calls = 0
  const prios = new PiecePriorities(10, () => calls++)
  prios.setSelection(Uint8Array.from([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]))
  const range = prios.addRange(3, 6, 4)
  const reader = prios.readers.add(9, { critical: 1, readahead: 1 })
  reader.moveTo(8)
  await new Promise<void>((r) => setTimeout(r, 0))
  assert.equal(calls, 1, 'one callback for three changes')
  assert.deepEqual([...prios.compute()], [1, 1, 1, 4, 4, 4, 4, 0, PRIORITY_CRITICAL, 5])
  range.remove(); reader.remove()
  assert.deepEqual([...prios.compute()], [1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
  assert.throws(() => prios.addRange(0, 1, 0), /priority 0 not in 1..7/)
})
