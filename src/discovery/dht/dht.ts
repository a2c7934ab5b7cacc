/** A mainline DHT node (BEP 5) over one datagram channel: answers queries, keeps a routing
 * table fresh, looks up and announces peers. Extras: read-only mode (BEP 43), node-id
 * rules tied to IPs (BEP 42) and info-hash sampling (BEP 51). IPv4 only. Platform-neutral:
 * the channel, clock, timers, randomness and DNS are injected. */
import { getBytes, getList, isBytes } from '../../bencode/index.js'
import { Emitter } from '../../util/emitter.js'
import { equalBytes, randomBytes, toHex } from '../../util/bytes.js'
import { bep42NodeId, isBep42Valid } from './bep42.js'
import { decodeNodes, decodePeer, PEER_BYTES } from './compact.js'
import { DhtQueryError } from './errors.js'
import { ExternalIpVotes } from './external-ip.js'
import type { KrpcQuery } from './krpc.js'
import { iterativeLookup, type LookupReply, type LookupResult } from './lookup.js'
import { isNodeId, randomNodeId, type RandomBytes } from './node-id.js'
import { PeerStore } from './peer-store.js'
import { answerQuery } from './query-handler.js'
import { IpRateLimiter } from './rate-limit.js'
import { QUESTIONABLE_AFTER_MS, RoutingTable } from './routing-table.js'
import { Rpc, type QueryArgs, type RpcReply } from './rpc.js'
import { snapshotOf, type DhtState } from './snapshot.js'
import { emptyStats, type DhtStats } from './stats.js'
import { TokenManager } from './tokens.js'
import {
  DEFAULT_BOOTSTRAP_NODES, DEFAULT_LIMITS, isLocalIPv4, parseIPv4, systemTimers,
  type Contact, type DatagramChannel, type DhtLimits, type DhtTimers, type PeerAddress,
} from './types.js'

/** BEP 20 style client version: "SW" and two version bytes */
const VERSION = Uint8Array.of(0x53, 0x57, 0, 1)
const MAINTENANCE_MS = 60_000
/** bucket refresh lookups started per maintenance round */
const REFRESHES_PER_ROUND = 4
/** unknown nodes that queried us, being pinged before they may enter the table */
const MAX_VERIFYING = 64

export interface DhtOptions {
  channel: DatagramChannel
  /** our id; default: per BEP 42 from `externalIp` when given, else random */
  nodeId?: Uint8Array
  /** routers and other entry points; default DEFAULT_BOOTSTRAP_NODES */
  bootstrap?: readonly PeerAddress[]
  /** nodes known from a previous run (parseDhtState), asked before the routers */
  nodes?: readonly Contact[]
  /** BEP 43: answer no queries, ask others not to add us */
  readOnly?: boolean
  /** BEP 42 enforcement: nodes whose id does not match their IP stay out of the table, are
   * not counted by lookups and are not announced to; our id follows our external IP */
  bep42?: boolean
  externalIp?: string
  /** name resolution for bootstrap host names (Node: dns.lookup); IPv4 literals need none */
  resolve?: (host: string) => Promise<string[]>
  now?: () => number
  timers?: DhtTimers
  random?: RandomBytes
  limits?: Partial<DhtLimits>
}

export type DhtEvents = {
  /** the first bootstrap found nodes */
  ready: [nodes: number]
  warning: [message: string]
  /** the routing table's size changed */
  nodes: [count: number]
  /** a node announced a peer to us */
  announce: [infoHash: Uint8Array, peer: PeerAddress]
  /** our id changed to match our external IP (BEP 42) */
  id: [nodeId: Uint8Array]
}

export interface LookupOptions {
  signal?: AbortSignal
  /** called with each batch of new peers as answers arrive */
  onPeers?(peers: PeerAddress[]): void
}

export interface AnnounceOptions extends LookupOptions {
  /** BEP 5 implied_port: peers should use our UDP source port (uTP on the DHT socket) */
  impliedPort?: boolean
}

