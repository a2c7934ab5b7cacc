/** UDP tracker client (BEP 15) over one node:dgram socket shared by every tracker and torrent. */
import dgram from 'node:dgram'
import { lookup } from 'node:dns/promises'
import { isIPv4, isIPv6 } from 'node:net'
import { toHex } from '../util/bytes.js'
import {
  ACTION_ANNOUNCE, ACTION_CONNECT, ACTION_ERROR, ACTION_SCRAPE, MAX_UDP_SCRAPE_HASHES,
  decodeUdpAnnounceResponse, decodeUdpConnectResponse, decodeUdpErrorResponse, decodeUdpScrapeResponse,
  encodeUdpAnnounceRequest, encodeUdpConnectRequest, encodeUdpScrapeRequest, readUdpHeader, toBinaryString,
} from '../tracker-protocol/index.js'
import { TrackerError, toAnnounce, type AnnounceParams, type AnnounceResult, type RequestOptions, type ScrapeCounts } from './tracker-types.js'

export interface UdpTrackerClientOptions {
  /** local address to bind (default 0.0.0.0); tests pass 127.0.0.1 */
  bindAddress?: string
  /** first retransmit timeout; BEP 15 says 15 s, doubling each try */
  retransmitBaseMs?: number
  /** sends per request before giving up (BEP 15 allows up to 9; 4 keeps a dead tracker to ~4 min) */
  maxTries?: number
  /** requests in flight at once; more are refused rather than queued without bound */
  maxPending?: number
  /** host name to IPv4 address; defaults to node:dns lookup */
  resolve?: (host: string) => Promise<string>
}

interface Pending {
  address: string
  port: number
  action: number
  resolve: (b: Uint8Array) => void
  reject: (e: Error) => void
  timer?: ReturnType<typeof setTimeout>
}

/** BEP 15: a connection id is valid for one minute after the tracker sent it. */
const CONNECTION_ID_TTL_MS = 60_000
const MAX_CACHED_CONNECTIONS = 1024

export class UdpTrackerClient {
  readonly #opts: Required<Omit<UdpTrackerClientOptions, 'bindAddress'>> & { bindAddress: string }
  #socket: Promise<dgram.Socket> | undefined
  readonly #pending = new Map<number, Pending>()
  readonly #connections = new Map<string, { id: Uint8Array; expires: number }>()
  #closed = false

