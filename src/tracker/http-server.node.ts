import { createServer, type Server, type Socket } from 'node:net'

/** A lean HTTP/1.1 server for tracker traffic: GET requests with no body, keep-alive and
 * pipelining, one socket write per batch of pipelined answers. Trackers answer small GETs by
 * the hundred thousand; node:http's general machinery (streams, IncomingMessage,
 * ServerResponse per request) costs several times the tracker's own work, so requests are
 * parsed here from the raw bytes. Upgrade requests (WebSocket) are handed over whole. */

export interface LeanRequest {
  method: string
  url: string
  httpVersion: string
  /** header names lower-cased; repeated headers joined with ', ' */
  headers: Record<string, string | undefined>
  socket: Socket
}

export interface LeanResponse {
  status: number
  type: string
  body: Uint8Array | string
  headers?: Record<string, string>
}

export interface LeanServerOptions {
  handle(req: LeanRequest): LeanResponse
  /** takes over the socket for an `Upgrade:` request; `head` holds bytes read past the request */
  upgrade?(req: LeanRequest, socket: Socket, head: Buffer): void
  /** largest request head (default 8 KiB) */
  maxHeadBytes?: number
  /** idle sockets are closed after this long (default 30 s) */
  idleTimeoutMs?: number
}

const REASONS: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large',
  426: 'Upgrade Required', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error',
}

const MAX_UNREAD_BYTES = 1024 * 1024

export function createLeanHttpServer(opts: LeanServerOptions): Server {
  const maxHead = opts.maxHeadBytes ?? 8192
  const idle = opts.idleTimeoutMs ?? 30_000
  // Sockets that have not completed a request head yet, with their arrival time: one sweep
  // timer for all of them instead of a Timeout per socket (a socket keeps its Timeout object
  // even after setTimeout(0), and upgraded WebSocket sockets are many and long-lived).
  const waiting = new Map<Socket, number>()
  const sweep = setInterval(() => {
    const before = Date.now() - idle
    for (const [sock, since] of waiting) if (since < before) { waiting.delete(sock); sock.destroy() }
  }, Math.max(50, Math.min(5000, idle / 3)))
  sweep.unref()
  function unwait(this: Socket): void { waiting.delete(this) }
  const server = createServer({ noDelay: true }, (socket) => {
    waiting.set(socket, Date.now())
    socket.on('close', unwait)
    socket.on('error', onError)
    let buf = ''
    let timed = false
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('latin1')
      const out: Buffer[] = []
      let close = false
      while (!close) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0 ? buf.length > maxHead : end > maxHead) {
          out.push(serialize({ status: 431, type: 'text/plain', body: 'request head too large' }, true, false)); close = true
          break
        }
        if (end < 0) break
        const head = buf.slice(0, end)
        buf = buf.slice(end + 4)
        waiting.delete(socket)
        const req = parseHead(head, socket)
        if (!req) { out.push(serialize({ status: 400, type: 'text/plain', body: 'bad request' }, true, false)); close = true; break }
        if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0) {
          out.push(serialize({ status: 413, type: 'text/plain', body: 'request bodies are not accepted' }, true, false)); close = true; break
        }
        if (opts.upgrade && req.headers.upgrade !== undefined) {
          // Hand over a bare socket: the new owner sets its own error handling and timeouts.
          socket.off('data', onData)
          socket.off('error', onError)
          if (out.length > 0) socket.write(Buffer.concat(out))
          try { opts.upgrade(req, socket, Buffer.from(buf, 'latin1')) } catch { socket.destroy() }
          return
        }
        const conn = (req.headers.connection ?? '').toLowerCase()
        close = req.httpVersion === '1.0' ? conn !== 'keep-alive' : conn === 'close'
        let res: LeanResponse
        try { res = opts.handle(req) } catch { res = { status: 500, type: 'text/plain', body: 'internal error' }; close = true }
        out.push(serialize(res, close, req.method === 'HEAD', req.httpVersion === '1.0' && !close))
      }
      if (out.length > 0) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out))
      // A client that pipelines without reading its answers would make us buffer without end.
      if (socket.writableLength > MAX_UNREAD_BYTES) { socket.destroy(); return }
      // A kept-alive HTTP connection is closed after `idle` without a request.
      if (!timed && !close && out.length > 0) { timed = true; socket.setTimeout(idle, onIdle) }
      if (buf.length > 0 && !close && !waiting.has(socket)) waiting.set(socket, Date.now())
      if (close) { socket.off('data', onData); socket.end() }
    }
    socket.on('data', onData)
  })
  server.on('close', () => clearInterval(sweep))
  return server
}

// Shared handlers (no closure per socket: upgraded sockets live long and are many).
function onIdle(this: Socket): void { this.destroy() }
function onError(this: Socket): void { this.destroy() }

function parseHead(head: string, socket: Socket): LeanRequest | undefined {
  const lineEnd = head.indexOf('\r\n')
  const line = lineEnd < 0 ? head : head.slice(0, lineEnd)
  const m = /^([A-Z]{1,16}) (\S+) HTTP\/1\.([01])$/.exec(line)
  if (!m) return undefined
  const headers: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>
  if (lineEnd >= 0) {
    for (const h of head.slice(lineEnd + 2).split('\r\n')) {
      const colon = h.indexOf(':')
      if (colon <= 0) return undefined
      const name = h.slice(0, colon).trim().toLowerCase()
      const value = h.slice(colon + 1).trim()
      const prev = headers[name]
      headers[name] = prev === undefined ? value : `${prev}, ${value}`
    }
  }
  return { method: m[1]!, url: m[2]!, httpVersion: '1.' + m[3]!, headers, socket }
}

function serialize(res: LeanResponse, close: boolean, headOnly: boolean, keepAlive10 = false): Buffer {
  const body = typeof res.body === 'string' ? Buffer.from(res.body) : res.body
  let head = `HTTP/1.1 ${res.status} ${REASONS[res.status] ?? 'Unknown'}\r\nContent-Type: ${res.type}\r\nContent-Length: ${body.length}\r\n`
  if (res.headers) for (const k in res.headers) head += `${k}: ${res.headers[k]}\r\n`
  if (close) head += 'Connection: close\r\n'
  else if (keepAlive10) head += 'Connection: keep-alive\r\n'
  head += '\r\n'
  if (headOnly || body.length === 0) return Buffer.from(head, 'latin1')
  const out = Buffer.allocUnsafe(head.length + body.length)
  out.write(head, 0, 'latin1')
  out.set(body, head.length)
  return out
}