export class Dht extends Emitter<DhtEvents> {
  readonly stats: DhtStats = emptyStats()
  readonly #o: DhtOptions
  readonly #limits: DhtLimits
  readonly #now: () => number
  readonly #timers: DhtTimers
  readonly #random: RandomBytes
  readonly #rpc: Rpc
  readonly #tokens: TokenManager
  readonly #peers: PeerStore
  readonly #limiter: IpRateLimiter
  readonly #votes = new ExternalIpVotes()
  readonly #verifying = new Set<string>()
  readonly #life = new AbortController()
  readonly #lookups = new Set<AbortController>()
  #id: Uint8Array
  #table: RoutingTable
  #bootstrapping: Promise<number> | undefined
  #ready = false
  #lastCount = 0
  #timer: unknown

  constructor(o: DhtOptions) {
    super()
    this.#o = o
    this.#limits = { ...DEFAULT_LIMITS, ...o.limits }
    this.#now = o.now ?? Date.now
    this.#timers = o.timers ?? systemTimers
    this.#random = o.random ?? randomBytes
    this.#id = o.nodeId ?? (o.externalIp && parseIPv4(o.externalIp) && !isLocalIPv4(o.externalIp) ? bep42NodeId(o.externalIp, this.#random) : randomNodeId(this.#random))
    if (!isNodeId(this.#id)) throw new TypeError('nodeId must be 20 bytes')
    this.#table = this.#newTable(this.#id)
    this.#tokens = new TokenManager(this.#now, this.#random)
    this.#peers = new PeerStore(this.#limits, this.#now)
    this.#limiter = new IpRateLimiter(this.#limits.queriesPerSecondPerIp, this.#limits.queryBurstPerIp, this.#limits.maxRateLimitedIps)
    this.#rpc = new Rpc({
      channel: o.channel, timers: this.#timers, stats: this.stats,
      queryTimeoutMs: this.#limits.queryTimeoutMs, maxOutstanding: this.#limits.maxOutstanding,
      maxQueued: this.#limits.maxQueued, maxMessageBytes: this.#limits.maxMessageBytes,
      envelope: { v: VERSION, readOnly: o.readOnly ?? false },
      onQuery: (q, from) => this.#onQuery(q, from),
      onAddressSeen: (ip, from) => this.#onAddressSeen(ip, from),
    })
    this.#schedule()
  }

