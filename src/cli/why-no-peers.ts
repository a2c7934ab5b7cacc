/** Why a torrent has no peers, in words, from what each source said: shown live beside the
 * progress and with a timeout, so "0 peers" is never left unexplained. */
import type { Torrent } from '../torrent/torrent.js'

export function noPeersReason(t: Torrent): string | undefined {
  if (t.numPeers > 0 || t.done) return undefined
  const d = t.discovery
  const parts: string[] = []
  for (const tr of d.trackers) {
    const what = tr.state === 'failed' ? `failed (${tr.error ?? 'no answer'})` : tr.state === 'ok' ? `${tr.peers} peer${tr.peers === 1 ? '' : 's'}` : 'asking'
    parts.push(`tracker ${hostOf(tr.url)} ${what}`)
  }
  if (d.trackers.length === 0) parts.push('no tracker')
  parts.push(d.dhtNodes === undefined ? 'DHT off' : `DHT ${d.dhtNodes} node${d.dhtNodes === 1 ? '' : 's'}`)
  const found = Object.entries(d.found).filter(([, n]) => n > 0).map(([source, n]) => `${n} from ${source}`)
  parts.push(found.length > 0 ? `addresses found: ${found.join(', ')} (none connected)` : 'no address found yet')
  return `no peers: ${parts.join('; ')}`
}

/** What --json carries of the same. */
export function discoveryJson(t: Torrent): Record<string, unknown> {
  const d = t.discovery
  return { peers: t.numPeers, trackers: d.trackers, dhtNodes: d.dhtNodes ?? null, found: d.found }
}

function hostOf(url: string): string {
  try { return new URL(url).host } catch { return url }
}
