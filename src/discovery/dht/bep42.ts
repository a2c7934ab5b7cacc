/** BEP 42 (DHT security extension): a node id's first 21 bits are tied to its IP through
 * CRC32C, so nobody can place many nodes next to a chosen info hash. IPv4 only. */
import { randomBytes } from '../../util/bytes.js'
import { isLocalIPv4, parseIPv4 } from './types.js'
import type { RandomBytes } from './node-id.js'

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const V4_MASK = [0x03, 0x0f, 0x3f, 0xff]

/** crc32c((ip & 0x030f3fff) | (r << 29)) for the 3-bit `r` (BEP 42). */
function prefixCrc(ip: Uint8Array, r: number): number {
  const masked = new Uint8Array(4)
  for (let i = 0; i < 4; i++) masked[i] = ip[i]! & V4_MASK[i]!
  masked[0] = masked[0]! | ((r & 7) << 5)
  return crc32c(masked)
}

/** A node id valid for `host` per BEP 42; `rand` is the random byte stored last. */
export function bep42NodeId(host: string, random: RandomBytes = randomBytes, rand?: number): Uint8Array {
  const ip = parseIPv4(host)
  if (!ip) throw new TypeError(`not an IPv4 address: ${host}`)
  const id = random(20)
  const last = rand ?? id[19]!
  const crc = prefixCrc(ip, last & 7)
  id[0] = (crc >>> 24) & 0xff
  id[1] = (crc >>> 16) & 0xff
  id[2] = ((crc >>> 8) & 0xf8) | (id[2]! & 0x07)
  id[19] = last & 0xff
  return id
}

/** Whether `id` obeys BEP 42 for `host`. Local addresses (loopback, private, link-local)
 * are exempt and always pass; non-IPv4 hosts cannot be checked and pass too. */
export function isBep42Valid(id: Uint8Array, host: string): boolean {
  if (isLocalIPv4(host)) return true
  const ip = parseIPv4(host)
  if (!ip) return true
  const crc = prefixCrc(ip, id[19]! & 7)
  return id[0] === ((crc >>> 24) & 0xff) && id[1] === ((crc >>> 16) & 0xff) && (id[2]! & 0xf8) === ((crc >>> 8) & 0xf8)
}
