import type { Socket as UdpSocket, RemoteInfo } from 'node:dgram'
import type { TrackerCore } from './tracker-core.js'
import type { ConnectionIds } from './connection-id.node.js'
import {
  encodeConnect, encodeUdpAnnounce, encodeUdpError, encodeUdpScrape, parseUdpRequest, UdpRefusal,
} from './udp-codec.js'
import { normalizeIp } from './compact.js'
import { TrackerRefusal } from './types.js'

/** UDP tracker (BEP 15) on one dgram socket. Announces and scrapes need a connection id that
 * only a client who received our connect reply can hold, so spoofed sources get nothing back
 * but a 16-byte connect reply (no amplification). Rate-limited senders are dropped silently:
 * answering a flood would make us the amplifier. */
export function attachUdp<H>(socket: UdpSocket, core: TrackerCore<H>, ids: ConnectionIds): void {
  const addrLength: 6 | 18 = socket.address().family === 'IPv6' ? 18 : 6

  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const ip = normalizeIp(rinfo.address)
    if (!core.addressLimiter.allow(ip, core.now())) return core.reject('udp', ip, 'rate limited')
    const reply = (b: Uint8Array): void => { socket.send(b, rinfo.port, rinfo.address) }
    try {
      const req = parseUdpRequest(msg, core.limits.maxScrapeHashes)
      if (!req) return core.reject('udp', ip, 'runt packet')
      if (req.action === 'connect') return reply(encodeConnect(req.transactionId, ids.issue(ip, rinfo.port)))
      if (!ids.verify(req.connectionId, ip, rinfo.port)) throw new UdpRefusal('invalid connection id', req.transactionId)
      if (req.action === 'announce') {
        if (req.port === 0) throw new UdpRefusal('invalid port', req.transactionId)
        try {
          const result = core.announceClassic({
            kind: 'udp', infoHash: req.infoHash, peerId: req.peerId, ip, port: req.port,
            uploaded: req.uploaded, downloaded: req.downloaded, left: req.left, event: req.event,
            numwant: Math.min(req.numwant, core.limits.maxNumwant),
          })
          reply(encodeUdpAnnounce(req.transactionId, core.interval, result, addrLength))
        } catch (err) {
          if (err instanceof TrackerRefusal) throw new UdpRefusal(err.message, req.transactionId)
          throw err
        }
      } else {
        const files = core.scrape('udp', req.infoHashes)
        reply(encodeUdpScrape(req.transactionId, [...files.values()]))
      }
    } catch (err) {
      if (!(err instanceof UdpRefusal)) throw err
      core.reject('udp', ip, err.message)
      reply(encodeUdpError(err.transactionId, err.message))
    }
  })
}
