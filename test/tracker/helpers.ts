/** Small clients for the tracker tests: raw HTTP GET, UDP request/response, and a WebSocket
 * that queues JSON messages so tests can await the next one with a deadline. */
import { request } from 'node:http'
import { createSocket } from 'node:dgram'
import WebSocket from 'ws'
import { TrackerServer, type TrackerServerOptions, type ListeningPorts } from '../../src/tracker/index.js'
import { binaryString } from '../../src/bencode/index.js'

export async function startTracker(opts: TrackerServerOptions = {}): Promise<{ server: TrackerServer; ports: Required<ListeningPorts> }> {
  const server = new TrackerServer(opts)
  const ports = await server.listen()
  return { server, ports: ports as Required<ListeningPorts> }
}

export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }))
      res.on('error', reject)
    })
    req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

/** Percent-encodes every byte (what real clients do for info_hash / peer_id). */
export function pct(bytes: Uint8Array | string): string {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes
  let s = ''
  for (const x of b) s += '%' + x.toString(16).padStart(2, '0')
  return s
}

export const id20 = (seed: string): string => binaryString(Buffer.from(seed.padEnd(20, '.').slice(0, 20), 'latin1'))

/** Sends datagrams and collects replies. */
export class UdpClient {
  readonly socket = createSocket('udp4')
  readonly #queue: Buffer[] = []
  #waiter: ((b: Buffer) => void) | undefined
  constructor(readonly port: number) {
    this.socket.on('message', (m) => { if (this.#waiter) { const w = this.#waiter; this.#waiter = undefined; w(m) } else this.#queue.push(m) })
  }
  async bind(): Promise<void> { await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r())) }
  send(b: Uint8Array): void { this.socket.send(b, this.port, '127.0.0.1') }
  next(timeoutMs = 2000): Promise<Buffer | undefined> {
    const q = this.#queue.shift()
    if (q) return Promise.resolve(q)
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.#waiter = undefined; resolve(undefined) }, timeoutMs)
      this.#waiter = (b) => { clearTimeout(t); resolve(b) }
    })
  }
  close(): void { this.socket.close() }
}

export type Json = { [key: string]: unknown }

/** A WebSocket that parses each text frame as JSON and queues it. */
export class WsClient {
  readonly ws: WebSocket
  readonly #queue: Json[] = []
  #waiter: ((m: Json) => void) | undefined
  closed: Promise<number>
  constructor(url: string) {
    this.ws = new WebSocket(url)
    this.ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Json
      if (this.#waiter) { const w = this.#waiter; this.#waiter = undefined; w(m) } else this.#queue.push(m)
    })
    this.ws.on('error', () => {})
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)))
  }
  static async open(url: string): Promise<WsClient> {
    const c = new WsClient(url)
    await new Promise<void>((resolve, reject) => { c.ws.once('open', () => resolve()); c.ws.once('error', reject) })
    return c
  }
  send(m: Json | string): void { this.ws.send(typeof m === 'string' ? m : JSON.stringify(m)) }
  next(timeoutMs = 2000): Promise<Json | undefined> {
    const q = this.#queue.shift()
    if (q) return Promise.resolve(q)
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.#waiter = undefined; resolve(undefined) }, timeoutMs)
      this.#waiter = (m) => { clearTimeout(t); resolve(m) }
    })
  }
  get pending(): number { return this.#queue.length }
  close(): void { this.ws.close() }
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `check` every 20 ms until it holds or `timeoutMs` passes. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) { if (await check()) return true; await delay(20) }
  return check()
}
