import { test } from 'node:test'
import assert from 'node:assert/strict'
import { UtMetadata, Wire, WireError, WireParser, type WireOptions } from '../../src/wire/index.js'
import * as m from '../../src/wire/messages.js'
import { decode, decodePrefix, encode, getDict, getInt, isDict, type BDict } from '../../src/bencode/index.js'
import { concat, randomBytes } from '../../src/util/bytes.js'
import { sha1 } from '../../src/util/sha1.js'
import { duplexPair } from '../helpers/duplex-pair.js'
import { FakeDuplex, ID_A, ID_B, next, tick } from './helpers.js'

const noTimers = { keepAliveMs: 0, idleTimeoutMs: 0 }

/** a wants the metadata from b; b serves `serve` (if any) and may add handshake fields. */
function transfer(infoHash: Uint8Array, serve: Uint8Array | undefined, bOpts: WireOptions = {}) {
  const [x, y] = duplexPair()
  const wa = new Wire(x, noTimers), wb = new Wire(y, { ...noTimers, ...bOpts })
  const utA = new UtMetadata({ wire: wa, infoHash })
  const utB = new UtMetadata({ wire: wb, infoHash, getMetadata: () => serve })
  wa.use(utA); wb.use(utB)
  utA.fetch()
  wb.once('handshake', () => wb.handshake(infoHash, ID_B))
  wa.handshake(infoHash, ID_A)
  return { wa, wb, utA, utB }
}

test('ut_metadata moves a 50 KiB info dictionary and checks its hash', async () => {
  const info = randomBytes(50_000)
  const infoHash = sha1(info)
  const { wa, wb, utA } = transfer(infoHash, info)
  const [hs] = await next(wa, 'extended-handshake')
  assert.equal(getInt(hs, 'metadata_size'), 50_000)
  assert.ok(getInt(getDict(hs, 'm')!, 'ut_metadata')! > 0)
  const [got] = await next(utA, 'metadata')
  assert.deepEqual(got, info)
  assert.ok(!wa.destroyed && !wb.destroyed, 'an honest peer stays connected')
  utA.fetch() // a second call does nothing
  wa.destroy()
})

test('a peer claiming 2 GB of metadata is refused and dropped', async () => {
  const { wa, utA } = transfer(new Uint8Array(20), undefined, { extendedHandshake: () => ({ metadata_size: 2 ** 31 }) })
  const errors: Error[] = []
  wa.on('error', (e) => errors.push(e))
  const [err] = await next(utA, 'failed')
  assert.match(err.message, /claims metadata of 2147483648 bytes/)
  await tick()
  assert.ok(wa.destroyed)
  assert.equal(errors.length, 1)
})

test('metadata that does not hash to the info hash fails and drops the peer', async () => {
  const info = randomBytes(20_000)
  const { wa, utA } = transfer(sha1(randomBytes(10)), info)
  wa.on('error', () => undefined)
  let succeeded = false
  utA.on('metadata', () => { succeeded = true })
  const [err] = await next(utA, 'failed')
  assert.match(err.message, /does not match the info hash/)
  await tick()
  assert.ok(wa.destroyed && !succeeded)
})

test('a peer without the metadata rejects; we give up on it but stay connected', async () => {
  const { wa, wb, utA } = transfer(new Uint8Array(20), undefined, { extendedHandshake: () => ({ metadata_size: 1000 }) })
  const [err] = await next(utA, 'failed')
  assert.match(err.message, /rejected/)
  await tick()
  assert.ok(!wa.destroyed && !wb.destroyed)
  wa.destroy()
})

test('a wire closing mid-fetch reports failure', async () => {
  const info = randomBytes(100_000)
  const { wa, wb, utA } = transfer(sha1(info), info)
  await next(wa, 'extended-handshake')
  const failed = next(utA, 'failed')
  wb.destroy()
  assert.match((await failed)[0].message, /closed/)
  assert.ok(wa.destroyed)
})

// ---- a scripted lying peer ----------------------------------------------------------------

const PEER_UT_ID = 3 // the id our scripted peer gives ut_metadata; ours is 1 (first extension)
const te = new TextEncoder()

async function liar(size: number, fetch = true) {
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, noTimers)
  const infoHash = new Uint8Array(20).fill(5)
  const ut = new UtMetadata({ wire, infoHash })
  wire.use(ut)
  if (fetch) ut.fetch()
  wire.handshake(infoHash, ID_B)
  conn.emit('data', concat([m.encodeHandshake(infoHash, ID_A, { extended: true }),
    m.encodeExtended(0, encode({ m: { ut_metadata: PEER_UT_ID }, metadata_size: size }))]))
  await tick()
  const failures: Error[] = [], errors: Error[] = []
  ut.on('failed', (e) => failures.push(e))
  wire.on('error', (e) => errors.push(e))
  const data = (dict: Record<string, number>, bytes: Uint8Array) => conn.emit('data', m.encodeExtended(1, concat([encode(dict), bytes])))
  return { conn, wire, ut, failures, errors, data }
}

