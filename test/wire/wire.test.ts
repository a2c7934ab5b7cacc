import { test } from 'node:test'
import { FakeClock } from '../harness/fake-clock.js'
import assert from 'node:assert/strict'
import { Wire, WireError, CLIENT_VERSION, type WireExtension } from '../../src/wire/index.js'
import * as m from '../../src/wire/messages.js'
import { Bitfield } from '../../src/util/bitfield.js'
import { getBytes, getDict, getInt, type BDict } from '../../src/bencode/index.js'
import { concat } from '../../src/util/bytes.js'
import { FakeDuplex, handshaken, ID_A, ID_B, INFO_HASH, next, tick, wirePair } from './helpers.js'

const noTimers = { keepAliveMs: 0, idleTimeoutMs: 0 }

test('handshake → extended handshake → bitfield → interested → unchoke → request → piece', async () => {
  const [a, b] = wirePair({ ...noTimers, extendedHandshake: () => ({ p: 6881 }) })
  const seen: string[] = []
  const aExt = next(a, 'extended-handshake'), bExt = next(b, 'extended-handshake')
  const aHs = next(a, 'handshake')
  const aBits = next(a, 'bitfield')
  // b plays the inbound side: it answers once it knows the info hash, then sends its bitfield
  b.once('handshake', (infoHash, peerId, flags) => {
    seen.push('b:handshake')
    assert.deepEqual(infoHash, INFO_HASH); assert.deepEqual(peerId, ID_A)
    assert.deepEqual(flags, { dht: true, fast: true, extended: true })
    b.handshake(INFO_HASH, ID_B)
    const have = new Bitfield(12); have.set(0); have.set(11)
    b.bitfield(have)
  })
  a.handshake(INFO_HASH, ID_A, { dht: true })
  const [infoHash, peerId, flags] = await aHs
  assert.deepEqual([infoHash, peerId, flags], [INFO_HASH, ID_B, { dht: false, fast: true, extended: true }])
  assert.deepEqual(a.peerId, ID_B); assert.deepEqual(b.peerId, ID_A)
  assert.deepEqual(b.infoHash, INFO_HASH)
  assert.ok(a.peerSupportsFast && a.peerSupportsExtended && b.peerSupportsFast && b.peerSupportsExtended)

  const [[hsA], [hsB]] = await Promise.all([aExt, bExt])
  for (const h of [hsA, hsB] as BDict[]) {
    assert.equal(new TextDecoder().decode(getBytes(h, 'v')), CLIENT_VERSION)
    assert.equal(getInt(h, 'reqq'), 250)
    assert.equal(getInt(h, 'p'), 6881)
    assert.equal(getDict(h, 'm')?.size, 0)
  }
  assert.equal(a.peerExtendedHandshake, hsA)

  const [bits] = await aBits
  assert.deepEqual(bits, Uint8Array.of(0x80, 0x10))

  a.interested()
  await next(b, 'interested')
  assert.ok(b.peerInterested && a.amInterested)
  b.unchoke()
  await next(a, 'unchoke')
  assert.ok(!a.peerChoking && !b.amChoking)

  const block = new Uint8Array(16384).map((_, i) => i & 0xff)
  b.on('request', (index, offset, length) => { seen.push(`request ${index} ${offset} ${length}`); b.piece(index, offset, block.subarray(0, length)) })
  a.request(11, 16384, 16384)
  const [index, offset, got] = await next(a, 'piece')
  assert.deepEqual([index, offset], [11, 16384])
  assert.deepEqual(got, block)
  assert.equal(a.downloaded, 16384); assert.equal(b.uploaded, 16384)
  assert.deepEqual(seen, ['b:handshake', 'request 11 16384 16384'])

  a.uninterested(); b.choke()
  await Promise.all([next(b, 'uninterested'), next(a, 'choke')])
  assert.ok(!b.peerInterested && a.peerChoking)

  const closed = Promise.all([next(a, 'close'), next(b, 'close')])
  a.destroy()
  await closed
  assert.ok(a.destroyed && b.destroyed)
})

