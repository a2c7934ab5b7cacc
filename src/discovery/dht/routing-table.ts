/** The routing table (BEP 5): k-buckets over the 160-bit XOR space. Bucket i holds the
 * nodes sharing exactly i leading bits with our id; the last bucket holds every node at
 * least that close and is the only one that splits (it is the one "our own id falls in").
 * Only nodes that answered one of our queries enter; nodes that stop answering go bad and
 * are replaced from a per-bucket replacement cache. Pure: time comes from `now`. */
import { commonPrefixBits, compareDistance, copyId, ID_BITS, randomIdInBucket, type RandomBytes } from './node-id.js'
import { addressKey, isLocalIPv4, type Contact } from './types.js'
import { equalBytes } from '../../util/bytes.js'

export const QUESTIONABLE_AFTER_MS = 15 * 60_000
/** unanswered queries in a row after which a node is bad (BEP 5: "multiple"; try once more) */
export const BAD_AFTER_FAILURES = 2
/** a bad node nobody replaced is forgotten after this many failures */
const FORGET_AFTER_FAILURES = 5

export type NodeStatus = 'good' | 'questionable' | 'bad'

export interface TableNode extends Contact {
  /** when it last answered one of our queries (ms) */
  lastResponse: number
  /** when it last sent us a query (ms; 0 = never) */
  lastQuery: number
  /** our queries it left unanswered in a row */
  failures: number
}

interface Bucket {
  nodes: TableNode[]
  /** newest last */
  replacements: TableNode[]
  lastChanged: number
}

export interface RoutingTableOptions {
  selfId: Uint8Array
  now: () => number
  bucketSize?: number
  replacementsPerBucket?: number
  /** nodes per IP address; local addresses are exempt; 0 = no limit */
  maxNodesPerIp?: number
  /** extra admission rule (BEP 42 enforcement); false keeps the node out */
  admit?: (c: Contact) => boolean
}

export type ResponseOutcome =
  | { kind: 'updated' | 'added' | 'rejected' }
  /** the bucket is full: the node waits in the replacement cache; `ping` is the least
   * recently seen questionable node, whose silence would make room (BEP 5) */
  | { kind: 'cached'; ping?: TableNode }

export class RoutingTable {
  readonly selfId: Uint8Array
  readonly #now: () => number
  readonly #bucketSize: number
  readonly #replacements: number
  readonly #maxPerIp: number
  readonly #admit: (c: Contact) => boolean
  #buckets: Bucket[]
  readonly #byAddress = new Map<string, TableNode>()
  readonly #perIp = new Map<string, number>()

  constructor(o: RoutingTableOptions) {
    this.selfId = o.selfId
    this.#now = o.now
    this.#bucketSize = o.bucketSize ?? 8
    this.#replacements = o.replacementsPerBucket ?? 8
    this.#maxPerIp = o.maxNodesPerIp ?? 1
    this.#admit = o.admit ?? (() => true)
    this.#buckets = [{ nodes: [], replacements: [], lastChanged: o.now() }]
  }

