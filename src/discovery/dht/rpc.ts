/** KRPC transactions over one datagram channel: each query gets a 2-byte transaction id
 * and a timeout; a response counts only if it carries an outstanding id AND comes from the
 * address the query went to. Outstanding queries are bounded; more wait in a bounded queue. */
import type { BDict, Encodable } from '../../bencode/index.js'
import { DhtQueryError } from './errors.js'
import { decodeMessage, encodeError, encodeQuery, encodeResponse, type Envelope, type KrpcQuery } from './krpc.js'
import type { DhtStats } from './stats.js'
import { addressKey, type DatagramChannel, type DhtTimers, type PeerAddress } from './types.js'

export interface RpcReply {
  id: Uint8Array
  r: BDict
  from: PeerAddress
  /** our address as the responder saw it (BEP 42) */
  ip?: PeerAddress
}

export type QueryArgs = { readonly [k: string]: Encodable | undefined }

export interface RpcOptions {
  channel: DatagramChannel
  timers: DhtTimers
  queryTimeoutMs: number
  maxOutstanding: number
  maxQueued: number
  maxMessageBytes: number
  envelope: Envelope
  stats: DhtStats
  onQuery(q: KrpcQuery, from: PeerAddress): void
  /** an error answer's `ip` field counts as a vote too */
  onAddressSeen?(ip: PeerAddress, from: PeerAddress): void
}

interface Pending {
  to: string
  resolve(r: RpcReply): void
  reject(e: DhtQueryError): void
  timer: unknown
  unlisten: () => void
}

interface Waiting { start(): void; fail(e: DhtQueryError): void }

export class Rpc {
  readonly #o: RpcOptions
  readonly #pending = new Map<number, Pending>()
  #queue: Waiting[] = []
  #nextTid = Math.floor(Math.random() * 0x10000)
  #closed = false

  constructor(o: RpcOptions) {
    this.#o = o
    o.channel.onMessage((data, from) => this.#receive(data, from))
  }

  get outstanding(): number { return this.#pending.size }
  get queued(): number { return this.#queue.length }

  query(to: PeerAddress, q: string, args: QueryArgs, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<RpcReply> {
    const { signal } = opts
    if (this.#closed) return Promise.reject(new DhtQueryError('closed', 'DHT closed'))
    if (signal?.aborted) return Promise.reject(new DhtQueryError('aborted', 'aborted'))
    if (this.#pending.size < this.#o.maxOutstanding) return this.#send(to, q, args, opts)
    if (this.#queue.length >= this.#o.maxQueued) return Promise.reject(new DhtQueryError('busy', 'too many queries waiting'))
    return new Promise<RpcReply>((resolve, reject) => {
      const onAbort = () => { this.#queue = this.#queue.filter((w) => w !== waiting); reject(new DhtQueryError('aborted', 'aborted')) }
      const waiting: Waiting = {
        start: () => { signal?.removeEventListener('abort', onAbort); this.#send(to, q, args, opts).then(resolve, reject) },
        fail: (e) => { signal?.removeEventListener('abort', onAbort); reject(e) },
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#queue.push(waiting)
    })
  }

  respond(to: PeerAddress, t: Uint8Array, r: QueryArgs): void {
    this.#write(encodeResponse(t, r, to, this.#o.envelope), to)
  }

  error(to: PeerAddress, t: Uint8Array, code: number, message: string): void {
    this.#write(encodeError(t, code, message, to, this.#o.envelope), to)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#o.channel.onMessage(() => undefined)
    const err = new DhtQueryError('closed', 'DHT closed')
    for (const w of this.#queue) w.fail(err)
    this.#queue = []
    for (const [tid, p] of this.#pending) this.#settle(tid, p, () => p.reject(err))
  }

  #send(to: PeerAddress, q: string, args: QueryArgs, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<RpcReply> {
    return new Promise<RpcReply>((resolve, reject) => {
      const tid = this.#allocateTid()
      const { signal } = opts
      const onAbort = () => this.#settle(tid, pending, () => reject(new DhtQueryError('aborted', 'aborted')))
      const pending: Pending = {
        to: addressKey(to), resolve, reject,
        timer: this.#o.timers.setTimeout(() => this.#settle(tid, pending, () => reject(new DhtQueryError('timeout', `${q} to ${addressKey(to)} timed out`))), opts.timeoutMs ?? this.#o.queryTimeoutMs),
        unlisten: () => signal?.removeEventListener('abort', onAbort),
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(tid, pending)
      this.#write(encodeQuery(Uint8Array.of(tid >> 8, tid & 0xff), q, args, this.#o.envelope), to)
    })
  }

  #settle(tid: number, p: Pending, fn: () => void): void {
    if (this.#pending.get(tid) !== p) return
    this.#pending.delete(tid)
    this.#o.timers.clearTimeout(p.timer)
    p.unlisten()
    fn()
    const next = this.#queue.shift()
    if (next && !this.#closed) next.start()
  }

  #allocateTid(): number {
    for (;;) {
      const t = this.#nextTid
      this.#nextTid = (this.#nextTid + 1) & 0xffff
      if (!this.#pending.has(t)) return t
    }
  }

  #write(data: Uint8Array, to: PeerAddress): void {
    try { this.#o.channel.send(data, to) } catch { /* a bad address fails this query by its timeout */ }
  }

  #receive(data: Uint8Array, from: PeerAddress): void {
    const stats = this.#o.stats
    stats.received++
    if (data.length > this.#o.maxMessageBytes) { stats.oversized++; return }
    const m = decodeMessage(data)
    if (!m) { stats.malformed++; return }
    if (m.y === 'q') { this.#o.onQuery(m, from); return }
    const tid = m.t.length === 2 ? (m.t[0]! << 8) | m.t[1]! : -1
    const p = this.#pending.get(tid)
    if (!p || p.to !== addressKey(from)) { stats.unmatched++; return }
    if (m.ip) this.#o.onAddressSeen?.(m.ip, from)
    if (m.y === 'r') {
      const reply: RpcReply = m.ip ? { id: m.id, r: m.r, from, ip: m.ip } : { id: m.id, r: m.r, from }
      this.#settle(tid, p, () => p.resolve(reply))
    } else {
      this.#settle(tid, p, () => p.reject(new DhtQueryError('error', `error ${m.code}: ${m.message}`, m.code)))
    }
  }
}