  constructor(opts: UdpTrackerClientOptions = {}) {
    this.#opts = {
      bindAddress: opts.bindAddress ?? '0.0.0.0',
      retransmitBaseMs: opts.retransmitBaseMs ?? 15_000,
      maxTries: Math.max(1, Math.min(9, opts.maxTries ?? 4)),
      maxPending: opts.maxPending ?? 1000,
      resolve: opts.resolve ?? (async (host) => (await lookup(host, { family: 4 })).address),
    }
  }

  async announce(url: string, p: AnnounceParams, opts: RequestOptions = {}): Promise<AnnounceResult> {
    return this.#withDeadline(opts, async (signal) => {
      const [address, port] = await this.#target(url)
      const connId = await this.#connectionId(address, port, signal)
      const announce = toAnnounce(p)
      const body = await this.#exchange(address, port, ACTION_ANNOUNCE, (txn) => encodeUdpAnnounceRequest(connId, txn, announce), signal)
      return decodeUdpAnnounceResponse(body)
    })
  }

  /** Scrapes in packets of at most 74 hashes (BEP 15); keyed by lowercase hex info hash. */
  async scrape(url: string, infoHashes: Uint8Array[], opts: RequestOptions = {}): Promise<Map<string, ScrapeCounts>> {
    return this.#withDeadline(opts, async (signal) => {
      const [address, port] = await this.#target(url)
      const out = new Map<string, ScrapeCounts>()
      for (let i = 0; i < infoHashes.length; i += MAX_UDP_SCRAPE_HASHES) {
        const chunk = infoHashes.slice(i, i + MAX_UDP_SCRAPE_HASHES)
        const ids = chunk.map(toBinaryString)
        const connId = await this.#connectionId(address, port, signal)
        const body = await this.#exchange(address, port, ACTION_SCRAPE, (txn) => encodeUdpScrapeRequest(connId, txn, ids), signal)
        decodeUdpScrapeResponse(body, chunk.length).forEach((counts, k) => out.set(toHex(chunk[k]!), counts))
      }
      return out
    })
  }

  /** Fails every request in flight and closes the socket. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#failAll(new TrackerError('UDP tracker client closed'))
    this.#connections.clear()
    const socket = this.#socket
    this.#socket = undefined
    void socket?.then((s) => s.close(), () => undefined)
  }

  get pendingCount(): number { return this.#pending.size }

  async #withDeadline<T>(opts: RequestOptions, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#closed) throw new TrackerError('UDP tracker client closed')
    const ctrl = new AbortController()
    const onAbort = (): void => ctrl.abort()
    if (opts.signal?.aborted) throw new TrackerError('aborted')
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    let timedOut = false
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; ctrl.abort() }, opts.timeoutMs)
    try {
      return await run(ctrl.signal)
    } catch (err) {
      if (timedOut) throw new TrackerError('UDP tracker timed out')
      throw err
    } finally {
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
    }
  }

  async #target(url: string): Promise<[string, number]> {
    let u: URL
    try { u = new URL(url) } catch { throw new TrackerError(`invalid tracker URL: ${url}`) }
    if (u.protocol !== 'udp:') throw new TrackerError(`not a UDP tracker URL: ${url}`)
    const port = Number(u.port)
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TrackerError(`UDP tracker URL needs a port: ${url}`)
    const host = u.hostname
    if (isIPv4(host)) return [host, port]
    if (host.startsWith('[') || isIPv6(host)) throw new TrackerError('IPv6 UDP trackers are not supported yet')
    try {
      const address = await this.#opts.resolve(host)
      if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`)
      return [address, port]
    } catch (err) {
      throw new TrackerError(`cannot resolve ${host}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  async #connectionId(address: string, port: number, signal: AbortSignal): Promise<Uint8Array> {
    const key = `${address}:${port}`
    const now = Date.now()
    const cached = this.#connections.get(key)
    if (cached && cached.expires > now) return cached.id
    this.#connections.delete(key)
    const body = await this.#exchange(address, port, ACTION_CONNECT, encodeUdpConnectRequest, signal)
    const id = decodeUdpConnectResponse(body)
    if (this.#connections.size >= MAX_CACHED_CONNECTIONS) {
      for (const [k, v] of this.#connections) if (v.expires <= now) this.#connections.delete(k)
      // Still full: forget the oldest entry (Map keeps insertion order).
      if (this.#connections.size >= MAX_CACHED_CONNECTIONS) this.#connections.delete(this.#connections.keys().next().value!)
    }
    this.#connections.set(key, { id, expires: now + CONNECTION_ID_TTL_MS })
    return id
  }

  /** One request/response with BEP 15 retransmission: resend after base·2^n, n < maxTries. */
  async #exchange(address: string, port: number, action: number, build: (txn: number) => Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    if (signal.aborted) throw new TrackerError('aborted')
    if (this.#pending.size >= this.#opts.maxPending) throw new TrackerError('too many UDP tracker requests in flight')
    const socket = await this.#getSocket()
    if (signal.aborted) throw new TrackerError('aborted')
    let txn: number
    do txn = globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!
    while (this.#pending.has(txn))
    const packet = build(txn)
    return new Promise<Uint8Array>((resolve, reject) => {
      let tries = 0
      const settle = (): void => {
        clearTimeout(entry.timer)
        signal.removeEventListener('abort', onAbort)
        this.#pending.delete(txn)
        if (this.#pending.size === 0) socket.unref()
      }
      const onAbort = (): void => { settle(); reject(new TrackerError('aborted')) }
      const send = (): void => {
        tries++
        socket.send(packet, port, address, (err) => {
          if (err && this.#pending.get(txn) === entry) { settle(); reject(new TrackerError(`UDP send failed: ${err.message}`)) }
        })
        entry.timer = setTimeout(onTimeout, this.#opts.retransmitBaseMs * 2 ** (tries - 1))
        entry.timer.unref?.() // the ref'd socket keeps the process alive while we wait
      }
      const onTimeout = (): void => {
        if (tries < this.#opts.maxTries) return send()
        settle()
        // The tracker may have dropped our connection id; get a fresh one next time.
        this.#connections.delete(`${address}:${port}`)
        reject(new TrackerError(`UDP tracker ${address}:${port} timed out`))
      }
      const entry: Pending = {
        address, port, action,
        resolve: (b) => { settle(); resolve(b) },
        reject: (e) => { settle(); reject(e) },
      }
      this.#pending.set(txn, entry)
      signal.addEventListener('abort', onAbort, { once: true })
      socket.ref()
      send()
    })
  }

  #getSocket(): Promise<dgram.Socket> {
    if (this.#socket) return this.#socket
    const p = new Promise<dgram.Socket>((resolve, reject) => {
      const s = dgram.createSocket('udp4')
      s.once('error', reject)
      s.bind({ port: 0, address: this.#opts.bindAddress }, () => {
        s.off('error', reject)
        s.on('error', (err) => this.#onSocketError(s, err))
        s.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo))
        s.unref()
        resolve(s)
      })
    })
    this.#socket = p
    p.catch(() => { if (this.#socket === p) this.#socket = undefined })
    return p
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)
    const header = readUdpHeader(bytes)
    if (!header) return
    const entry = this.#pending.get(header.transactionId)
    // Only the tracker we asked may answer; anything else is noise or spoofing.
    if (!entry || entry.address !== rinfo.address || entry.port !== rinfo.port) return
    if (header.action === ACTION_ERROR) {
      if (entry.action !== ACTION_CONNECT) this.#connections.delete(`${entry.address}:${entry.port}`)
      return entry.reject(decodeUdpErrorResponse(bytes))
    }
    if (header.action !== entry.action) return entry.reject(new TrackerError(`unexpected UDP tracker action ${header.action}`))
    try {
      entry.resolve(bytes.slice())
    } catch (err) {
      entry.reject(err instanceof Error ? err : new TrackerError(String(err)))
    }
  }

  #onSocketError(s: dgram.Socket, err: Error): void {
    // A broken socket fails what is in flight; the next request opens a fresh one.
    this.#failAll(new TrackerError(`UDP socket error: ${err.message}`))
    this.#socket = undefined
    try { s.close() } catch { /* already closed */ }
  }

  #failAll(err: Error): void {
    for (const entry of [...this.#pending.values()]) entry.reject(err)
  }
}
