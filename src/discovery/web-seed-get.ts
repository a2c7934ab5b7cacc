/** One ranged HTTP GET of a web seed (BEP 19), streamed: the body goes to `onBytes` as it
 * arrives, so memory stays at a chunk whatever the server sends. The URL and its redirects
 * follow safe-fetch's rules (http/https, no userinfo, same-host redirects only). Everything
 * a server says is checked against what we asked, because a web seed is a stranger too:
 * - 206 with a Content-Range that is exactly our range, of a file of the length the torrent
 *   says (a server with another version of the file is of no use);
 * - 200 (the server ignores Range) only for a range starting at 0: the prefix is read and the
 *   rest left unread;
 * - no more and no fewer body bytes than asked, no content coding (a decoded body would not
 *   be the bytes the range counts);
 * - bounded in time: the headers and each chunk must come within `idleMs`, and the whole GET
 *   within `graceMs` plus the time `minBytesPerSecond` takes (a slow-loris server).
 * Platform-neutral: the global fetch. */
import type { Clock } from '../util/clock.js'
import { FetchError, fetchFollowing } from './safe-fetch.js'
import { parseContentRange } from './web-seed-plan.js'

export class WebSeedError extends Error {
  override name = 'WebSeedError'
}

export interface RangeTarget {
  url: string
  /** first byte within the file */
  start: number
  length: number
  /** the file's length per the torrent */
  fileLength: number
}

export interface RangeGetLimits {
  clock: Clock
  signal?: AbortSignal
  /** the longest wait for headers or for the next chunk (default 15 s) */
  idleMs?: number
  /** the whole GET may take graceMs + length / minBytesPerSecond (defaults 15 s, 16 KiB/s) */
  graceMs?: number
  minBytesPerSecond?: number
}

/** Fetches `target`, handing the body to `onBytes` in order; resolves when exactly
 * `target.length` bytes were delivered, otherwise throws a WebSeedError saying why. Aborted
 * through `signal`: throws a WebSeedError 'aborted'. */
export async function rangedGet(target: RangeTarget, onBytes: (chunk: Uint8Array) => void, limits: RangeGetLimits): Promise<void> {
  const { clock } = limits
  const { start, length } = target
  const last = start + length - 1
  const ctrl = new AbortController()
  let why: string | undefined
  const stop = (reason: string) => { why ??= reason; ctrl.abort() }
  const onAbort = () => stop('aborted')
  if (limits.signal?.aborted) throw new WebSeedError('aborted')
  limits.signal?.addEventListener('abort', onAbort, { once: true })
  const idleMs = limits.idleMs ?? 15_000
  let idle = clock.setTimeout(() => stop(`no data for ${idleMs} ms`), idleMs)
  const allowedMs = (limits.graceMs ?? 15_000) + (length * 1000) / (limits.minBytesPerSecond ?? 16384)
  const deadline = clock.setTimeout(() => stop(`${length} bytes took longer than ${Math.round(allowedMs)} ms`), allowedMs)
  const alive = () => { idle.cancel(); idle = clock.setTimeout(() => stop(`no data for ${idleMs} ms`), idleMs) }
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  try {
    const { response: res } = await fetchFollowing(target.url, { signal: ctrl.signal, headers: { range: `bytes=${start}-${last}` } })
    alive()
    reader = res.body?.getReader()
    const partial = checkResponse(res, target)
    if (!reader) throw new WebSeedError('response without a body')
    let got = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      alive()
      if (got + value.length > length) {
        if (partial) throw new WebSeedError(`the server sent more than the ${length} bytes asked`)
        onBytes(value.subarray(0, length - got)) // 200: the file from its start; we have our prefix
        got = length
        break
      }
      if (value.length > 0) onBytes(value)
      got += value.length
      if (got === length && !partial) break
    }
    if (got < length) throw new WebSeedError(`the body ended after ${got} of ${length} bytes`)
  } catch (err) {
    if (why !== undefined) throw new WebSeedError(why)
    if (err instanceof WebSeedError) throw err
    if (err instanceof FetchError) throw new WebSeedError(err.message)
    throw new WebSeedError(`unreachable: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    idle.cancel()
    deadline.cancel()
    limits.signal?.removeEventListener('abort', onAbort)
    // a body we stopped reading (the rest of a 200, or a server that talks too much) is dropped
    if (reader) void reader.cancel().catch(() => undefined)
  }
}

/** Whether the answer is the range we asked (true: 206) or the whole file from its start
 * (false: 200 to a range from byte 0); throws otherwise. */
function checkResponse(res: Response, target: RangeTarget): boolean {
  const { start, length, fileLength } = target
  const coding = res.headers.get('content-encoding')
  if (coding && coding.toLowerCase() !== 'identity') throw new WebSeedError(`the server sent a ${coding} body`)
  const declared = res.headers.get('content-length')
  if (res.status === 206) {
    const range = parseContentRange(res.headers.get('content-range'))
    const asked = `bytes ${start}-${start + length - 1}/${fileLength}`
    if (!range || range.first !== start || range.last !== start + length - 1 || (range.total !== undefined && range.total !== fileLength)) {
      throw new WebSeedError(`asked for ${asked}, the server answered Content-Range: ${res.headers.get('content-range') ?? '(none)'}`)
    }
    if (declared !== null && Number(declared) !== length) throw new WebSeedError(`asked for ${length} bytes, Content-Length says ${declared}`)
    return true
  }
  if (res.status === 200) {
    if (start !== 0) throw new WebSeedError('the server ignores Range requests (200 to a range)')
    if (declared !== null && Number(declared) !== fileLength) throw new WebSeedError(`the file is ${declared} bytes on the server, ${fileLength} in the torrent`)
    return false
  }
  if (res.status === 416) throw new WebSeedError(`HTTP 416: the file on the server is shorter than the torrent's ${fileLength} bytes`)
  throw new WebSeedError(`HTTP ${res.status}`)
}
