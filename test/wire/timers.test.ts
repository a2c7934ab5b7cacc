import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Wire, WireError } from '../../src/wire/index.js'
import * as m from '../../src/wire/messages.js'
import { FakeDuplex, handshaken, ID_A, ID_B, INFO_HASH, next, timerCount, wirePair } from './helpers.js'

test('keep-alives go out every keepAliveMs once we have handshaken', async () => {
  const before = timerCount()
  const [a, b] = wirePair({ keepAliveMs: 30, idleTimeoutMs: 0 })
  assert.equal(timerCount(), before + 2, 'one keep-alive timer per wire')
  await handshaken(a, b)
  let keepalives = 0
  b.on('keepalive', () => keepalives++)
  await new Promise((r) => setTimeout(r, 200))
  assert.ok(keepalives >= 3 && keepalives <= 8, `got ${keepalives} keep-alives in 200 ms`)
  a.destroy()
  await next(b, 'close')
  assert.equal(timerCount(), before, 'no timers left after close')
})

test('no keep-alive is sent before our handshake (it would corrupt the stream)', async () => {
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, { keepAliveMs: 10, idleTimeoutMs: 0 })
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(conn.written.length, 0)
  wire.handshake(INFO_HASH, ID_B)
  await new Promise((r) => setTimeout(r, 50))
  const out = conn.bytes()
  assert.deepEqual(out.subarray(0, 68), m.encodeHandshake(INFO_HASH, ID_B, { fast: true, extended: true }))
  assert.ok(out.length >= 68 + 8 && out.subarray(68).every((x) => x === 0), 'only keep-alives follow')
  wire.destroy()
})

test('a silent peer is dropped after idleTimeoutMs; a chatty one is not', async () => {
  const before = timerCount()
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, { keepAliveMs: 0, idleTimeoutMs: 80 })
  wire.handshake(INFO_HASH, ID_B)
  conn.emit('data', m.encodeHandshake(INFO_HASH, ID_A))
  const chatter = setInterval(() => conn.emit('data', m.encodeKeepAlive()), 20)
  await new Promise((r) => setTimeout(r, 200))
  assert.equal(wire.destroyed, false, 'data keeps it alive')
  clearInterval(chatter)
  const started = Date.now()
  const [err] = await next(wire, 'error', 1000)
  assert.ok(err instanceof WireError && err.code === 'timeout')
  assert.ok(Date.now() - started >= 60, 'not before the timeout')
  assert.ok(wire.destroyed && conn.destroyed)
  assert.equal(timerCount(), before)
})
