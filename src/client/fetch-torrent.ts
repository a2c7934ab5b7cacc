/** A .torrent named by an http(s) URL: fetched under the rules for strangers' URLs
 * (safe-fetch.ts: same-host redirects only, no credentials, bounded size and time). */
import { FetchError, fetchLimited } from '../discovery/safe-fetch.js'
import { ClientError } from './errors.js'

/** .torrent files of 10 MiB hold a million pieces: anything larger is not one. */
const MAX_TORRENT_BYTES = 10 * 1024 * 1024

export async function fetchTorrent(url: string): Promise<Uint8Array> {
  try {
    const { status, body } = await fetchLimited(url, { maxBytes: MAX_TORRENT_BYTES, timeoutMs: 30_000 })
    if (status !== 200) throw new ClientError(`could not fetch ${url}: HTTP ${status}`)
    return body
  } catch (err) {
    if (err instanceof FetchError) throw new ClientError(`could not fetch ${url}: ${err.message}`)
    throw err
  }
}
