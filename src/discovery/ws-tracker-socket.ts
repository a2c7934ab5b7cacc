import { parseWsResponse, type WsResponse } from '../tracker-protocol/index.js'

/** The little of the WebSocket API used here: the browser's WebSocket and the `ws` package's
 * both have it (text frames arrive as strings in `data`). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: never) => unknown) | null
  onmessage: ((ev: { data: unknown }) => unknown) | null
  onclose: ((ev: never) => unknown) | null
  onerror: ((ev: never) => unknown) | null
}
export type WebSocketCtor = new (url: string) => WebSocketLike

const OPEN = 1

export interface SocketHandler {
  onOpen(): void
  onMessage(msg: WsResponse): void
  onWarning(err: Error): void
}

export interface TrackerSocketOptions {
  WebSocket: WebSocketCtor
  /** first reconnect delay, doubled on each failure (default 10 s) */
  reconnectMinMs: number
  /** longest reconnect delay (default 1 h) */
  reconnectMaxMs: number
  /** called once the socket has closed for good (its last torrent left) */
  onClosed: () => void
}

/** One WebSocket per tracker URL, shared by every torrent announced there (messages are
 * routed by info_hash). Reconnects with exponential backoff while torrents remain, and
 * closes when the last one leaves. */
export class TrackerSocket {
  readonly #handlers = new Map<string, SocketHandler>()
  #ws: WebSocketLike | undefined
  #retryMs: number
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #closed = false

  constructor(readonly url: string, private readonly opts: TrackerSocketOptions) {
    this.#retryMs = opts.reconnectMinMs
    this.#connect()
  }

  get torrentCount(): number { return this.#handlers.size }

  get isOpen(): boolean { return !this.#closed && this.#ws?.readyState === OPEN }

  add(infoHash: string, handler: SocketHandler): boolean {
    if (this.#closed || this.#handlers.has(infoHash)) return false
    this.#handlers.set(infoHash, handler)
    if (this.isOpen) handler.onOpen()
    return true
  }

  remove(infoHash: string, handler: SocketHandler): void {
    if (this.#handlers.get(infoHash) !== handler) return
    this.#handlers.delete(infoHash)
    if (this.#handlers.size === 0) this.close()
  }

  send(text: string): boolean {
    if (!this.isOpen) return false
    try { this.#ws!.send(text); return true } catch { return false }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    const ws = this.#ws
    this.#ws = undefined
    if (ws) {
      ws.onmessage = null; ws.onopen = null; ws.onerror = null; ws.onclose = null
      try { ws.close() } catch { /* never opened */ }
    }
    this.#handlers.clear()
    this.opts.onClosed()
  }

  #connect(): void {
    this.#retryTimer = undefined
    if (this.#closed) return
    let ws: WebSocketLike
    try {
      ws = new this.opts.WebSocket(this.url)
    } catch (err) {
      this.#warn(new Error(`tracker ${this.url}: ${(err as Error).message}`))
      this.#scheduleReconnect()
      return
    }
    this.#ws = ws
    ws.onopen = () => {
      this.#retryMs = this.opts.reconnectMinMs
      for (const h of [...this.#handlers.values()]) h.onOpen()
    }
    ws.onmessage = (ev) => this.#onMessage(ev.data)
    ws.onerror = () => undefined // a close event follows
    ws.onclose = () => {
      if (this.#ws !== ws) return
      this.#ws = undefined
      if (!this.#closed) {
        this.#warn(new Error(`tracker ${this.url}: connection closed; retrying in ${Math.round(this.#retryMs / 1000)} s`))
        this.#scheduleReconnect()
      }
    }
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer) return
    const delay = this.#retryMs
    this.#retryMs = Math.min(this.opts.reconnectMaxMs, this.#retryMs * 2)
    this.#retryTimer = setTimeout(() => this.#connect(), delay)
  }

  #onMessage(data: unknown): void {
    const msg = parseWsResponse(data)
    // Scrape answers are not asked for by the sessions.
    if (msg.kind === 'ignored' || msg.kind === 'scrape') return
    if (msg.kind === 'failure' && !msg.infoHash) {
      this.#warn(new Error(`tracker ${this.url}: ${msg.reason}`))
      return
    }
    if (msg.infoHash !== undefined) this.#handlers.get(msg.infoHash)?.onMessage(msg)
  }

  #warn(err: Error): void {
    for (const h of this.#handlers.values()) h.onWarning(err)
  }
}
