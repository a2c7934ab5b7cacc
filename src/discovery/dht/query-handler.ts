/** Answers the queries other nodes send us: ping, find_node, get_peers, announce_peer
 * (BEP 5) and sample_infohashes (BEP 51). Bad arguments and bad tokens get error 203;
 * unknown methods get 204, except that one carrying a target or info_hash is answered as
 * find_node (libtorrent's forward-compatibility rule). */
import { getBytes, getInt } from '../../bencode/index.js'
import { concat } from '../../util/bytes.js'
import { encodeNodes, encodePeer } from './compact.js'
import { KRPC_ERROR, type KrpcQuery } from './krpc.js'
import { isNodeId } from './node-id.js'
import type { PeerStore } from './peer-store.js'
import type { RoutingTable } from './routing-table.js'
import type { Rpc } from './rpc.js'
import type { DhtStats } from './stats.js'
import type { TokenManager } from './tokens.js'
import type { PeerAddress } from './types.js'

/** BEP 51: how often (s) our sample may change, and how many info hashes it holds */
export const SAMPLE_INTERVAL_S = 60
const SAMPLE_COUNT = 20

export interface QueryContext {
  readonly selfId: Uint8Array
  readonly table: RoutingTable
  readonly tokens: TokenManager
  readonly peers: PeerStore
  readonly rpc: Rpc
  readonly stats: DhtStats
  readonly k: number
  readonly maxValues: number
  onAnnounce(infoHash: Uint8Array, peer: PeerAddress): void
}

export function answerQuery(ctx: QueryContext, q: KrpcQuery, from: PeerAddress): void {
  const { rpc, selfId: id } = ctx
  const fail = (message: string) => rpc.error(from, q.t, KRPC_ERROR.protocol, message)
  const nodesNear = (target: Uint8Array) => encodeNodes(ctx.table.closest(target, ctx.k))
  ctx.stats.queriesAnswered++
  switch (q.q) {
    case 'ping':
      rpc.respond(from, q.t, { id })
      return
    case 'find_node': {
      const target = getBytes(q.a, 'target')
      if (!isNodeId(target)) return fail('find_node needs a 20-byte target')
      rpc.respond(from, q.t, { id, nodes: nodesNear(target) })
      return
    }
    case 'get_peers': {
      const infoHash = getBytes(q.a, 'info_hash')
      if (!isNodeId(infoHash)) return fail('get_peers needs a 20-byte info_hash')
      const values = ctx.peers.get(infoHash, ctx.maxValues).map((p) => encodePeer(p)).filter((v): v is Uint8Array => v !== undefined)
      // nodes always, values when we have some: lookups go on either way
      rpc.respond(from, q.t, { id, token: ctx.tokens.token(from.host), nodes: nodesNear(infoHash), values: values.length > 0 ? values : undefined })
      return
    }
    case 'announce_peer': {
      const infoHash = getBytes(q.a, 'info_hash')
      const implied = getInt(q.a, 'implied_port') ?? 0
      const port = implied !== 0 ? from.port : getInt(q.a, 'port')
      if (!isNodeId(infoHash) || port === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) {
        ctx.stats.announcesRefused++
        return fail('announce_peer needs a 20-byte info_hash and a port')
      }
      if (!ctx.tokens.check(getBytes(q.a, 'token'), from.host)) {
        ctx.stats.announcesRefused++
        return fail('bad token')
      }
      const peer = { host: from.host, port }
      ctx.peers.add(infoHash, peer)
      ctx.stats.announcesStored++
      rpc.respond(from, q.t, { id })
      ctx.onAnnounce(infoHash, peer)
      return
    }
    case 'sample_infohashes': {
      const target = getBytes(q.a, 'target')
      if (!isNodeId(target)) return fail('sample_infohashes needs a 20-byte target')
      const { samples, num } = ctx.peers.sampleInfoHashes(SAMPLE_COUNT)
      rpc.respond(from, q.t, { id, interval: SAMPLE_INTERVAL_S, nodes: nodesNear(target), num, samples: concat(samples) })
      return
    }
    default: {
      const target = getBytes(q.a, 'target') ?? getBytes(q.a, 'info_hash')
      if (isNodeId(target)) rpc.respond(from, q.t, { id, nodes: nodesNear(target) })
      else rpc.error(from, q.t, KRPC_ERROR.methodUnknown, 'method unknown')
    }
  }
}
