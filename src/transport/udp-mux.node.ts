/** One UDP socket per client, shared by the DHT and uTP as libtorrent does: packets are told
 * apart by their first byte. KRPC messages (BEP 5) are bencoded dictionaries and start with
 * 'd' (0x64); uTP packets (BEP 29) start with type << 4 | version 1, so 0x01, 0x11, 0x21,
 * 0x31 or 0x41. Anything else is dropped. */
import dgram from 'node:dgram'
import type { PeerAddress } from './types.js'

export type DatagramKind = 'dht' | 'utp'

/** What a protocol sees of the shared socket: its own packets in, packets out. */
export interface DatagramChannel {
  /** the local port (the same for every channel of one socket) */
  readonly port: number
  send(data: Uint8Array, to: PeerAddress): void
  /** Replaces the handler for this channel's packets. */
  onMessage(handler: (data: Uint8Array, from: PeerAddress) => void): void
}

/** Which protocol a datagram belongs to, from its first byte; undefined for neither. */
export function datagramKind(first: number | undefined): DatagramKind | undefined {
  if (first === 0x64) return 'dht'
  if (first !== undefined && (first & 0x0f) === 1 && first >> 4 <= 4) return 'utp'
  return undefined
}

export class UdpMux {
  readonly #handlers = new Map<DatagramKind, (data: Uint8Array, from: PeerAddress) => void>()
  #closed = false

  private constructor(readonly socket: dgram.Socket, readonly port: number) {
    socket.on('message', (msg, rinfo) => {
      const kind = datagramKind(msg[0])
      const handler = kind && this.#handlers.get(kind)
      if (!handler) return
      try { handler(msg, { host: rinfo.address, port: rinfo.port }) } catch { /* a bad packet never kills the socket */ }
    })
    // ICMP errors (ECONNREFUSED after a send) arrive here: they must not crash the client
    socket.on('error', () => undefined)
  }

  /** Binds a UDP socket; port 0 picks a free one. */
  static bind(port: number, host = '0.0.0.0'): Promise<UdpMux> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' })
      socket.once('error', reject)
      socket.bind(port, host, () => {
        socket.off('error', reject)
        resolve(new UdpMux(socket, socket.address().port))
      })
    })
  }

  channel(kind: DatagramKind): DatagramChannel {
    return {
      port: this.port,
      send: (data, to) => { if (!this.#closed) this.socket.send(data, to.port, to.host) },
      onMessage: (handler) => { this.#handlers.set(kind, handler) },
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }
}
