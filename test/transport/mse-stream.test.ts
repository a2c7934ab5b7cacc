import { test } from 'node:test'
import assert from 'node:assert/strict'
import { acceptIncoming, mseInitiate, MseHandshakeError, MseStream, CRYPTO_PLAINTEXT, CRYPTO_RC4 } from '../../src/transport/mse/index.js'
import { publicKey, rc4Pair, req1Hash, req2Hash, req3Hash, sharedSecret, xor, VC } from '../../src/transport/mse/crypto.js'
import { Wire } from '../../src/wire/index.js'
import { concat, utf8 } from '../../src/util/bytes.js'
import { duplexPair } from '../helpers/duplex-pair.js'
import { findAmong, INFO_HASH, OTHER_HASH, seeded } from './mse-helpers.js'
import type { ReceiverOptions } from '../../src/transport/mse/handshake.js'

const receiver = (over: Partial<ReceiverOptions> = {}): ReceiverOptions => ({
  findInfoHash: findAmong(INFO_HASH, OTHER_HASH), allow: { plaintext: true, rc4: true }, prefer: 'plaintext', ...over,
})
const noTimers = { keepAliveMs: 0, idleTimeoutMs: 0 }
const PEER_A = new Uint8Array(20).fill(0xa), PEER_B = new Uint8Array(20).fill(0xb)

async function failure(p: Promise<unknown>): Promise<MseHandshakeError> {
  try { await p } catch (err) { assert.ok(err instanceof MseHandshakeError, String(err)); return err }
  assert.fail('handshake should have failed')
}

for (const [provide, prefer, method] of [[CRYPTO_RC4, 'plaintext', 'rc4'], [CRYPTO_PLAINTEXT | CRYPTO_RC4, 'plaintext', 'plaintext'], [CRYPTO_PLAINTEXT | CRYPTO_RC4, 'rc4', 'rc4']] as const) {
  test(`two Wires over MSE (provide ${provide}, prefer ${prefer} → ${method}): handshakes and a block cross, bytes intact both ways`, async () => {
    const [a, b] = duplexPair()
    const [sa, sb] = await Promise.all([
      mseInitiate(a, { infoHash: INFO_HASH, provide }),
      acceptIncoming(b, { allowPlain: true, mse: receiver({ prefer }) }),
    ])
    assert.equal(sa.method, method); assert.equal(sb.method, method)
    assert.deepEqual(sb.infoHash, INFO_HASH)
    const wa = new Wire(sa, noTimers), wb = new Wire(sb, noTimers)
    const gotHs = new Promise<Uint8Array>((res) => wb.once('handshake', (ih) => { wb.handshake(INFO_HASH, PEER_B); res(ih) }))
    const aHs = new Promise<void>((res) => wa.once('handshake', () => res()))
    wa.handshake(INFO_HASH, PEER_A)
    assert.deepEqual(await gotHs, INFO_HASH)
    await aHs
    const block = seeded(9)(16384)
    const got = new Promise<Uint8Array>((res) => wa.once('piece', (_i: number, _o: number, data: Uint8Array) => res(data.slice())))
    wb.piece(3, 0, block)
    assert.deepEqual(await got, block)
    wa.destroy(); wb.destroy()
  })
}

test('the receiver delivers the IA and bytes read past the handshake to the Wire first', async () => {
  const [a, b] = duplexPair()
  const hsBytes = concat([utf8('\x13BitTorrent protocol'), new Uint8Array(8), INFO_HASH, PEER_A])
  const accepted = acceptIncoming(b, { allowPlain: true, mse: receiver({ prefer: 'rc4' }) })
  const sa = await mseInitiate(a, { infoHash: INFO_HASH, provide: CRYPTO_RC4, ia: hsBytes.subarray(0, 30) })
  sa.write(hsBytes.subarray(30))
  const sb = await accepted
  const wb = new Wire(sb, noTimers)
  const [ih, id] = await new Promise<[Uint8Array, Uint8Array]>((res) => wb.once('handshake', (i, p) => res([i, p])))
  assert.deepEqual(ih, INFO_HASH); assert.deepEqual(id, PEER_A)
  wb.destroy()
})