/** The ut_metadata messages our wire sent to the scripted peer. */
function sentUtMessages(conn: FakeDuplex): BDict[] {
  const parsed = new WireParser().push(conn.bytes())
  return parsed.flatMap((msg) => msg.type === 'extended' && msg.id === PEER_UT_ID
    ? [decodePrefix(msg.payload, 0).value as BDict] : [])
}

test('we request every piece of the advertised size, once', async () => {
  const { conn, wire } = await liar(40_000)
  const reqs = sentUtMessages(conn).map((d) => [getInt(d, 'msg_type'), getInt(d, 'piece')])
  assert.deepEqual(reqs, [[0, 0], [0, 1], [0, 2]])
  wire.destroy()
})

test('lying peers are caught: wrong piece, wrong total_size, wrong length, unasked data', async () => {
  const cases: [string, (l: Awaited<ReturnType<typeof liar>>) => void, RegExp][] = [
    ['piece never requested', (l) => l.data({ msg_type: 1, piece: 7, total_size: 20_000 }, new Uint8Array(16384)), /unrequested metadata piece 7/],
    ['total_size differs', (l) => l.data({ msg_type: 1, piece: 0, total_size: 30_000 }, new Uint8Array(16384)), /total_size 30000/],
    ['short middle piece', (l) => l.data({ msg_type: 1, piece: 0, total_size: 20_000 }, new Uint8Array(100)), /has 100 bytes, expected 16384/],
    ['long last piece', (l) => l.data({ msg_type: 1, piece: 1, total_size: 20_000 }, new Uint8Array(16384)), /expected 3616/],
  ]
  for (const [name, act, pattern] of cases) {
    const l = await liar(20_000)
    act(l)
    await tick()
    assert.equal(l.failures.length, 1, name)
    assert.match(l.failures[0]!.message, pattern, name)
    assert.ok(l.wire.destroyed && l.conn.destroyed, `${name}: dropped`)
    assert.ok(l.errors[0] instanceof WireError, `${name}: error event`)
  }
  const quiet = await liar(20_000, false)
  quiet.data({ msg_type: 1, piece: 0, total_size: 20_000 }, new Uint8Array(16384))
  assert.ok(quiet.wire.destroyed, 'data we never asked for drops the peer even when not fetching')
  assert.match(quiet.errors[0]!.message, /without a request/)
})

test('serving: data for pieces we have, reject for the rest, reject when we lack metadata', async () => {
  const info = randomBytes(20_000)
  const conn = new FakeDuplex()
  const wire = new Wire(conn.duplex, noTimers)
  const infoHash = sha1(info)
  wire.use(new UtMetadata({ wire, infoHash, getMetadata: () => info }))
  wire.handshake(infoHash, ID_B)
  conn.emit('data', concat([m.encodeHandshake(infoHash, ID_A, { extended: true }),
    m.encodeExtended(0, encode({ m: { ut_metadata: PEER_UT_ID } })),
    m.encodeExtended(1, te.encode('d8:msg_typei0e5:piecei1ee')),
    m.encodeExtended(1, te.encode('d8:msg_typei0e5:piecei2ee')),
    m.encodeExtended(1, te.encode('d8:msg_typei9e5:piecei0ee'))])) // unknown type: ignored
  await tick()
  const out = new WireParser().push(conn.bytes()).filter((msg) => msg.type === 'extended')
  assert.equal(out.length, 3) // our extension handshake + two answers
  const ours = out[0]!.type === 'extended' ? decode(out[0]!.payload) : undefined
  assert.ok(isDict(ours) && getInt(ours, 'metadata_size') === 20_000)
  const answers = out.slice(1).map((msg) => {
    assert.ok(msg.type === 'extended')
    const { value, end } = decodePrefix(msg.payload, 0)
    return { dict: value as BDict, rest: msg.payload.subarray(end) }
  })
  assert.deepEqual([getInt(answers[0]!.dict, 'msg_type'), getInt(answers[0]!.dict, 'piece'), getInt(answers[0]!.dict, 'total_size')], [1, 1, 20_000])
  assert.deepEqual(answers[0]!.rest, info.subarray(16384))
  assert.deepEqual([getInt(answers[1]!.dict, 'msg_type'), getInt(answers[1]!.dict, 'piece')], [2, 2])
  wire.destroy()
})
