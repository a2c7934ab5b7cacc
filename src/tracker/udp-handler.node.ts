import type { Socket as UdpSocket, RemoteInfo } from 'node:dgram'
import type { TrackerCore } from './tracker-core.js'
import type { ConnectionIds } from './connection-id.node.js'
import {
  TrackerError, UdpRequestError, encodeUdpAnnounceResponse, encodeUdpConnectResponse, encodeUdpErrorResponse,
  encodeUdpScrapeResponse, normalizeIp, parseUdpRequest, type Latin1Reader,
} from '../tracker-protocol/index.js'

/** UDP tracker (BEP 15) on one dgram socket. Announces and scrapes need a connection id that
 * only a client who received our connect reply can hold, so spoofed sources get nothing back
 * but a 16-byte connect reply (no amplification). Rate-limited senders are dropped silently:
 * answering a flood would make us the amplifier. */
// Datagrams arrive as Buffers: their native latin1 slice beats building strings in JS.
const latin1: Latin1Reader = (b, start, end) => (b as Buffer).toString('latin1', start, end)

/** numwant when the client sends -1 (BEP 15: "default"). */
const DEFAULT_NUMWANT = 50

export function attachUdp<H>(socket: UdpSocket, core: TrackerCore<H>, ids: ConnectionIds): void {
  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const ip = normalizeIp(rinfo.address)
    if (!core.addressLimiter.allow(ip, core.now())) return core.reject('udp', ip, 'rate limited')
    try {
      const req = parseUdpRequest(msg, core.limits.maxScrapeHashes, latin1)
      if (!req) return core.reject('udp', ip, 'runt packet')
      if (req.action === 'connect') return socket.send(encodeUdpConnectResponse(req.transactionId, ids.issue(ip, rinfo.port)), rinfo.port, rinfo.address)
      if (!ids.verify(req.connectionId, ip, rinfo.port)) throw new UdpRequestError('invalid connection id', req.transactionId)
      if (req.action === 'announce') {
        if (req.port === 0) throw new UdpRequestError('invalid port', req.transactionId)
        try {
          const result = core.announceClassic({
            kind: 'udp', infoHash: req.infoHash, peerId: req.peerId, ip, port: req.port,
            uploaded: req.uploaded, downloaded: req.downloaded, left: req.left, event: req.event,
            numwant: Math.min(req.numwant ?? DEFAULT_NUMWANT, core.limits.maxNumwant),
          })
          // BEP 15: IPv4 clients get 6-byte peers, IPv6 clients 18-byte ones (a dual-stack
          // socket sees IPv4 clients as mapped addresses, normalized away above).
          socket.send(encodeUdpAnnounceResponse(req.transactionId, core.interval, result, ip.includes(':') ? 18 : 6), rinfo.port, rinfo.address)
        } catch (err) {
          if (err instanceof TrackerError) throw new UdpRequestError(err.message, req.transactionId)
          throw err
        }
      } else {
        const files = core.scrape('udp', req.infoHashes)
        socket.send(encodeUdpScrapeResponse(req.transactionId, [...files.values()]), rinfo.port, rinfo.address)
      }
    } catch (err) {
      // Anything but a refusal is our bug: report it, drop the packet, keep serving.
      if (!(err instanceof UdpRequestError)) return core.reject('udp', ip, `internal error: ${(err as Error).message}`)
      core.reject('udp', ip, err.message)
      socket.send(encodeUdpErrorResponse(err.transactionId, err.message), rinfo.port, rinfo.address)
    }
  })
}
