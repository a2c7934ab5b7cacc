import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bitfield } from '../../src/util/bitfield.js'

test('bitfield sets, clears and counts bits, piece 0 in the high bit', () => {
  const bf = new Bitfield(10)
  assert.equal(bf.length, 10)
  assert.ok(bf.isEmpty())
  bf.set(0); bf.set(9); bf.set(9)
  assert.equal(bf.count(), 2)
  assert.deepEqual(bf.toBytes(), Uint8Array.of(0x80, 0x40))
  assert.ok(bf.get(0) && bf.get(9) && !bf.get(1))
  bf.set(0, false); bf.set(0, false)
  assert.equal(bf.count(), 1)
  assert.equal(bf.get(10), false, 'out of range reads false')
  assert.throws(() => bf.set(10), RangeError)
  assert.throws(() => bf.set(-1), RangeError)
})

test('setAll fills exactly length bits and keeps spare bits zero', () => {
  const bf = new Bitfield(13)
  bf.setAll()
  assert.ok(bf.isFull())
  assert.equal(bf.count(), 13)
  assert.deepEqual(bf.toBytes(), Uint8Array.of(0xff, 0xf8))
  bf.set(12, false)
  assert.ok(!bf.isFull())
  assert.equal(bf.count(), 12)
  const empty = new Bitfield(0)
  assert.ok(empty.isFull() && empty.isEmpty())
  assert.equal(empty.toBytes().length, 0)
})

test('fromBytes copies, counts, drops spare bits and rejects short input', () => {
  const src = Uint8Array.of(0b1010_0000, 0b1111_1111, 0xff)
  const bf = Bitfield.fromBytes(src, 12)
  assert.equal(bf.count(), 2 + 4, 'spare bits of byte 1 and the extra byte are ignored')
  assert.deepEqual(bf.toBytes(), Uint8Array.of(0b1010_0000, 0b1111_0000))
  src[0] = 0
  assert.ok(bf.get(0), 'the input was copied')
  const out = bf.toBytes(); out[0] = 0
  assert.ok(bf.get(0), 'toBytes returns a copy')
  assert.throws(() => Bitfield.fromBytes(Uint8Array.of(0xff), 9), RangeError)
  assert.equal(Bitfield.fromBytes(new Uint8Array(125), 1000).count(), 0)
})

test('count stays right through many random changes', () => {
  const n = 1000
  const bf = new Bitfield(n)
  const ref = new Array<boolean>(n).fill(false)
  let seed = 7
  for (let k = 0; k < 5000; k++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    const i = seed % n, v = (seed >>> 16) % 2 === 0
    bf.set(i, v); ref[i] = v
  }
  assert.equal(bf.count(), ref.filter(Boolean).length)
  assert.equal(Bitfield.fromBytes(bf.toBytes(), n).count(), bf.count())
  for (let i = 0; i < n; i++) assert.equal(bf.get(i), ref[i])
})
