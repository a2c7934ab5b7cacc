/** Messages between the streaming service worker and the page that holds the torrent.
 * The worker answers a media element's range requests; the page owns the torrent and sends
 * the bytes, one chunk per 'pull', over a MessageChannel port. */
export const STREAM_PATH = '/swarmstream-stream/'

/** service worker → page (with a MessagePort) */
export interface RangeRequest {
  type: 'swarmstream-range'
  infoHash: string
  index: number
  range: string | null
}

/** page → worker, the first answer on the port */
export type RangeAnswer =
  | { ok: true; size: number; contentType: string; start: number; end: number; partial: boolean }
  | { ok: false; status: number; size?: number }

/** page → worker, one per 'pull' */
export type ChunkMessage = { chunk: Uint8Array } | { done: true } | { error: string }

/** worker → page on the port */
export type PortCommand = 'pull' | 'cancel'

/** `/swarmstream-stream/<infohash>/<index>/<name>`: the URL a media element is given. */
export function streamPath(infoHash: string, index: number, name: string): string {
  return `${STREAM_PATH}${infoHash}/${index}/${encodeURIComponent(name)}`
}

export function parseStreamPath(pathname: string): { infoHash: string; index: number } | undefined {
  const m = /^\/swarmstream-stream\/([0-9a-f]{40})\/(\d{1,7})(?:\/|$)/.exec(pathname)
  return m ? { infoHash: m[1]!, index: Number(m[2]) } : undefined
}