test('messages that arrive before we answer a handshake wait for our listeners', async () => {
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, noTimers)
  const flags = { fast: true, extended: true }
  const peer = concat([m.encodeHandshake(INFO_HASH, ID_A, flags), m.encodeBitfield(Uint8Array.of(0xc0)), m.encodeInterested()])
  let gotHandshake = false
  wire.once('handshake', () => { gotHandshake = true })
  conn.emit('data', peer)
  assert.ok(gotHandshake)
  await tick()
  // like a client that looks the torrent up first, then answers and attaches listeners
  wire.handshake(INFO_HASH, ID_B, flags)
  const events: string[] = []
  wire.on('bitfield', (b) => events.push(`bitfield ${b[0]}`))
  wire.on('interested', () => events.push('interested'))
  await tick()
  assert.deepEqual(events, ['bitfield 192', 'interested'])
  wire.destroy()
})

test('fast extension messages (BEP 6) flow both ways', async () => {
  const [a, b] = wirePair(noTimers)
  await handshaken(a, b)
  const got: unknown[] = []
  b.on('have-all', () => got.push('have-all'))
  b.on('suggest', (i) => got.push(['suggest', i]))
  b.on('allowed-fast', (i) => got.push(['allowed-fast', i]))
  b.on('reject', (...r) => got.push(['reject', ...r]))
  b.on('port', (p) => got.push(['port', p]))
  b.on('have', (i) => got.push(['have', i]))
  b.on('cancel', (...r) => got.push(['cancel', ...r]))
  b.on('keepalive', () => got.push('keepalive'))
  a.haveAll(); a.suggest(3); a.allowedFast(4); a.reject(5, 0, 16384); a.port(6881); a.have(6); a.cancel(7, 0, 100); a.keepAlive()
  await next(b, 'keepalive')
  assert.deepEqual(got, ['have-all', ['suggest', 3], ['allowed-fast', 4], ['reject', 5, 0, 16384], ['port', 6881],
    ['have', 6], ['cancel', 7, 0, 100], 'keepalive'])
  a.destroy()

  const [c, d] = wirePair(noTimers)
  await handshaken(c, d)
  const none = next(d, 'have-none')
  c.haveNone()
  await none
  c.destroy()
})

test('without the fast bit, fast messages are refused both ways', async () => {
  const [a, b] = wirePair(noTimers)
  await handshaken(a, b, { fast: false, extended: true })
  assert.equal(a.peerSupportsFast, false)
  assert.throws(() => a.haveAll(), /fast extension/)
  assert.throws(() => a.reject(0, 0, 1), /fast extension/)
  a.destroy()

  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, noTimers)
  wire.handshake(INFO_HASH, ID_B, { fast: false })
  const err = next(wire, 'error')
  conn.emit('data', concat([m.encodeHandshake(INFO_HASH, ID_A, { fast: true }), m.encodeHaveAll()]))
  const [e] = await err
  assert.ok(e instanceof WireError && /have-all without the fast extension/.test(e.message))
  assert.ok(wire.destroyed && conn.destroyed)
})

/** A wire that has handshaken with a scripted peer; returns the wire and a way to send raw bytes. */
async function scripted(opts = {}): Promise<{ wire: Wire; conn: FakeDuplex; send: (b: Uint8Array) => void }> {
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, { ...noTimers, ...opts })
  wire.handshake(INFO_HASH, ID_B)
  conn.emit('data', m.encodeHandshake(INFO_HASH, ID_A, { fast: true, extended: true }))
  await tick()
  return { wire, conn, send: (b) => conn.emit('data', b) }
}

async function expectProtocolError(bytes: Uint8Array, pattern: RegExp, opts = {}): Promise<void> {
  const { wire, conn, send } = await scripted(opts)
  const events: string[] = []
  wire.on('error', (e) => events.push(`error ${e.message}`))
  wire.on('close', () => events.push('close'))
  send(bytes)
  assert.equal(events.length, 2, events.join())
  assert.match(events[0]!, pattern)
  assert.equal(events[1], 'close')
  assert.ok(conn.destroyed)
}