  /** nodes in the buckets (not counting replacement caches) */
  get size(): number { return this.#byAddress.size }
  get bucketCount(): number { return this.#buckets.length }

  status(n: TableNode, now = this.#now()): NodeStatus {
    if (n.failures >= BAD_AFTER_FAILURES) return 'bad'
    if (n.failures === 0 &&
      (now - n.lastResponse < QUESTIONABLE_AFTER_MS || now - n.lastQuery < QUESTIONABLE_AFTER_MS)) return 'good'
    return 'questionable'
  }

  get(addr: { host: string; port: number }): TableNode | undefined {
    return this.#byAddress.get(addressKey(addr))
  }

  /** `c` answered one of our queries. */
  responded(c: Contact): ResponseOutcome {
    const now = this.#now()
    const known = this.#byAddress.get(addressKey(c))
    if (known) {
      if (equalBytes(known.id, c.id)) {
        known.lastResponse = now
        known.failures = 0
        this.#bucketOf(known.id).lastChanged = now
        return { kind: 'updated' }
      }
      this.remove(known) // restarted with a new id: the old entry is stale
    }
    if (equalBytes(c.id, this.selfId) || !this.#admit(c)) return { kind: 'rejected' }
    const node: TableNode = { id: copyId(c.id), host: c.host, port: c.port, lastResponse: now, lastQuery: 0, failures: 0 }
    return this.#insert(node)
  }

  /** `c` sent us a query: refreshes a known node. For an unknown one, returns whether it
   * could enter (the caller pings it first: a query alone proves nothing). */
  queried(c: Contact): 'known' | 'worth-ping' | 'no-room' {
    const known = this.#byAddress.get(addressKey(c))
    if (known && equalBytes(known.id, c.id)) { known.lastQuery = this.#now(); return 'known' }
    if (equalBytes(c.id, this.selfId) || !this.#admit(c) || this.#ipFull(c.host)) return 'no-room'
    const b = this.#bucketOf(c.id)
    if (b.nodes.length < this.#bucketSize || b === this.#last() && this.#buckets.length < ID_BITS) return 'worth-ping'
    return b.nodes.some((n) => this.status(n) !== 'good') ? 'worth-ping' : 'no-room'
  }

  /** A query to `addr` went unanswered. A node that goes bad is replaced from the cache. */
  failed(addr: { host: string; port: number }): void {
    const n = this.#byAddress.get(addressKey(addr))
    if (!n) return
    n.failures++
    if (n.failures < BAD_AFTER_FAILURES) return
    const b = this.#bucketOf(n.id)
    const spare = b.replacements.pop()
    if (spare || n.failures >= FORGET_AFTER_FAILURES) this.remove(n)
    if (spare) this.#insert(spare)
  }

  remove(n: TableNode): void {
    const b = this.#bucketOf(n.id)
    const i = b.nodes.indexOf(n)
    if (i < 0) return
    b.nodes.splice(i, 1)
    this.#byAddress.delete(addressKey(n))
    this.#countIp(n.host, -1)
  }

  /** The `count` known nodes closest to `target`, bad ones left out. */
  closest(target: Uint8Array, count: number): TableNode[] {
    const now = this.#now()
    const all: TableNode[] = []
    for (const n of this.#byAddress.values()) if (this.status(n, now) !== 'bad') all.push(n)
    all.sort((a, b) => compareDistance(a.id, b.id, target))
    return all.slice(0, count)
  }

  nodes(): TableNode[] { return [...this.#byAddress.values()] }

  goodNodes(): TableNode[] {
    const now = this.#now()
    return this.nodes().filter((n) => this.status(n, now) === 'good')
  }

  /** Buckets unchanged for `ageMs`: a random target inside each (BEP 5 refresh) and its
   * least recently seen questionable node, to ping. */
  staleBuckets(ageMs: number, random?: RandomBytes): { target: Uint8Array; ping?: TableNode }[] {
    const now = this.#now()
    const out: { target: Uint8Array; ping?: TableNode }[] = []
    this.#buckets.forEach((b, i) => {
      if (now - b.lastChanged < ageMs) return
      b.lastChanged = now // one refresh per period, whatever it finds
      const last = i === this.#buckets.length - 1
      const target = randomIdInBucket(this.selfId, i, !last, random)
      const ping = this.#leastRecentQuestionable(b, now)
      out.push(ping ? { target, ping } : { target })
    })
    return out
  }

  /** A random target in each bucket below our own that holds fewer than `min` nodes: the
   * Kademlia join refreshes them, or the far half of the network would never hear of us. */
  sparseBuckets(min: number, random?: RandomBytes): Uint8Array[] {
    const out: Uint8Array[] = []
    for (let i = 0; i < this.#buckets.length - 1; i++) {
      if (this.#buckets[i]!.nodes.length < min) out.push(randomIdInBucket(this.selfId, i, true, random))
    }
    return out
  }

  #insert(node: TableNode): ResponseOutcome {
    const now = this.#now()
    if (this.#ipFull(node.host)) return { kind: 'rejected' }
    for (;;) {
      const b = this.#bucketOf(node.id)
      const sameId = b.nodes.find((n) => equalBytes(n.id, node.id))
      if (sameId) {
        // One id, two addresses: keep the one we trust (protects against id spoofing)
        if (this.status(sameId, now) === 'good') return { kind: 'rejected' }
        this.remove(sameId)
      }
      if (b.nodes.length < this.#bucketSize) {
        b.nodes.push(node)
        b.lastChanged = now
        this.#byAddress.set(addressKey(node), node)
        this.#countIp(node.host, 1)
        return { kind: 'added' }
      }
      const bad = b.nodes.find((n) => this.status(n, now) === 'bad')
      if (bad) { this.remove(bad); continue }
      if (b === this.#last() && this.#buckets.length < ID_BITS) { this.#split(); continue }
      const key = addressKey(node)
      b.replacements = b.replacements.filter((r) => addressKey(r) !== key)
      b.replacements.push(node)
      if (b.replacements.length > this.#replacements) b.replacements.shift()
      const ping = this.#leastRecentQuestionable(b, now)
      return ping ? { kind: 'cached', ping } : { kind: 'cached' }
    }
  }

  #split(): void {
    const old = this.#last()
    const depth = this.#buckets.length // nodes sharing >= depth bits move to the new bucket
    const moves = (n: TableNode) => commonPrefixBits(this.selfId, n.id) >= depth
    const fresh: Bucket = { nodes: old.nodes.filter(moves), replacements: old.replacements.filter(moves), lastChanged: old.lastChanged }
    old.nodes = old.nodes.filter((n) => !moves(n))
    old.replacements = old.replacements.filter((n) => !moves(n))
    this.#buckets.push(fresh)
  }

  #leastRecentQuestionable(b: Bucket, now: number): TableNode | undefined {
    let best: TableNode | undefined
    for (const n of b.nodes) {
      if (this.status(n, now) !== 'questionable') continue
      if (!best || Math.max(n.lastResponse, n.lastQuery) < Math.max(best.lastResponse, best.lastQuery)) best = n
    }
    return best
  }

  #last(): Bucket { return this.#buckets[this.#buckets.length - 1]! }

  #bucketOf(id: Uint8Array): Bucket {
    const i = Math.min(commonPrefixBits(this.selfId, id), this.#buckets.length - 1)
    return this.#buckets[i]!
  }

  #ipFull(host: string): boolean {
    return this.#maxPerIp > 0 && !isLocalIPv4(host) && (this.#perIp.get(host) ?? 0) >= this.#maxPerIp
  }

  #countIp(host: string, delta: number): void {
    if (this.#maxPerIp <= 0 || isLocalIPv4(host)) return
    const n = (this.#perIp.get(host) ?? 0) + delta
    if (n <= 0) this.#perIp.delete(host)
    else this.#perIp.set(host, n)
  }
}
