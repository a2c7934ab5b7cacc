/** Test fixtures: the real `bittorrent-tracker` server on 127.0.0.1, a raw HTTP server for
 * malformed answers, and a UDP relay that drops packets. Everything binds loopback only. */
import http from 'node:http'
import dgram from 'node:dgram'
import type { AddressInfo } from 'node:net'
import type { EventEmitter } from 'node:events'

interface TrackerServer extends EventEmitter {
  http: http.Server
  udp4: dgram.Socket
  udp6: dgram.Socket
  listen(port: number, hostname: { http: string; udp: string; udp6: string }, cb: () => void): void
  close(cb: () => void): void
}
type ServerCtor = new (opts: Record<string, unknown>) => TrackerServer

export interface RunningTracker {
  httpUrl: string
  udpUrl: string
  udpPort: number
  close(): Promise<void>
}

// A non-literal specifier keeps tsc from asking for type declarations the package lacks.
const trackerModule = 'bittorrent-tracker'

export async function startTracker(extra: Record<string, unknown> = {}): Promise<RunningTracker> {
  const { Server } = (await import(trackerModule)) as { Server: ServerCtor }
  const server = new Server({ udp: true, http: true, ws: false, stats: false, interval: 60_000, ...extra })
  server.on('warning', () => undefined)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, { http: '127.0.0.1', udp: '127.0.0.1', udp6: '::1' }, () => { server.off('error', reject); resolve() })
  })
  server.on('error', () => undefined)
  const httpPort = (server.http.address() as AddressInfo).port
  const udpPort = server.udp4.address().port
  return {
    httpUrl: `http://127.0.0.1:${httpPort}/announce`,
    udpUrl: `udp://127.0.0.1:${udpPort}`,
    udpPort,
    close: () => new Promise<void>((resolve) => {
      server.http.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** A raw HTTP server answering every request with `respond`; for malformed responses only. */
export async function startRawHttp(respond: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = []
  const server = http.createServer((req, res) => { requests.push(req.url ?? ''); respond(req, res) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/announce`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

/** A UDP relay on 127.0.0.1 in front of `targetPort` that drops the first `drop` packets from
 * clients, to exercise BEP 15 retransmission. */
export async function startDroppingRelay(targetPort: number, drop: number): Promise<{ url: string; received: () => number; close(): void }> {
  const front = dgram.createSocket('udp4')
  const back = dgram.createSocket('udp4')
  let received = 0
  let client: { address: string; port: number } | undefined
  front.on('message', (msg, rinfo) => {
    received++
    client = { address: rinfo.address, port: rinfo.port }
    if (received <= drop) return
    back.send(msg, targetPort, '127.0.0.1')
  })
  back.on('message', (msg, rinfo) => {
    if (rinfo.port !== targetPort || !client) return
    front.send(msg, client.port, client.address)
  })
  await Promise.all([front, back].map((s) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))))
  return {
    url: `udp://127.0.0.1:${front.address().port}`,
    received: () => received,
    close: () => { front.close(); back.close() },
  }
}

/** A loopback port with nothing listening (bound, read, released). */
export async function deadPort(): Promise<number> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const port = s.address().port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

export function bytes20(fill: number): Uint8Array {
  return new Uint8Array(20).fill(fill)
}