test('protocol violations drop the peer with a WireError', async () => {
  await expectProtocolError(m.encodeRequest(0, 0, 128 * 1024 + 1), /request for 131073 bytes/)
  await expectProtocolError(m.encodeRequest(0, 0, 0), /request for 0 bytes/)
  await expectProtocolError(m.encodePieceHeader(0, 0, 40000), /exceeds the limit/, { maxMessageLength: 16384 + 9 })
  await expectProtocolError(Uint8Array.of(0, 0, 0, 3, 4, 0, 0), /must be 5 bytes/)
  await expectProtocolError(m.encodeExtended(0, new TextEncoder().encode('li1ee')), /bad extension handshake/)
})

test('extension handshake before a bitfield is fine; a 128 KiB request is fine', async () => {
  const { wire, send } = await scripted()
  const got: string[] = []
  wire.on('bitfield', () => got.push('bitfield'))
  wire.on('request', (_i, _o, len) => got.push(`request ${len}`))
  send(concat([m.encodeExtended(0, new TextEncoder().encode('d1:md1:xi2eee')), m.encodePort(1), Uint8Array.of(0, 0, 0, 1, 0x70),
    m.encodeBitfield(Uint8Array.of(1)),
    m.encodeRequest(0, 0, 128 * 1024)]))
  assert.deepEqual(got, ['bitfield', 'request 131072'])
  assert.ok(wire.peerSupportsExtension('x'))
  assert.equal(wire.unknownMessages, 1)
  wire.destroy()
})

test('a peer answering with another info hash is dropped', async () => {
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, noTimers)
  wire.handshake(INFO_HASH, ID_B)
  const err = next(wire, 'error')
  conn.emit('data', m.encodeHandshake(new Uint8Array(20), ID_A))
  assert.match((await err)[0].message, /another info hash/)
})

test('extensions get ids 1, 2, ... and messages reach them by the id the peer assigned', async () => {
  const received: string[] = []
  const ext = (name: string): WireExtension => ({
    name,
    onMessage: (p) => received.push(`${name}:${new TextDecoder().decode(p)}`),
    extendHandshake: () => ({ [`${name}_field`]: 1 }),
  })
  // different orders on each side, so the ids differ
  const [a, b] = wirePair(noTimers, [ext('x_one'), ext('x_two')], [ext('x_two'), ext('x_three'), ext('x_one')])
  const hsB = next(b, 'extended-handshake')
  await handshaken(a, b)
  const [h] = await hsB
  assert.deepEqual([...getDict(h, 'm')!], [['x_one', 1], ['x_two', 2]])
  assert.equal(getInt(h, 'x_one_field'), 1)
  await tick()
  a.extended('x_one', new TextEncoder().encode('hello'))
  a.extended('x_two', new TextEncoder().encode('there'))
  assert.throws(() => a.extended('x_four', new Uint8Array(1)), (e: unknown) => e instanceof WireError && e.code === 'extension')
  assert.throws(() => a.use(ext('late')), /before the handshake/)
  await tick()
  assert.deepEqual(received, ['x_one:hello', 'x_two:there'])
  a.destroy()
})

test('small messages in one tick leave in one write; blocks are passed on uncopied', async () => {
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, noTimers)
  const writes: Uint8Array[] = []
  conn.write = (c: Uint8Array) => { writes.push(c); return true }
  wire.handshake(INFO_HASH, ID_B)
  conn.emit('data', m.encodeHandshake(INFO_HASH, ID_A, { fast: true }))
  await tick()
  writes.length = 0
  wire.unchoke(); wire.have(1); wire.have(2)
  const block = new Uint8Array(16384).fill(9)
  wire.piece(1, 0, block)
  await tick()
  assert.equal(writes.length, 2)
  assert.deepEqual(writes[0], concat([m.encodeUnchoke(), m.encodeHave(1), m.encodeHave(2), m.encodePieceHeader(1, 0, 16384)]))
  assert.equal(writes[1], block, 'the very same block object')
  wire.destroy()
})

