import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Wire, WireError } from '../../src/wire/index.js'
import * as m from '../../src/wire/messages.js'
import { FakeClock } from '../harness/fake-clock.js'
import { FakeDuplex, handshaken, ID_A, ID_B, INFO_HASH, wirePair } from './helpers.js'

test('keep-alives go out every keepAliveMs once we have handshaken', async () => {
  const clock = new FakeClock()
  const [a, b] = wirePair({ clock, keepAliveMs: 30_000, idleTimeoutMs: 0 })
  assert.equal(clock.pending, 2, 'one keep-alive timer per wire')
  await handshaken(a, b)
  let keepalives = 0
  b.on('keepalive', () => keepalives++)
  await clock.advance(200_000)
  assert.equal(keepalives, 6)
  a.destroy()
  await clock.advance(0)
  assert.equal(b.destroyed, true)
  assert.equal(clock.pending, 0, 'no timers left after close')
})

test('no keep-alive is sent before our handshake (it would corrupt the stream)', async () => {
  const clock = new FakeClock()
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, { clock, keepAliveMs: 10, idleTimeoutMs: 0 })
  await clock.advance(50)
  assert.equal(conn.written.length, 0)
  wire.handshake(INFO_HASH, ID_B)
  await clock.advance(50)
  const out = conn.bytes()
  assert.deepEqual(out.subarray(0, 68), m.encodeHandshake(INFO_HASH, ID_B, { fast: true, extended: true }))
  assert.equal(out.length, 68 + 5 * 4, 'five keep-alives in 50 ms at one per 10 ms')
  assert.ok(out.subarray(68).every((x) => x === 0), 'only keep-alives follow')
  wire.destroy()
})

test('a silent peer is dropped after idleTimeoutMs; a chatty one is not', async () => {
  const clock = new FakeClock()
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, { clock, keepAliveMs: 0, idleTimeoutMs: 80_000 })
  wire.handshake(INFO_HASH, ID_B)
  conn.emit('data', m.encodeHandshake(INFO_HASH, ID_A))
  for (let i = 0; i < 10; i++) { await clock.advance(20_000); conn.emit('data', m.encodeKeepAlive()) }
  assert.equal(wire.destroyed, false, 'data keeps it alive')
  const errors: Error[] = []
  wire.on('error', (e) => errors.push(e))
  await clock.advance(79_000)
  assert.equal(wire.destroyed, false, 'not before the timeout')
  await clock.advance(21_000)
  assert.ok(errors[0] instanceof WireError && errors[0].code === 'timeout')
  assert.ok(wire.destroyed && conn.destroyed)
  assert.equal(clock.pending, 0)
})