test('a plaintext handshake passes through untouched, even one byte at a time', async () => {
  const [a, b] = duplexPair()
  const accepted = acceptIncoming(b, { allowPlain: true, mse: receiver() })
  const hs = concat([utf8('\x13BitTorrent protocol'), new Uint8Array(8), INFO_HASH, PEER_A, utf8('then more')])
  for (let i = 0; i < hs.length; i++) a.write(hs.subarray(i, i + 1))
  const sb = await accepted
  assert.equal(sb.method, 'none')
  const got: Uint8Array[] = []
  await new Promise<void>((res) => sb.on('data', (c) => { got.push(c.slice()); if (concat(got).length === hs.length) res() }))
  assert.deepEqual(concat(got), hs)
})

test('policies: forced refuses a plaintext handshake, disabled refuses MSE', async () => {
  const [a, b] = duplexPair()
  const refused = failure(acceptIncoming(b, { allowPlain: false, mse: receiver({ allow: { plaintext: false, rc4: true } }) }))
  a.write(concat([utf8('\x13BitTorrent protocol'), new Uint8Array(48)]))
  assert.match((await refused).message, /plaintext handshake refused/)
  const [c, d] = duplexPair()
  const noMse = failure(acceptIncoming(d, { allowPlain: true, mse: undefined }))
  void mseInitiate(c, { infoHash: INFO_HASH, provide: CRYPTO_RC4 }).catch(() => undefined)
  assert.match((await noMse).message, /encryption is disabled/)
  // a forced receiver and an initiator that offers only plaintext have nothing in common
  const [e, f] = duplexPair()
  const forced = failure(acceptIncoming(f, { allowPlain: false, mse: receiver({ allow: { plaintext: false, rc4: true } }) }))
  const ini = failure(mseInitiate(e, { infoHash: INFO_HASH, provide: CRYPTO_PLAINTEXT }))
  assert.match((await forced).message, /no method in common/)
  assert.equal((await ini).reason, 'closed')
})

/** Feeds bytes one per macrotask until the victim hangs up; returns how many it took. */
async function feedUntilClosed(write: (b: Uint8Array) => void, victim: { closed: boolean }, bytes: Uint8Array): Promise<number> {
  let n = 0
  for (; n < bytes.length && !victim.closed; n++) {
    write(bytes.subarray(n, n + 1))
    await new Promise((res) => setImmediate(res))
  }
  return n
}

test('hostile: garbage instead of Ya is dropped within 96 + 512 + 20 bytes', async () => {
  const [a, b] = duplexPair()
  const p = failure(acceptIncoming(b, { allowPlain: true, mse: receiver() }))
  const garbage = seeded(77)(5000); garbage[0] = 0x42
  const fed = await feedUntilClosed((x) => a.write(x), b, garbage)
  const err = await p
  assert.equal(err.reason, 'protocol')
  assert.ok(fed <= 96 + 512 + 20, `took ${fed} bytes`)
})

test('hostile: a receiver that never sends the VC is dropped within 96 + 512 + 8 bytes', async () => {
  const [a, b] = duplexPair()
  const p = failure(mseInitiate(a, { infoHash: INFO_HASH, provide: CRYPTO_RC4 }))
  const yb = publicKey(seeded(5)(20))
  const fed = await feedUntilClosed((x) => b.write(x), a, concat([yb, seeded(78)(5000)]))
  assert.equal((await p).reason, 'protocol')
  assert.ok(fed <= 96 + 512 + 8, `took ${fed} bytes`)
})

test('hostile: weak public keys (0, 1) are refused at once', async () => {
  for (const key of [new Uint8Array(96), (() => { const k = new Uint8Array(96); k[95] = 1; return k })()]) {
    const [a, b] = duplexPair()
    const p = failure(acceptIncoming(b, { allowPlain: true, mse: receiver() }))
    a.write(key)
    assert.match((await p).message, /invalid public key/)
  }
})

/** A hand-made initiator: real DH, then step 3 with fields we choose. */
async function craftedInitiator(fields: { skey?: Uint8Array; vc?: Uint8Array; provide?: number; padC?: number; iaLen?: number }, policy = receiver()): Promise<MseHandshakeError> {
  const [a, b] = duplexPair()
  const p = failure(acceptIncoming(b, { allowPlain: true, mse: policy }))
  const x = seeded(21)(20)
  const yb = new Promise<Uint8Array>((res) => a.once('data', (c) => res(c.slice(0, 96))))
  a.write(publicKey(x))
  const s = sharedSecret(await yb, x)!
  const skey = fields.skey ?? INFO_HASH
  const { a: rc4a } = rc4Pair(s, skey)
  const provide = fields.provide ?? CRYPTO_RC4, padC = fields.padC ?? 0
  const enc = new Uint8Array(8 + 4 + 2 + 2)
  enc.set(fields.vc ?? VC)
  new DataView(enc.buffer).setUint32(8, provide)
  new DataView(enc.buffer).setUint16(12, padC)
  new DataView(enc.buffer).setUint16(14, fields.iaLen ?? 0)
  a.write(concat([req1Hash(s), xor(req2Hash(skey), req3Hash(s)), rc4a.processCopy(enc)]))
  return p
}

