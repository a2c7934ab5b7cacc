/** A second HTTP implementation for web seed tests besides nginx: Node's own http server
 * answering Range GETs from files in memory, and, on request, misbehaving in the ways a web
 * seed can (wrong bytes, errors, cut bodies, redirects, lies about the range, 200 instead
 * of 206, a body that trickles). CORS headers for the browser test. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Misbehaviour =
  | 'none'
  | 'status-404' | 'status-500'
  /** sends half the body, then closes the connection */
  | 'cut'
  /** 302 to the same path on another port (another host:port: must not be followed) */
  | 'redirect-away'
  /** 302 to /moved/<path> on this server (same host: followed) */
  | 'redirect-same'
  /** 206 with a Content-Range one byte off what was asked */
  | 'lie-range'
  /** 206 with the right headers, then more bytes than asked (no Content-Length) */
  | 'extra-bytes'
  /** 200 with the whole file, whatever the range */
  | 'ignore-range'
  /** 206 whose body comes a few bytes at a time, slower and slower */
  | 'slow'

export interface RangeServer {
  url: string
  port: number
  /** GETs received, by path */
  requests: string[]
  bytesSent: number
  misbehave: Misbehaviour
  /** flips one byte of served data at this offset of this path */
  corrupt: { path: string; offset: number } | undefined
  close(): Promise<void>
}

export async function startRangeServer(files: Record<string, Uint8Array>, opts: { cors?: boolean; misbehave?: Misbehaviour; awayUrl?: string } = {}): Promise<RangeServer> {
  const sockets = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const state: RangeServer = {
    url: '', port: 0, requests: [], bytesSent: 0, misbehave: opts.misbehave ?? 'none', corrupt: undefined,
    close: async () => {
      for (const t of timers) clearTimeout(t)
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
  const cors = (res: ServerResponse) => {
    if (!opts.cors) return
    res.setHeader('access-control-allow-origin', '*')
    res.setHeader('access-control-allow-headers', 'range')
    res.setHeader('access-control-expose-headers', 'content-range, content-length')
  }
  const send = (res: ServerResponse, bytes: Uint8Array) => { state.bytesSent += bytes.length; res.write(bytes) }
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    cors(res)
    if (req.method === 'OPTIONS') { res.writeHead(204); res.end(); return }
    let path = decodeURIComponent((req.url ?? '/').split('?')[0]!)
    state.requests.push(path)
    const mode = state.misbehave
    if (mode === 'redirect-same' && !path.startsWith('/moved/')) { res.writeHead(302, { location: `/moved${req.url}` }); res.end(); return }
    if (path.startsWith('/moved/')) path = path.slice('/moved'.length)
    const file = files[path]
    if (mode === 'status-404' || !file) { res.writeHead(404); res.end('not found'); return }
    if (mode === 'status-500') { res.writeHead(500); res.end('oops'); return }
    if (mode === 'redirect-away') { res.writeHead(302, { location: `${opts.awayUrl ?? 'http://localhost:1'}${req.url}` }); res.end(); return }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')
    let body = file
    if (state.corrupt?.path === path) { body = file.slice(); body[state.corrupt.offset] = body[state.corrupt.offset]! ^ 0xff }
    if (!m || mode === 'ignore-range') {
      res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' })
      send(res, body); res.end(); return
    }
    const first = Number(m[1]), last = Math.min(Number(m[2]), body.length - 1)
    if (first >= body.length) { res.writeHead(416, { 'content-range': `bytes */${body.length}` }); res.end(); return }
    const part = body.subarray(first, last + 1)
    if (mode === 'lie-range') {
      res.writeHead(206, { 'content-range': `bytes ${first + 1}-${last + 1}/${body.length}`, 'content-length': part.length })
      send(res, part); res.end(); return
    }
    const headers: Record<string, string | number> = { 'content-range': `bytes ${first}-${last}/${body.length}` }
    if (mode === 'extra-bytes') {
      res.writeHead(206, headers)
      send(res, part); send(res, new Uint8Array(64 * 1024).fill(7)); res.end(); return
    }
    headers['content-length'] = part.length
    res.writeHead(206, headers)
    if (mode === 'cut') { send(res, part.subarray(0, part.length >> 1)); res.socket?.destroy(); return }
    if (mode === 'slow') {
      let pos = 0
      const drip = () => {
        if (res.destroyed || pos >= part.length) return
        send(res, part.subarray(pos, pos + 4)); pos += 4
        const t = setTimeout(() => { timers.delete(t); drip() }, 200)
        timers.add(t)
      }
      drip()
      return
    }
    send(res, part); res.end()
  })
  server.on('connection', (s) => { sockets.add(s); s.once('close', () => sockets.delete(s)) })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  state.port = (server.address() as AddressInfo).port
  state.url = `http://127.0.0.1:${state.port}`
  return state
}
