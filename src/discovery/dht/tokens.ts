/** Write tokens for announce_peer (BEP 5): SHA-1 of the requester's IP and a secret that
 * changes every 5 minutes; a token made with the previous secret is still accepted, so a
 * token lives 5 to 10 minutes. Bound to the IP alone, as BEP 5 says (not the port). */
import { sha1 } from '../../util/sha1.js'
import { equalBytes, randomBytes, utf8 } from '../../util/bytes.js'
import type { RandomBytes } from './node-id.js'

export const TOKEN_ROTATE_MS = 5 * 60_000
const TOKEN_BYTES = 8

export class TokenManager {
  #current: Uint8Array
  #previous: Uint8Array
  #rotatedAt: number

  constructor(private readonly now: () => number, private readonly random: RandomBytes = randomBytes) {
    this.#current = random(16)
    this.#previous = random(16)
    this.#rotatedAt = now()
  }

  token(ip: string): Uint8Array {
    this.#rotate()
    return this.#make(ip, this.#current)
  }

  check(token: Uint8Array | undefined, ip: string): boolean {
    if (!token || token.length !== TOKEN_BYTES) return false
    this.#rotate()
    return equalBytes(token, this.#make(ip, this.#current)) || equalBytes(token, this.#make(ip, this.#previous))
  }

  #make(ip: string, secret: Uint8Array): Uint8Array {
    const ipBytes = utf8(ip)
    const buf = new Uint8Array(ipBytes.length + secret.length)
    buf.set(ipBytes)
    buf.set(secret, ipBytes.length)
    return sha1(buf).subarray(0, TOKEN_BYTES)
  }

  /** Rotates lazily, as many periods as have passed (two or more: both secrets are new). */
  #rotate(): void {
    const periods = Math.floor((this.now() - this.#rotatedAt) / TOKEN_ROTATE_MS)
    if (periods <= 0) return
    this.#previous = periods === 1 ? this.#current : this.random(16)
    this.#current = this.random(16)
    this.#rotatedAt += periods * TOKEN_ROTATE_MS
  }
}
