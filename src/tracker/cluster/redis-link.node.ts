import { createClient } from '@redis/client'
import type { Batch, ClusterLink, LinkHandlers, OriginReport, PeerOp, Relay } from './messages.js'

/** Tracker instances on many machines share their swarms through Redis (`--redis`).
 * What Redis holds, per origin (key prefix `swarmstream:` by default), all expiring 30 s after
 * the origin's last heartbeat, so a dead instance's peers vanish on their own:
 *   o:<origin>:peers   hash  infoHash+peerId → classic peer op
 *   o:<origin>:swarms  hash  infoHash → the origin's counts for the swarm
 *   o:<origin>:seq     the sequence number of the last batch written
 *   origins            sorted set of origins by last heartbeat
 * Every batch is written and published in one MULTI (pipelined), so a reader that loads an
 * origin's keys and then follows the `bus` channel misses nothing: batches up to the loaded
 * `seq` are in the keys, later ones arrive in order; a gap (messages lost while the
 * subscriber reconnected) reloads that origin. Offers and answers for the sockets of an
 * origin go to its own channel `relay:<origin>`.
 *
 * Redis going away stops nothing: announces are answered from local state, sends are dropped
 * (the client's offline queue is off, so nothing piles up), a warning is logged, and on
 * reconnection every instance writes its full state again and reloads the others'. */

type Client = ReturnType<typeof createClient>

type BusMessage = { k: 'b'; b: Batch } | { k: 'r'; r: OriginReport } | { k: 'g'; o: string }

export interface RedisLinkOptions {
  prefix?: string | undefined
  /** keys live this long past the last heartbeat (default 30 s) */
  ttlMs?: number
}

export class RedisLink implements ClusterLink {
  readonly #cmd: Client
  readonly #sub: Client
  readonly #prefix: string
  readonly #ttlMs: number
  #h: LinkHandlers | undefined
  /** last sequence number applied per origin */
  readonly #seq = new Map<string, number>()
  /** batches that arrived while every origin was being loaded */
  #held: Batch[] | undefined
  /** batches of one origin that arrived while it was being reloaded (after a gap) */
  readonly #reloading = new Map<string, Batch[]>()
  #down = false
  #closed = false
  #subscribed = false

  constructor(url: string, readonly origin: string, opts: RedisLinkOptions = {}) {
    this.#prefix = opts.prefix ?? 'swarmstream:'
    this.#ttlMs = opts.ttlMs ?? 30_000
    const options = {
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    }
    this.#cmd = createClient(options)
    this.#sub = createClient(options)
  }

