import type { PeerAddress } from '../transport/types.js'

interface Entry {
  addr: PeerAddress
  failures: number
  retryAt: number
  connected: boolean
  dialing: boolean
  /** it had every piece when we last met: a seeding torrent does not dial it */
  seed: boolean
}

/** Peers we know of and whether to dial them: new ones first, failed ones after an
 * exponential backoff, banned ones never. Bounded, so a tracker or PEX flood cannot grow it. */
export class AddressBook {
  readonly #entries = new Map<string, Entry>()
  readonly #banned = new Set<string>()
  readonly #now: () => number

  constructor(private readonly max = 2000, now: () => number = Date.now) {
    this.#now = now
  }

  static key(a: PeerAddress): string {
    return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`
  }

  add(addr: PeerAddress): boolean {
    const key = AddressBook.key(addr)
    if (this.#banned.has(key) || this.#entries.has(key) || this.#entries.size >= this.max) return false
    if (!(addr.port > 0 && addr.port < 65536)) return false
    this.#entries.set(key, { addr, failures: 0, retryAt: 0, connected: false, dialing: false, seed: false })
    return true
  }

  /** Up to `n` addresses ready to dial now, marked as dialing; `skipSeeds` leaves out the
   * ones known as seeds (we are one: they have nothing to trade). */
  takeDialable(n: number, skipSeeds = false): PeerAddress[] {
    const now = this.#now()
    const out: PeerAddress[] = []
    for (const e of this.#entries.values()) {
      if (out.length >= n) break
      if (e.connected || e.dialing || e.retryAt > now || (skipSeeds && e.seed)) continue
      e.dialing = true
      out.push(e.addr)
    }
    return out
  }

  /** Only addresses we know as dialable are tracked: a WebRTC pseudo-address handed over
   * with a connection must never be dialed over TCP later. */
  connected(addr: PeerAddress): void {
    const e = this.#entries.get(AddressBook.key(addr))
    if (!e) return
    e.connected = true; e.dialing = false; e.failures = 0
  }

  /** A dial failed or a connection ended: try again later, backing off on repeated failure. */
  disconnected(addr: PeerAddress, failed: boolean): void {
    const e = this.#entries.get(AddressBook.key(addr))
    if (!e) return
    e.connected = false; e.dialing = false
    if (failed) e.failures++
    if (e.failures >= 6) { this.#entries.delete(AddressBook.key(addr)); return }
    e.retryAt = this.#now() + (failed ? 5_000 * 2 ** e.failures : 30_000)
  }

  /** A peer we left ourselves (we were done) may be dialed again at once, without the
   * usual pause, now that we want data again. False while its connection is still closing. */
  retryNow(key: string): boolean {
    const e = this.#entries.get(key)
    if (e?.connected) return false
    if (e) { e.failures = 0; e.retryAt = 0; e.seed = false }
    return true
  }

  /** The peer at this address has every piece. */
  markSeed(addr: PeerAddress): void {
    const e = this.#entries.get(AddressBook.key(addr))
    if (e) e.seed = true
  }

  ban(addr: PeerAddress): void {
    const key = AddressBook.key(addr)
    this.#banned.add(key)
    this.#entries.delete(key)
  }

  isBanned(addr: PeerAddress): boolean {
    return this.#banned.has(AddressBook.key(addr))
  }

  isConnected(addr: PeerAddress): boolean {
    return this.#entries.get(AddressBook.key(addr))?.connected === true
  }

  get size(): number { return this.#entries.size }
}
