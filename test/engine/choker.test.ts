import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Choker } from '../../src/engine/choker.js'

test('fastest interested peers get the slots, plus one optimistic that rotates', () => {
  let now = 0
  let r = 0
  const choker = new Choker({ slots: 2, optimisticEveryMs: 30_000, now: () => now, random: () => (r++ % 2) * 0.99 })
  const peers = [
    { id: 'a', interested: true, rate: 100 },
    { id: 'b', interested: true, rate: 300 },
    { id: 'c', interested: false, rate: 900 },
    { id: 'd', interested: true, rate: 200 },
    { id: 'e', interested: true, rate: 0 },
    { id: 'f', interested: true, rate: 0 },
  ]
  const first = choker.decide(peers)
  assert.ok(first.has('b') && first.has('d'))
  assert.ok(!first.has('c'), 'uninterested peers stay choked')
  assert.equal(first.size, 3)
  const optimistic1 = [...first].find((id) => id !== 'b' && id !== 'd')
  now += 10_000
  assert.deepEqual(choker.decide(peers), first, 'optimistic slot holds for its period')
  now += 30_000
  const third = choker.decide(peers)
  const optimistic2 = [...third].find((id) => id !== 'b' && id !== 'd')
  assert.notEqual(optimistic2, optimistic1, 'optimistic slot rotates')
})

test('with few peers every interested peer is unchoked', () => {
  const choker = new Choker({ slots: 4 })
  const out = choker.decide([{ id: 'x', interested: true, rate: 0 }, { id: 'y', interested: true, rate: 5 }])
  assert.deepEqual([...out].sort(), ['x', 'y'])
})
