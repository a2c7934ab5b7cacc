/** How many connections a client holds, and from whom, so that no one address can lock it
 * out (libtorrent's rules in spirit):
 * - at most `maxPerAddress` connections to or from one IP address, in all;
 * - sockets that have not yet named a torrent (pre-handshake) have their own, smaller budget:
 *   when it is full the oldest of them makes way, so a flood of silent sockets cannot keep
 *   an honest peer out, and they never count against the budget for our own dials;
 * - established connections (in and out) share `maxConnections`. */
import type { Duplex } from '../transport/types.js'

export interface BudgetLimits {
  maxConnections: number
  maxPerAddress: number
  maxPending: number
}

export class ConnectionBudget {
  readonly #pending = new Set<Duplex>()
  readonly #established = new Set<Duplex>()
  readonly #perAddress = new Map<string, number>()

  constructor(readonly limits: BudgetLimits) {}

  get established(): number { return this.#established.size }
  get pending(): number { return this.#pending.size }

  /** An inbound socket before its handshake: false when it must be refused. */
  admitIncoming(conn: Duplex, host: string): boolean {
    if (!this.#addressHasRoom(host)) return false
    if (this.#pending.size >= this.limits.maxPending) {
      const oldest = this.#pending.values().next().value
      if (oldest) { this.#pending.delete(oldest); oldest.destroy(new Error('too many connections waiting for a handshake')) }
    }
    this.#pending.add(conn)
    this.#count(conn, host)
    return true
  }

  /** The inbound socket named one of our torrents: it is a peer now, if there is room. */
  promote(conn: Duplex): boolean {
    if (!this.#pending.delete(conn)) return this.#established.has(conn)
    if (this.#established.size >= this.limits.maxConnections) return false
    this.#established.add(conn)
    return true
  }

  /** Room for one more dial (to `host`, when known)? */
  canDial(host?: string): boolean {
    return this.#established.size < this.limits.maxConnections && (host === undefined || this.#addressHasRoom(host))
  }

  /** A dialed connection is open. */
  addOutgoing(conn: Duplex, host: string): void {
    this.#established.add(conn)
    this.#count(conn, host)
  }

  closeAll(): void {
    for (const c of [...this.#pending, ...this.#established]) c.destroy()
  }

  #addressHasRoom(host: string): boolean {
    return (this.#perAddress.get(host) ?? 0) < this.limits.maxPerAddress
  }

  #count(conn: Duplex, host: string): void {
    this.#perAddress.set(host, (this.#perAddress.get(host) ?? 0) + 1)
    conn.on('close', () => {
      this.#pending.delete(conn)
      this.#established.delete(conn)
      const n = (this.#perAddress.get(host) ?? 1) - 1
      if (n <= 0) this.#perAddress.delete(host); else this.#perAddress.set(host, n)
    })
  }
}
