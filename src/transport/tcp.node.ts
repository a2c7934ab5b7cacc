import net from 'node:net'
import { Emitter } from '../util/emitter.js'
import type { Duplex, PeerAddress } from './types.js'

export interface TcpListener {
  port: number
  close(): Promise<void>
}

/** One read buffer for every outgoing connection of the process: the kernel copies straight
 * into it and the wire consumes each read before the next can happen (the event loop runs
 * one callback at a time), so no read allocates. 1 MiB lets one read take what a fast peer
 * queued, instead of many 64 KiB reads. */
let sharedReadBuffer: Buffer | undefined

type SocketEvents = { data: [Uint8Array]; drain: []; close: []; error: [Error] }

/** A dialed TCP connection reading through `onread`: 'data' chunks are views of the shared
 * read buffer, valid only during the event (transientChunks). */
class TcpConnection extends Emitter<SocketEvents> implements Duplex {
  readonly transientChunks = true
  socket!: net.Socket
  write(chunk: Uint8Array): boolean { return this.socket.write(chunk) }
  destroy(error?: Error): void { this.socket.destroy(error) }
  cork(): void { this.socket.cork() }
  uncork(): void { this.socket.uncork() }
  get remoteAddress(): string | undefined { return this.socket.remoteAddress }
  get remotePort(): number | undefined { return this.socket.remotePort }
}

/** Dials a peer over TCP; rejects after `timeoutMs` (a dead address must not hold a
 * connection slot for the OS's own two-minute SYN timeout). */
export function connectTcp(addr: PeerAddress, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const conn = new TcpConnection()
    sharedReadBuffer ??= Buffer.allocUnsafe(1024 * 1024)
    const socket = net.connect({
      host: addr.host,
      port: addr.port,
      onread: { buffer: sharedReadBuffer, callback: (n: number, buf: Uint8Array) => { conn.emit('data', buf.subarray(0, n)); return true } },
    })
    conn.socket = socket
    socket.on('drain', () => conn.emit('drain'))
    socket.on('close', () => conn.emit('close'))
    const done = (err?: Error) => {
      clearTimeout(timer)
      socket.off('connect', onConnect)
      socket.off('error', done)
      opts.signal?.removeEventListener('abort', onAbort)
      if (err) { socket.destroy(); reject(err); return }
      socket.on('error', (e) => { if (conn.listenerCount('error') > 0) conn.emit('error', e) })
      resolve(conn)
    }
    const onConnect = () => { socket.setNoDelay(true); done() }
    const onAbort = () => done(new Error('connect aborted'))
    const timer = setTimeout(() => done(new Error(`connect to ${addr.host}:${addr.port} timed out`)), opts.timeoutMs ?? 10_000)
    socket.once('connect', onConnect)
    socket.once('error', done)
    opts.signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Listens for incoming peers. Port 0 picks a free port; `port` then tells which. */
export function listenTcp(port: number, host: string, onConnection: (socket: net.Socket & Duplex) => void): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<net.Socket>()
    const server = net.createServer((socket) => {
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
      socket.setNoDelay(true)
      onConnection(asDuplex(socket))
    })
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      server.on('error', () => { /* accept errors (EMFILE) must not crash the client */ })
      const address = server.address()
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((res) => {
          for (const s of sockets) s.destroy()
          server.close(() => res())
        }),
      })
    })
  })
}

/** A net.Socket is a Duplex in all but name: its Buffers are Uint8Arrays. */
function asDuplex(socket: net.Socket): net.Socket & Duplex {
  return socket as net.Socket & Duplex
}
