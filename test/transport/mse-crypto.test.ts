import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createDiffieHellman } from 'node:crypto'
import { Rc4 } from '../../src/transport/mse/rc4.js'
import { P, publicKey, sharedSecret, rc4Pair, toBytes, KEY_BYTES } from '../../src/transport/mse/crypto.js'
import { fromHex, toHex, utf8 } from '../../src/util/bytes.js'
import { seeded } from './mse-helpers.js'

test('RC4: classic test vectors', () => {
  const cases: [string, string, string][] = [
    ['Key', 'Plaintext', 'bbf316e8d940af0ad3'],
    ['Wiki', 'pedia', '1021bf0420'],
    ['Secret', 'Attack at dawn', '45a01f645fc35b383552544b9bf5'],
  ]
  for (const [key, text, hex] of cases) {
    const data = utf8(text)
    new Rc4(utf8(key)).process(data)
    assert.equal(toHex(data), hex)
  }
})

test('RC4: RFC 6229 keystream at offsets 0 and 1024 (the offset RC4-drop1024 starts at)', () => {
  const z = new Uint8Array(1040)
  new Rc4(fromHex('0102030405')).process(z)
  assert.equal(toHex(z.subarray(0, 16)), 'b2396305f03dc027ccc3524a0a1118a8')
  assert.equal(toHex(z.subarray(1024, 1040)), '30abbcc7c20b01609f23ee2d5f6bb7df')
  const dropped = new Uint8Array(16)
  new Rc4(fromHex('0102030405'), 1024).process(dropped)
  assert.equal(toHex(dropped), '30abbcc7c20b01609f23ee2d5f6bb7df')
  const k128 = new Uint8Array(16)
  new Rc4(fromHex('0102030405060708090a0b0c0d0e0f10')).process(k128)
  assert.equal(toHex(k128), '9ac7cc9a609d1ef7b2932899cde41b97')
})

test('RC4: the word loop equals the byte loop at every alignment, length and split', () => {
  const rnd = seeded(7)
  const key = rnd(20)
  const plain = rnd(300)
  const expected = plain.slice()
  // byte-at-a-time never reaches the word loop (it needs 16 bytes)
  const ref = new Rc4(key)
  for (let i = 0; i < expected.length; i++) ref.process(expected.subarray(i, i + 1))
  for (let offset = 0; offset < 8; offset++) {
    for (const split of [0, 1, 3, 17, 64, 151, 299]) {
      const buf = new Uint8Array(offset + plain.length)
      buf.set(plain, offset)
      const r = new Rc4(key)
      r.process(buf.subarray(offset, offset + split))
      r.process(buf.subarray(offset + split))
      assert.deepEqual(buf.subarray(offset), expected, `offset ${offset} split ${split}`)
    }
  }
})

test('RC4: agrees with OpenSSL (legacy provider) over 1 MiB', (t) => {
  const key = seeded(3)(16)
  const plain = seeded(4)(1 << 20)
  const r = spawnSync('openssl', ['enc', '-rc4', '-K', toHex(key), '-nosalt', '-provider', 'legacy', '-provider', 'default'], { input: plain, maxBuffer: 4 << 20 })
  if (r.status !== 0) { t.skip(`openssl has no rc4 here: ${r.stderr.toString().slice(0, 200)}`); return }
  const ours = plain.slice()
  new Rc4(key).process(ours)
  assert.ok(Buffer.from(ours).equals(r.stdout))
})

test('DH: our public keys and shared secrets agree with node:crypto on the MSE prime', () => {
  const prime = Buffer.from(toBytes(P))
  assert.ok(prime.toString('hex').endsWith('a63a36210000000000090563'))
  const rnd = seeded(11)
  for (let i = 0; i < 5; i++) {
    const xa = rnd(20), xb = rnd(20)
    const node = createDiffieHellman(prime, 2)
    node.setPrivateKey(Buffer.from(xa))
    node.generateKeys()
    const ya = publicKey(xa), yb = publicKey(xb)
    assert.equal(ya.length, KEY_BYTES)
    assert.equal(toHex(ya), node.getPublicKey('hex').padStart(KEY_BYTES * 2, '0'))
    const s = sharedSecret(yb, xa)!
    assert.deepEqual(s, sharedSecret(ya, xb))
    assert.equal(toHex(s), node.computeSecret(Buffer.from(yb)).toString('hex').padStart(KEY_BYTES * 2, '0'))
  }
})

test('DH: weak public keys (0, 1, P-1, P and above) are refused', () => {
  const p = P
  const x = seeded(1)(20)
  for (const y of [0n, 1n, p - 1n, p, p + 5n, (1n << 768n) - 1n]) assert.equal(sharedSecret(toBytes(y), x), undefined, `y=${y}`)
  assert.ok(sharedSecret(toBytes(2n), x))
})

test('key derivation: keyA/keyB are SHA-1 of the name, S and SKEY, RC4 with 1024 bytes dropped', async () => {
  const { createHash } = await import('node:crypto')
  const s = seeded(5)(96), skey = seeded(6)(20)
  const { a, b } = rc4Pair(s, skey)
  for (const [name, cipher] of [['keyA', a], ['keyB', b]] as const) {
    const key = createHash('sha1').update(name).update(s).update(skey).digest()
    const ref = new Uint8Array(1024 + 32)
    new Rc4(key).process(ref)
    const got = new Uint8Array(32)
    cipher.process(got)
    assert.deepEqual(got, ref.subarray(1024), name)
  }
})
