import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PiecePicker, PRIORITY_CRITICAL } from '../../src/engine/picker.js'
import { RequestPlanner, queueDepth, type PlannerPeer } from '../../src/engine/request-planner.js'

const KB = 1024
const make = (pieces = 16) => new PiecePicker({ pieceCount: pieces, pieceLength: 16 * KB, length: pieces * 16 * KB, random: () => 0.5 })
const peer = (id: string, over: Partial<PlannerPeer> = {}): PlannerPeer => ({ id, has: () => true, isSeed: true, choked: false, allowedFast: new Set(), depth: 4, ...over })

test('a peer is topped up to its depth, then again only once half is answered', () => {
  const picker = make()
  const planner = new RequestPlanner(picker)
  const a = peer('a')
  const first = planner.plan(a, 0, false).request
  assert.equal(first.length, 4)
  picker.onBlockReceived(first[0]!.index, 0, 'a')
  assert.equal(planner.plan(a, 0, false).request.length, 0, '3 of 4 still out: wait')
  picker.onBlockReceived(first[1]!.index, 0, 'a')
  assert.equal(planner.plan(a, 0, false).request.length, 2)
  assert.equal(picker.inFlightCount('a'), 4)
})

test('a choked peer is asked only for its allowed-fast pieces; a full disk queue asks for nothing', () => {
  const picker = make()
  const planner = new RequestPlanner(picker)
  assert.deepEqual(planner.plan(peer('a', { choked: true }), 0, true).request, [])
  assert.deepEqual(planner.plan(peer('b', { choked: true, allowedFast: new Set([5]) }), 0, true).request.map((r) => r.index), [5])
  assert.deepEqual(planner.plan(peer('c'), 0, true, false).request, [])
})

test('deselected pieces are cancelled on the next plan after a priority change', () => {
  const picker = make()
  const planner = new RequestPlanner(picker)
  const a = peer('a')
  const first = planner.plan(a, 0, false).request.map((r) => r.index)
  picker.setPriority(first[0]!, first[0]!, 0)
  assert.deepEqual(planner.plan(a, 0, false).cancel, [], 'nothing is scanned before the change is announced')
  planner.prioritiesChanged()
  assert.deepEqual(planner.plan(a, 0, false).cancel.map((r) => r.index), [first[0]])
  assert.equal(picker.inFlightCount('a'), 3)
})

test('critical blocks find room in a full queue: the newest lower-priority requests are cancelled', () => {
  const picker = make()
  const planner = new RequestPlanner(picker)
  const a = peer('a', { depth: 4 })
  const first = planner.plan(a, 0, false).request
  assert.equal(first.length, 4)
  const target = [...Array(16).keys()].find((i) => !first.some((r) => r.index === i))!
  picker.setPriority(target, target, PRIORITY_CRITICAL)
  const plan = planner.plan(a, 10, true)
  assert.deepEqual(plan.request.map((r) => r.index), [target])
  assert.deepEqual(plan.cancel, [{ ...first[3]!, sentAt: 0 }])
})

test('expiry and hurry: old requests go back; late critical ones are asked of a second peer', () => {
  const picker = make()
  const planner = new RequestPlanner(picker, { requestTimeoutMs: 1000, lateMs: 100 })
  const a = peer('a', { depth: 2 }), b = peer('b', { depth: 2 })
  const [r0] = planner.plan(a, 0, false).request
  picker.setPriority(r0!.index, r0!.index, PRIORITY_CRITICAL)
  assert.deepEqual(planner.hurry([a, b], 50), [], 'not late yet')
  const extra = planner.hurry([a, b], 150)
  assert.deepEqual(extra.map((e) => [e.peer.id, e.request.index]), [['b', r0!.index]])
  assert.deepEqual(picker.inFlightPeers(r0!.index, 0).sort(), ['a', 'b'])
  assert.equal(planner.expire('a', 999).length, 0)
  assert.equal(planner.expire('a', 1000).length, 2)
  assert.equal(picker.inFlightCount('a'), 0)
})

test('queue depth follows the rate within the peer\'s reqq', () => {
  assert.equal(queueDepth(0, 250), 16)
  assert.equal(queueDepth(4 * 1024 * 1024, 250), 250)
  assert.equal(queueDepth(100 * 1024 * 1024, 5000), 500)
})
