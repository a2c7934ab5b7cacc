/** What survives a restart (BEP 5: "the routing table should be saved between
 * invocations"): our id and the good nodes, as plain JSON. Reading it back checks every
 * field: a damaged file yields nothing rather than a broken table. */
import { fromHex, toHex } from '../../util/bytes.js'
import { parseIPv4, type Contact } from './types.js'

export interface DhtState {
  /** our node id, hex */
  id: string
  nodes: { id: string; host: string; port: number }[]
}

/** at most this many nodes are kept in or read from a snapshot */
export const MAX_SNAPSHOT_NODES = 2000

export function snapshotOf(selfId: Uint8Array, nodes: readonly Contact[]): DhtState {
  return { id: toHex(selfId), nodes: nodes.slice(0, MAX_SNAPSHOT_NODES).map((n) => ({ id: toHex(n.id), host: n.host, port: n.port })) }
}

const hexId = (v: unknown): Uint8Array | undefined =>
  typeof v === 'string' && /^[0-9a-f]{40}$/i.test(v) ? fromHex(v) : undefined

/** Parses a snapshot into Dht options (`nodeId`, `nodes`); undefined when it is not one. */
export function parseDhtState(json: unknown): { nodeId: Uint8Array; nodes: Contact[] } | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const { id, nodes } = json as { id?: unknown; nodes?: unknown }
  const nodeId = hexId(id)
  if (!nodeId || !Array.isArray(nodes)) return undefined
  const out: Contact[] = []
  for (const n of nodes.slice(0, MAX_SNAPSHOT_NODES) as unknown[]) {
    if (typeof n !== 'object' || n === null) continue
    const { id: nid, host, port } = n as { id?: unknown; host?: unknown; port?: unknown }
    const cid = hexId(nid)
    if (!cid || typeof host !== 'string' || !parseIPv4(host) || typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) continue
    out.push({ id: cid, host, port })
  }
  return { nodeId, nodes: out }
}