  get nodeId(): Uint8Array { return this.#id }
  get nodeCount(): number { return this.#table.size }
  get port(): number { return this.#o.channel.port }
  get destroyed(): boolean { return this.#life.signal.aborted }
  /** our external IPv4 address once enough nodes agree on it (BEP 42 `ip` votes) */
  get externalIp(): string | undefined { return this.#votes.address ?? this.#o.externalIp }
  /** peers announced to us, and info hashes they cover */
  get storedPeers(): { peers: number; torrents: number } { return { peers: this.#peers.peerCount, torrents: this.#peers.torrentCount } }
  get table(): RoutingTable { return this.#table }
  /** sizes of everything that grows with traffic, each bounded by a limit */
  get load(): { nodes: number; storedPeers: number; torrents: number; rateLimitedIps: number; outstanding: number; queued: number; verifying: number; lookups: number } {
    return {
      nodes: this.#table.size, storedPeers: this.#peers.peerCount, torrents: this.#peers.torrentCount, rateLimitedIps: this.#limiter.size,
      outstanding: this.#rpc.outstanding, queued: this.#rpc.queued, verifying: this.#verifying.size, lookups: this.#lookups.size,
    }
  }

  /** Fills the routing table: a find_node lookup of our own id (BEP 5), from the saved nodes
   * first and the bootstrap routers when those are not enough. Resolves with the node count. */
  bootstrap(): Promise<number> {
    if (this.destroyed) return Promise.resolve(0)
    this.#bootstrapping ??= this.#bootstrap().finally(() => { this.#bootstrapping = undefined })
    return this.#bootstrapping
  }

  /** A node heard of elsewhere (a peer's PORT message, BEP 5): pinged, and it enters the
   * routing table by the usual rules if it answers. */
  addNode(addr: PeerAddress): void {
    if (parseIPv4(addr.host) && Number.isInteger(addr.port) && addr.port > 0 && addr.port < 65536) this.#ping(addr)
  }

  /** Peers for `infoHash` (get_peers lookup); `onPeers` gets them as they arrive. */
  async lookup(infoHash: Uint8Array, opts: LookupOptions = {}): Promise<PeerAddress[]> {
    return (await this.#getPeers(infoHash, opts)).peers
  }

  /** Tells the nodes closest to `infoHash` that we have a peer on `port`: a get_peers lookup
   * (its peers go to `onPeers` too), then announce_peer with each node's token. */
  async announce(infoHash: Uint8Array, port: number, opts: AnnounceOptions = {}): Promise<{ peers: PeerAddress[]; announced: number }> {
    const r = await this.#getPeers(infoHash, opts)
    const args = { id: this.#id, info_hash: infoHash, port, implied_port: opts.impliedPort ? 1 : undefined }
    const results = await Promise.all(r.closest.filter((c) => c.token).map((c) =>
      this.#query(c.contact, 'announce_peer', { ...args, token: c.token }, opts.signal).then(() => true, () => false)))
    return { peers: r.peers, announced: results.filter(Boolean).length }
  }

  /** BEP 51 across the DHT: an iterative sample_infohashes walk towards `target`, every
   * answer's samples collected (distinct). */
  async sampleInfohashes(target: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<{ samples: Uint8Array[]; nodes: number }> {
    await this.#ensureNodes(opts.signal)
    const seen = new Map<string, Uint8Array>()
    const r = await this.#lookup(target, (c, signal) => this.#query(c, 'sample_infohashes', { id: this.#id, target }, signal).then((reply) => {
      const s = getBytes(reply.r, 'samples')
      if (s && s.length % 20 === 0) for (let i = 0; i < s.length && seen.size < 10_000; i += 20) seen.set(toHex(s.subarray(i, i + 20)), s.slice(i, i + 20))
      return this.#replyNodes(reply)
    }), opts.signal)
    return { samples: [...seen.values()], nodes: r.responded }
  }

  /** Our id and the good nodes: hand it to parseDhtState next time (dht.node.ts saves it). */
  toJSON(): DhtState {
    return snapshotOf(this.#id, this.#table.goodNodes())
  }

  destroy(): void {
    if (this.destroyed) return
    this.#life.abort()
    for (const l of this.#lookups) l.abort()
    this.#timers.clearTimeout(this.#timer)
    this.#rpc.close()
  }

  async #bootstrap(): Promise<number> {
    const known = [...(this.#o.nodes ?? []), ...this.#table.closest(this.#id, this.#limits.k * 2)]
    if (known.length > 0) await this.#lookup(this.#id, (c, s) => this.#findNode(c, this.#id, s), undefined, known).catch(() => undefined)
    if (this.#table.size < this.#limits.k && !this.destroyed) {
      const routers = await this.#resolveAll(this.#o.bootstrap ?? DEFAULT_BOOTSTRAP_NODES)
      const seeds: Contact[] = []
      await Promise.all(routers.map((addr) => this.#query(addr, 'find_node', { id: this.#id, target: this.#id }).then((reply) => {
        seeds.push({ id: reply.id, host: addr.host, port: addr.port }, ...this.#replyNodes(reply).nodes)
      }, () => undefined)))
      if (seeds.length > 0) await this.#lookup(this.#id, (c, s) => this.#findNode(c, this.#id, s), undefined, seeds).catch(() => undefined)
    }
    // Kademlia's join: look up a target in each sparse far bucket
    const sparse = this.#table.sparseBuckets(this.#limits.k, this.#random)
    await Promise.all(sparse.map((t) => this.#lookup(t, (c, s) => this.#findNode(c, t, s)).catch(() => undefined)))
    const n = this.#table.size
    if (n === 0) { if (!this.destroyed) this.emit('warning', 'DHT bootstrap found no nodes') }
    else if (!this.#ready) { this.#ready = true; this.emit('ready', n) }
    return n
  }

  async #ensureNodes(signal?: AbortSignal): Promise<void> {
    if (this.#table.size === 0) await this.bootstrap()
    if (signal?.aborted) throw Object.assign(new Error('lookup aborted'), { name: 'AbortError' })
  }

  async #getPeers(infoHash: Uint8Array, opts: LookupOptions): Promise<LookupResult> {
    if (!isNodeId(infoHash)) throw new TypeError('info hash must be 20 bytes')
    await this.#ensureNodes(opts.signal)
    return this.#lookup(infoHash, (c, signal) => this.#query(c, 'get_peers', { id: this.#id, info_hash: infoHash }, signal).then((reply) => {
      const out = this.#replyNodes(reply)
      const values = getList(reply.r, 'values')
      if (values) {
        out.peers = []
        for (const v of values.slice(0, this.#limits.maxLookupPeers)) {
          const p = isBytes(v) && v.length === PEER_BYTES ? decodePeer(v) : undefined
          if (p) out.peers.push(p)
        }
      }
      const token = getBytes(reply.r, 'token')
      if (token && token.length > 0 && token.length <= 64) out.token = token
      return out
    }), opts.signal, undefined, opts.onPeers, this.#peers.get(infoHash, this.#limits.maxValuesPerResponse))
  }

  #lookup(target: Uint8Array, query: (c: Contact, signal: AbortSignal) => Promise<LookupReply>, signal?: AbortSignal,
    seeds?: Contact[], onPeers?: (p: PeerAddress[]) => void, initialPeers?: PeerAddress[]): Promise<LookupResult> {
    const l = this.#limits
    const start = seeds ?? this.#table.closest(target, l.k * 2)
    // one controller per lookup: destroy() aborts them all, the caller's signal this one
    const ctrl = new AbortController()
    const onAbort = () => ctrl.abort()
    if (this.destroyed || signal?.aborted) ctrl.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    this.#lookups.add(ctrl)
    return iterativeLookup({
      target, seeds: start, query, k: l.k, alpha: l.alpha, slowMs: l.slowQueryMs, maxCandidates: l.maxLookupCandidates,
      maxNodesPerReply: l.maxNodesPerResponse, maxPeers: l.maxLookupPeers, timers: this.#timers,
      signal: ctrl.signal,
      skip: (c) => equalBytes(c.id, this.#id),
      trusted: this.#o.bep42 ? (c) => isBep42Valid(c.id, c.host) : undefined,
      onPeers, initialPeers,
    }).finally(() => { this.#lookups.delete(ctrl); signal?.removeEventListener('abort', onAbort) })
  }

  #findNode(c: PeerAddress, target: Uint8Array, signal?: AbortSignal): Promise<LookupReply> {
    return this.#query(c, 'find_node', { id: this.#id, target }, signal).then((r) => this.#replyNodes(r))
  }

  #replyNodes(reply: RpcReply): LookupReply {
    return { id: reply.id, nodes: decodeNodes(getBytes(reply.r, 'nodes'), this.#limits.maxNodesPerResponse) }
  }

  /** A query whose outcome teaches the routing table: an answer makes the node good, a
   * timeout counts against it. */
  #query(to: PeerAddress, q: string, args: QueryArgs, signal?: AbortSignal): Promise<RpcReply> {
    return this.#rpc.query(to, q, args, signal ? { signal } : {}).then((reply) => {
      this.#heard({ id: reply.id, host: to.host, port: to.port })
      return reply
    }, (err: unknown) => {
      if (err instanceof DhtQueryError && err.kind === 'timeout') { this.#table.failed(to); this.#counted() }
      throw err
    })
  }

  #heard(c: Contact): void {
    const outcome = this.#table.responded(c)
    if (outcome.kind === 'cached' && outcome.ping) this.#ping(outcome.ping)
    this.#counted()
  }

  #ping(to: PeerAddress): void {
    const key = `${to.host}:${to.port}`
    if (this.#verifying.has(key) || this.#verifying.size >= MAX_VERIFYING || this.destroyed) return
    this.#verifying.add(key)
    void this.#query(to, 'ping', { id: this.#id }).catch(() => undefined).finally(() => this.#verifying.delete(key))
  }

  #counted(): void {
    const n = this.#table.size
    if (n !== this.#lastCount) { this.#lastCount = n; this.emit('nodes', n) }
  }

  #onQuery(q: KrpcQuery, from: PeerAddress): void {
    if (this.#o.readOnly || this.destroyed) return // BEP 43: read-only nodes do not answer
    if (!this.#limiter.allow(from.host, this.#now())) { this.stats.rateLimited++; return }
    answerQuery({
      selfId: this.#id, table: this.#table, tokens: this.#tokens, peers: this.#peers, rpc: this.#rpc, stats: this.stats,
      k: this.#limits.k, maxValues: this.#limits.maxValuesPerResponse,
      onAnnounce: (infoHash, peer) => this.emit('announce', infoHash, peer),
    }, q, from)
    // A querying node may join the table once it answers a ping of ours (BEP 5); read-only
    // nodes never do (BEP 43)
    if (q.readOnly) return
    if (this.#table.queried({ id: q.id, host: from.host, port: from.port }) === 'worth-ping') this.#ping(from)
  }

  #onAddressSeen(ip: PeerAddress, from: PeerAddress): void {
    const decided = this.#votes.vote(from.host, ip.host)
    if (!decided || !this.#o.bep42 || this.#o.nodeId || isLocalIPv4(decided) || isBep42Valid(this.#id, decided)) return
    // BEP 42: restart the node under an id that matches the address the network sees
    const old = this.#table
    this.#id = bep42NodeId(decided, this.#random)
    this.#table = this.#newTable(this.#id)
    for (const n of old.nodes()) this.#table.responded(n)
    this.emit('id', this.#id)
    this.#counted()
  }

  #newTable(selfId: Uint8Array): RoutingTable {
    const l = this.#limits
    return new RoutingTable({
      selfId, now: this.#now, bucketSize: l.bucketSize, replacementsPerBucket: l.replacementsPerBucket,
      maxNodesPerIp: l.maxNodesPerIp, admit: this.#o.bep42 ? (c) => isBep42Valid(c.id, c.host) : undefined,
    })
  }

  async #resolveAll(list: readonly PeerAddress[]): Promise<PeerAddress[]> {
    const out: PeerAddress[] = []
    await Promise.all(list.map(async (a) => {
      if (parseIPv4(a.host)) { out.push(a); return }
      if (!this.#o.resolve) { this.emit('warning', `cannot resolve ${a.host}: no resolver`); return }
      try {
        const ips = await this.#o.resolve(a.host)
        const ip = ips.find((h) => parseIPv4(h))
        if (ip) out.push({ host: ip, port: a.port })
      } catch (err) { this.emit('warning', `cannot resolve ${a.host}: ${(err as Error).message}`) }
    }))
    return out
  }

  /** Every minute: expire peers, forget idle rate buckets, refresh stale buckets (BEP 5:
   * 15 minutes unchanged), and bootstrap again when the table has emptied. */
  #schedule(): void {
    this.#timer = this.#timers.setTimeout(() => {
      if (this.destroyed) return
      this.#schedule()
      try { this.#maintain() } catch (err) { this.emit('warning', `DHT maintenance: ${(err as Error).message}`) }
    }, MAINTENANCE_MS)
  }

  #maintain(): void {
    const now = this.#now()
    this.#peers.sweep()
    this.#limiter.sweep(now)
    if (this.#table.size === 0) { if (!this.#bootstrapping) void this.bootstrap(); return }
    const stale = this.#table.staleBuckets(QUESTIONABLE_AFTER_MS, this.#random).slice(0, REFRESHES_PER_ROUND)
    for (const s of stale) {
      if (s.ping) this.#ping(s.ping)
      void this.#lookup(s.target, (c, sig) => this.#findNode(c, s.target, sig)).catch(() => undefined)
    }
  }
}