test('hostile: wrong info hash in req2, bad VC, no provide bits, oversized PadC', async () => {
  assert.match((await craftedInitiator({ skey: new Uint8Array(20).fill(3) })).message, /torrent we do not have/)
  assert.match((await craftedInitiator({ vc: new Uint8Array(8).fill(1) })).message, /verification constant/)
  assert.match((await craftedInitiator({ provide: 0 })).message, /no method in common/)
  assert.match((await craftedInitiator({ provide: 0x80 })).message, /no method in common/)
  assert.match((await craftedInitiator({ padC: 513 })).message, /PadC of 513/)
  assert.match((await craftedInitiator({ padC: 0xffff })).message, /PadC of 65535/)
})

/** A hand-made receiver: real DH, then step 4 with the crypto_select and PadD we choose. */
async function craftedReceiver(select: number, padD: number, provide = CRYPTO_PLAINTEXT | CRYPTO_RC4): Promise<MseHandshakeError> {
  const [a, b] = duplexPair()
  const p = failure(mseInitiate(a, { infoHash: INFO_HASH, provide }))
  const y = seeded(22)(20)
  const ya = new Promise<Uint8Array>((res) => b.once('data', (c) => res(c.slice(0, 96))))
  const s = sharedSecret(await ya, y)!
  b.write(publicKey(y))
  const { b: rc4b } = rc4Pair(s, INFO_HASH)
  const f = new Uint8Array(14)
  new DataView(f.buffer).setUint32(8, select)
  new DataView(f.buffer).setUint16(12, padD)
  b.write(rc4b.processCopy(f))
  return p
}

test('hostile: crypto_select with no bit, several bits, one not offered; oversized PadD', async () => {
  assert.match((await craftedReceiver(0, 0)).message, /crypto_select 0 is not one method/)
  assert.match((await craftedReceiver(3, 0)).message, /crypto_select 3 is not one method/)
  assert.match((await craftedReceiver(0x10, 0)).message, /not one method/)
  assert.match((await craftedReceiver(CRYPTO_PLAINTEXT, 0, CRYPTO_RC4)).message, /was not offered/)
  assert.match((await craftedReceiver(CRYPTO_RC4, 513)).message, /PadD of 513/)
})

test('hostile: a peer that stalls mid-handshake is dropped at the timeout; one that hangs up is "closed"', async () => {
  const [a, b] = duplexPair()
  const p = failure(acceptIncoming(b, { allowPlain: true, mse: receiver(), timeoutMs: 150 }))
  a.write(publicKey(seeded(3)(20)).subarray(0, 50))
  const err = await p
  assert.equal(err.reason, 'timeout')
  assert.ok(b.closed)
  const [c, d] = duplexPair()
  const q = failure(mseInitiate(c, { infoHash: INFO_HASH, provide: CRYPTO_RC4 }))
  d.once('data', () => d.destroy())
  assert.equal((await q).reason, 'closed')
})

test('hostile peers do not disturb a good handshake running at the same time', async () => {
  const [a, b] = duplexPair(), [c, d] = duplexPair(), [e, f] = duplexPair()
  const bad1 = failure(acceptIncoming(d, { allowPlain: true, mse: receiver() }))
  const bad2 = failure(acceptIncoming(f, { allowPlain: true, mse: receiver(), timeoutMs: 200 }))
  c.write(seeded(8)(2000))
  e.write(new Uint8Array(10).fill(0x13))
  const [sa, sb] = await Promise.all([
    mseInitiate(a, { infoHash: OTHER_HASH, provide: CRYPTO_RC4 }),
    acceptIncoming(b, { allowPlain: true, mse: receiver() }),
  ])
  assert.ok(sa instanceof MseStream && sb instanceof MseStream)
  assert.deepEqual(sb.infoHash, OTHER_HASH)
  const got = new Promise<Uint8Array>((res) => sb.on('data', (x) => res(x.slice())))
  sa.write(utf8('still fine'))
  assert.deepEqual(await got, utf8('still fine'))
  assert.equal((await bad1).reason, 'protocol')
  assert.equal((await bad2).reason, 'timeout')
})
