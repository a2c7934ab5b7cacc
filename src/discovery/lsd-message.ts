/** BEP 14 announces: an SSDP-like request sent by UDP multicast to 239.192.152.143:6771.
 *
 *   BT-SEARCH * HTTP/1.1\r\n
 *   Host: 239.192.152.143:6771\r\n
 *   Port: <our peer port>\r\n
 *   Infohash: <40 hex>\r\n   (one or more, consecutive)
 *   cookie: <ours, to skip our own announces looped back>\r\n
 *   \r\n\r\n
 *
 * Pure: strings in, strings out. */
export const LSD_GROUP = '239.192.152.143'
export const LSD_PORT = 6771
/** BEP 14: keep a packet under 1400 bytes (about 25 info hashes) */
export const LSD_MAX_BYTES = 1400
const MAX_HASHES = Math.floor((LSD_MAX_BYTES - 120) / 52)

/** What a torrent sees of the client's local discovery. */
export interface LocalPeerDiscovery {
  join(infoHash: Uint8Array, onPeer: (addr: { host: string; port: number }) => void): { leave(): void }
}

export interface LsdAnnounce {
  port: number
  /** lowercase hex */
  infoHashes: string[]
  cookie?: string
}

/** One packet per ~25 info hashes. */
export function encodeLsd(a: LsdAnnounce): string[] {
  const out: string[] = []
  for (let i = 0; i < a.infoHashes.length; i += MAX_HASHES) {
    const lines = ['BT-SEARCH * HTTP/1.1', `Host: ${LSD_GROUP}:${LSD_PORT}`, `Port: ${a.port}`,
      ...a.infoHashes.slice(i, i + MAX_HASHES).map((h) => `Infohash: ${h}`), ...(a.cookie ? [`cookie: ${a.cookie}`] : [])]
    out.push(`${lines.join('\r\n')}\r\n\r\n\r\n`)
  }
  return out
}

/** A received announce, or undefined for anything else (other SSDP traffic, junk). */
export function parseLsd(text: string): LsdAnnounce | undefined {
  if (text.length > LSD_MAX_BYTES * 2) return undefined
  const lines = text.split(/\r?\n/)
  if (!/^BT-SEARCH \* HTTP\/1\.[01]$/.test(lines[0] ?? '')) return undefined
  let port: number | undefined
  let cookie: string | undefined
  const infoHashes: string[] = []
  for (const line of lines.slice(1)) {
    const m = /^([A-Za-z-]+):\s*(.*?)\s*$/.exec(line)
    if (!m) continue
    const name = m[1]!.toLowerCase(), value = m[2]!
    if (name === 'port' && /^\d{1,5}$/.test(value)) port = Number(value)
    else if (name === 'infohash' && /^[0-9a-fA-F]{40}$/.test(value) && infoHashes.length < MAX_HASHES) infoHashes.push(value.toLowerCase())
    else if (name === 'cookie') cookie = value.slice(0, 64)
  }
  if (port === undefined || port < 1 || port > 65535 || infoHashes.length === 0) return undefined
  return { port, infoHashes, ...(cookie !== undefined ? { cookie } : {}) }
}