  get connected(): boolean { return !this.#closed && this.#cmd.isReady && this.#sub.isReady }

  async start(h: LinkHandlers): Promise<void> {
    this.#h = h
    for (const c of [this.#cmd, this.#sub]) {
      c.on('error', (err: Error) => this.#lost(err))
      c.on('ready', () => this.#maybeResync())
    }
    // Not awaited: a Redis that is down at start-up must not keep the tracker from serving.
    this.#cmd.connect().catch((err: Error) => this.#lost(err))
    this.#sub.connect().then(async () => {
      await this.#sub.subscribe([this.#key('bus'), this.#key(`relay:${this.origin}`)], (message, channel) => this.#onMessage(channel, message))
      this.#subscribed = true
      this.#maybeResync()
    }).catch((err: Error) => this.#lost(err))
  }

  publish(b: Batch): void {
    if (!this.connected) return
    const peers = this.#key(`o:${this.origin}:peers`), swarms = this.#key(`o:${this.origin}:swarms`), seq = this.#key(`o:${this.origin}:seq`)
    const m = this.#cmd.multi()
    if (b.full) m.del([peers, swarms])
    const put: Record<string, string> = {}, drop: string[] = [], putSwarm: Record<string, string> = {}, dropSwarm: string[] = []
    for (const op of b.ops) {
      if (op.t === 'p') put[op.h + op.id] = JSON.stringify(op)
      else if (op.t === 'x') drop.push(op.h + op.id)
      else if (op.t === 't' || op.t === 's') continue // notes to the holder: nothing to keep
      else if (op.c === 0 && op.i === 0 && op.w === 0) dropSwarm.push(op.h)
      else putSwarm[op.h] = JSON.stringify(op)
    }
    if (drop.length) m.hDel(peers, drop)
    if (Object.keys(put).length) m.hSet(peers, put)
    if (dropSwarm.length) m.hDel(swarms, dropSwarm)
    if (Object.keys(putSwarm).length) m.hSet(swarms, putSwarm)
    m.set(seq, String(b.q))
    for (const k of [peers, swarms, seq]) m.pExpire(k, this.#ttlMs)
    m.publish(this.#key('bus'), JSON.stringify({ k: 'b', b } satisfies BusMessage))
    m.exec().catch((err: Error) => this.#lost(err))
  }

  relay(to: string, r: Relay): void {
    if (!this.connected) return
    this.#cmd.publish(this.#key(`relay:${to}`), JSON.stringify(r)).catch((err: Error) => this.#lost(err))
  }

  heartbeat(r: OriginReport): void {
    if (!this.connected) return
    const now = Date.now()
    const m = this.#cmd.multi()
    m.zAdd(this.#key('origins'), { score: now, value: this.origin })
    // Origins silent for long are nobody's: trim them so the set stays small.
    m.zRemRangeByScore(this.#key('origins'), '-inf', now - 10 * this.#ttlMs)
    for (const k of ['peers', 'swarms', 'seq']) m.pExpire(this.#key(`o:${this.origin}:${k}`), this.#ttlMs)
    m.publish(this.#key('bus'), JSON.stringify({ k: 'r', r } satisfies BusMessage))
    m.exec().catch((err: Error) => this.#lost(err))
  }

  async close(): Promise<void> {
    if (this.#closed) return
    if (this.connected) {
      const m = this.#cmd.multi()
      m.del(['peers', 'swarms', 'seq'].map((k) => this.#key(`o:${this.origin}:${k}`)))
      m.zRem(this.#key('origins'), this.origin)
      m.publish(this.#key('bus'), JSON.stringify({ k: 'g', o: this.origin } satisfies BusMessage))
      await m.exec().catch(() => undefined)
    }
    this.#closed = true
    this.#h = undefined
    for (const c of [this.#sub, this.#cmd]) {
      if (c.isOpen) await c.close().catch(() => c.destroy())
      else try { c.destroy() } catch { /* never connected */ }
    }
  }

  #key(k: string): string { return this.#prefix + k }

  #lost(err: Error): void {
    if (this.#closed || this.#down) return
    this.#down = true
    this.#h?.warning(`Redis unreachable (${err.message}): serving from local state, retrying`)
  }

  /** Both connections up (first time or again): write ours, load theirs. */
  #maybeResync(): void {
    if (!this.connected || !this.#subscribed || !this.#h) return
    if (this.#down) this.#h.warning('Redis is back: resynchronising')
    this.#down = false
    this.#h.resync()
    void this.#loadAll()
  }

  async #loadAll(): Promise<void> {
    this.#held ??= []
    try {
      const origins = await this.#cmd.zRangeByScore(this.#key('origins'), Date.now() - this.#ttlMs, '+inf')
      for (const o of origins) if (o !== this.origin) await this.#load(o)
    } catch (err) {
      this.#lost(err as Error)
    } finally {
      const held = this.#held
      this.#held = undefined
      for (const b of held) this.#onBatch(b)
    }
  }

  /** An origin's whole state from its keys, applied as a full batch. */
  async #load(o: string): Promise<void> {
    const [peers, swarms, seq] = await this.#cmd.multi()
      .hGetAll(this.#key(`o:${o}:peers`)).hGetAll(this.#key(`o:${o}:swarms`)).get(this.#key(`o:${o}:seq`))
      .exec() as unknown as [Record<string, string>, Record<string, string>, string | null]
    if (seq === null) return // gone meanwhile
    const ops: PeerOp[] = []
    for (const v of [...Object.values(peers), ...Object.values(swarms)]) {
      const op = parseOp(v)
      if (op) ops.push(op)
    }
    this.#seq.set(o, Number(seq))
    this.#h?.batch({ o, q: Number(seq), full: true, ops })
  }

  /** Never throws: it runs inside the Redis client's callback. */
  #onMessage(channel: string, message: string): void {
    try { this.#dispatch(channel, message) } catch (err) { this.#h?.warning(`bad message from Redis dropped: ${(err as Error).message}`) }
  }

  #dispatch(channel: string, message: string): void {
    const h = this.#h
    if (!h) return
    let m: unknown
    try { m = JSON.parse(message) } catch { return }
    if (typeof m !== 'object' || m === null) return
    if (channel !== this.#key('bus')) { h.relay(m as Relay); return }
    const bus = m as BusMessage
    if (bus.k === 'r') { if (bus.r.o !== this.origin) h.report(bus.r) }
    else if (bus.k === 'g') { if (bus.o !== this.origin) { this.#seq.delete(bus.o); h.gone(bus.o) } }
    else if (bus.k === 'b' && typeof bus.b?.o === 'string' && typeof bus.b.q === 'number' && bus.b.o !== this.origin) {
      if (this.#held) this.#held.push(bus.b)
      else this.#onBatch(bus.b)
    }
  }

  #onBatch(b: Batch): void {
    const last = this.#seq.get(b.o)
    const waiting = this.#reloading.get(b.o)
    if (waiting) { waiting.push(b); return }
    if (last !== undefined && b.q <= last) return // already in what we loaded
    if (b.full) { this.#seq.set(b.o, b.q); this.#h?.batch(b); return }
    if (last === undefined || b.q !== last + 1) {
      // A gap: we missed something of this origin. Its keys have it all; what arrives while
      // they are read is replayed after.
      this.#reloading.set(b.o, [])
      this.#load(b.o).catch((err: Error) => this.#lost(err)).finally(() => {
        const later = this.#reloading.get(b.o) ?? []
        this.#reloading.delete(b.o)
        for (const x of later) this.#onBatch(x)
      })
      return
    }
    this.#seq.set(b.o, b.q)
    this.#h?.batch(b)
  }
}

function parseOp(v: string): PeerOp | undefined {
  try {
    const op = JSON.parse(v) as PeerOp
    return typeof op === 'object' && op !== null && typeof op.h === 'string' ? op : undefined
  } catch { return undefined }
}