test('writable follows transport backpressure and drain', async () => {
  const { wire, conn } = await scripted()
  conn.writeResult = false
  wire.piece(0, 0, new Uint8Array(300 * 1024))
  assert.equal(wire.writable, false, 'a large queue is flushed at once and reports backpressure')
  conn.writeResult = true
  const drained = next(wire, 'drain')
  conn.emit('drain')
  await drained
  assert.equal(wire.writable, true)
  wire.destroy()
  assert.equal(wire.writable, false)
})

test('rates and counters use the injected clock', async () => {
  const clock = new FakeClock(1_000_000)
  const { wire, send } = await scripted({ clock, idleTimeoutMs: 0, keepAliveMs: 0 })
  send(m.encodePiece(0, 0, new Uint8Array(10_000)))
  await clock.advance(1000)
  send(m.encodePiece(0, 10_000, new Uint8Array(10_000)))
  await clock.advance(1000)
  assert.equal(wire.downloaded, 20_000)
  assert.equal(wire.downloadRate, 10_000)
  wire.piece(0, 0, new Uint8Array(4000))
  assert.equal(wire.uploaded, 4000)
  assert.equal(wire.uploadRate, 2000)
  await clock.advance(10_000)
  assert.equal(wire.downloadRate, 0)
  wire.destroy()
})

test('destroy emits close once and never throws for an unheard error', async () => {
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, noTimers)
  let closes = 0
  wire.on('close', () => closes++)
  wire.destroy(new Error('bye'))
  wire.destroy(new Error('again'))
  await tick()
  assert.equal(closes, 1)
  assert.ok(conn.destroyed)
  wire.have(1); wire.piece(0, 0, new Uint8Array(1))
  assert.equal(conn.written.length, 0, 'nothing is written after destroy')
})

test('the remote closing the transport closes the wire', async () => {
  const [a, b] = wirePair(noTimers)
  await handshaken(a, b)
  const closed = next(a, 'close')
  b.destroy()
  await closed
  assert.ok(a.destroyed)
})

test('sending before our handshake is refused rather than corrupting the stream', () => {
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, noTimers)
  assert.throws(() => wire.have(1), /handshake first/)
  assert.throws(() => wire.piece(0, 0, new Uint8Array(1)), /handshake first/)
  assert.equal(wire.uploaded, 0)
  wire.keepAlive() // silently skipped: timers call it
  wire.destroy()
  assert.equal(conn.written.length, 0)
})

test('fuzz: garbage from a peer closes the wire with a WireError and never throws', async () => {
  let seed = 99
  const rand = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32 }
  let closedWithError = 0
  for (let round = 0; round < 100; round++) {
    const { wire, send } = await scripted()
    const errors: Error[] = []
    if (round % 2 === 0) wire.on('error', (e) => errors.push(e)) // odd rounds: nobody listens
    const junk = new Uint8Array(200).map(() => (rand() < 0.6 ? 0 : Math.floor(rand() * 256)))
    for (let at = 0; at < junk.length; at += 13) send(junk.subarray(at, at + 13))
    if (wire.destroyed && round % 2 === 0) {
      assert.ok(errors[0] instanceof WireError, String(errors[0]))
      closedWithError++
    }
    wire.destroy()
  }
  assert.ok(closedWithError > 10, `closed with error ${closedWithError} times`)
})

test('a piece map may come late and more than once (webtorrent sends have_none after interested)', async () => {
  const { wire, send } = await scripted()
  const got: string[] = []
  wire.on('bitfield', () => got.push('bitfield'))
  wire.on('have-none', () => got.push('have-none'))
  wire.on('have-all', () => got.push('have-all'))
  wire.on('close', () => got.push('close'))
  send(concat([m.encodeInterested(), m.encodeHaveNone(), m.encodeHave(1), m.encodeBitfield(Uint8Array.of(0xff)), m.encodeHaveAll()]))
  assert.deepEqual(got, ['have-none', 'bitfield', 'have-all'])
  assert.equal(wire.destroyed, false)
  wire.destroy()
})
