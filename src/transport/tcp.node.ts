import net from 'node:net'
import type { Duplex, PeerAddress } from './types.js'

export interface TcpListener {
  port: number
  close(): Promise<void>
}

/** Dials a peer over TCP; rejects after `timeoutMs` (a dead address must not hold a
 * connection slot for the OS's own two-minute SYN timeout). */
export function connectTcp(addr: PeerAddress, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<net.Socket & Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: addr.host, port: addr.port })
    const done = (err?: Error) => {
      clearTimeout(timer)
      socket.off('connect', onConnect)
      socket.off('error', done)
      opts.signal?.removeEventListener('abort', onAbort)
      if (err) { socket.destroy(); reject(err) } else resolve(asDuplex(socket))
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
