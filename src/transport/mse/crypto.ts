/** The key exchange and hashes of Message Stream Encryption (the de-facto spec from the
 * Azureus wiki; our notes in shared/specs/mse.md): Diffie-Hellman over a 768-bit prime
 * with generator 2, SHA-1 for every HASH, RC4 keys from the shared secret and
 * the torrent's info hash (SKEY). BigInt arithmetic: one 160-bit-exponent modpow costs
 * ~0.2 ms here, where node:crypto's createDiffieHellman took ~16 ms per key pair. */
import { sha1 } from '../../util/sha1.js'
import { concat, utf8 } from '../../util/bytes.js'
import { Rc4 } from './rc4.js'

/** MSE's prime. Not quite RFC 2409's Oakley group 1 (whose last 64 bits are all ones):
 * it ends ...A63A3621 0000000000090563, as every implementation we talk to uses. */
export const P = BigInt('0x' +
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1' +
  '29024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245' +
  'E485B576625E7EC6F44C42E9A63A36210000000000090563')

/** Public keys and the shared secret travel as 96-byte big-endian integers. */
export const KEY_BYTES = 96
/** 160 random bits of private key, as the spec suggests. */
export const PRIVATE_KEY_BYTES = 20
/** The verification constant: 8 zero bytes. */
export const VC = new Uint8Array(8)
export const CRYPTO_PLAINTEXT = 0x01
export const CRYPTO_RC4 = 0x02
export const MAX_PAD = 512

export function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = 0; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

export function toBytes(n: bigint, length = KEY_BYTES): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = length - 1; i >= 0 && n > 0n; i--) { out[i] = Number(n & 0xffn); n >>= 8n }
  return out
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n
  base %= mod
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod
    base = (base * base) % mod
    exp >>= 1n
  }
  return result
}

/** Our public key Y = 2^X mod P for a private key X. */
export function publicKey(privateKey: Uint8Array): Uint8Array {
  return toBytes(modPow(2n, toBigInt(privateKey), P))
}

/** S = Y^X mod P, or undefined for a key outside [2, P-2] (0, 1 and P-1 would make the
 * secret guessable). */
export function sharedSecret(theirPublic: Uint8Array, privateKey: Uint8Array): Uint8Array | undefined {
  const y = toBigInt(theirPublic)
  if (y < 2n || y > P - 2n) return undefined
  return toBytes(modPow(y, toBigInt(privateKey), P))
}

const REQ1 = utf8('req1'), REQ2 = utf8('req2'), REQ3 = utf8('req3'), KEY_A = utf8('keyA'), KEY_B = utf8('keyB')

/** HASH('req1', S): the initiator's sync marker. */
export const req1Hash = (s: Uint8Array): Uint8Array => sha1(concat([REQ1, s]))
/** HASH('req2', SKEY): what a receiver looks its torrents up by. */
export const req2Hash = (skey: Uint8Array): Uint8Array => sha1(concat([REQ2, skey]))
export const req3Hash = (s: Uint8Array): Uint8Array => sha1(concat([REQ3, s]))

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!
  return out
}

/** The initiator (A) sends with keyA and the receiver (B) with keyB; each decrypts with the
 * other's. The first 1024 keystream bytes are discarded (RC4-drop1024). */
export function rc4Pair(s: Uint8Array, skey: Uint8Array): { a: Rc4; b: Rc4 } {
  return {
    a: new Rc4(sha1(concat([KEY_A, s, skey])), 1024),
    b: new Rc4(sha1(concat([KEY_B, s, skey])), 1024),
  }
}
