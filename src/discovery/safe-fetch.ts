/** HTTP GETs of URLs that came from strangers (trackers in a .torrent or magnet, web seeds,
 * .torrent links), with the rules that keep such a URL from being used against the user:
 * - http and https only, and never with userinfo (`http://user:pass@host/`): a credential in
 *   a torrent is a trick, not a login;
 * - redirects are followed only to the same host and port (at most 3 hops); a tracker cannot
 *   bounce us to another machine, such as a router's admin page on the LAN (SSRF);
 * - the body is size-capped and the request is bounded in time.
 * Platform-neutral: the global fetch. */
export class FetchError extends Error {
  override name = 'FetchError'
}

export interface FetchLimits {
  maxBytes: number
  timeoutMs: number
  signal?: AbortSignal | undefined
  headers?: Record<string, string>
  maxRedirects?: number
}

/** Parses a stranger's URL, or throws a FetchError saying what is wrong with it. */
export function checkUrl(url: string): URL {
  let u: URL
  try { u = new URL(url) } catch { throw new FetchError(`not a URL: ${url}`) }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError(`only http and https URLs are fetched, not ${u.protocol}`)
  if (u.username !== '' || u.password !== '') throw new FetchError('URLs with a user name or password are refused')
  return u
}

/** Where a redirect may lead: the same host and port (http may become https). */
function sameHost(from: URL, to: URL): boolean {
  const port = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80')
  const upgrade = from.protocol === 'http:' && to.protocol === 'https:' && to.port === '' && from.port === ''
  return from.hostname === to.hostname && (port(from) === port(to) || upgrade)
}

export async function fetchLimited(url: string, limits: FetchLimits): Promise<{ status: number; body: Uint8Array; url: string; headers: Headers }> {
  const ctrl = new AbortController()
  const onAbort = (): void => ctrl.abort()
  if (limits.signal?.aborted) throw new FetchError('aborted')
  limits.signal?.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(() => ctrl.abort(), limits.timeoutMs)
  try {
    const { response: res, url: final } = await fetchFollowing(url, { signal: ctrl.signal, headers: limits.headers, maxRedirects: limits.maxRedirects })
    return { status: res.status, body: await readCapped(res, limits.maxBytes), url: final, headers: res.headers }
  } catch (err) {
    if (err instanceof FetchError) throw err
    if (ctrl.signal.aborted) throw new FetchError(limits.signal?.aborted ? 'aborted' : 'timed out')
    throw new FetchError(`unreachable: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    clearTimeout(timer)
    limits.signal?.removeEventListener('abort', onAbort)
  }
}

/** A GET under the same rules (checked URL, same-host redirects only), answering with the
 * response whose body is still to be read: for callers that stream it (web seeds, BEP 19).
 * Time and size bounds are the caller's (through `signal`). Throws FetchError for a refused
 * URL or redirect; network errors and aborts as fetch throws them. */
export async function fetchFollowing(url: string, opts: { signal: AbortSignal; headers?: Record<string, string> | undefined; maxRedirects?: number | undefined }): Promise<{ response: Response; url: string }> {
  let target = checkUrl(url)
  for (let hop = 0; ; hop++) {
    const res = await fetch(target, { signal: opts.signal, redirect: 'manual', headers: { 'accept-encoding': 'identity', ...opts.headers } })
    if (res.type === 'opaqueredirect') throw new FetchError('redirected; not followed')
    if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
      await res.body?.cancel().catch(() => undefined)
      const next = checkUrl(new URL(res.headers.get('location')!, target).href)
      if (!sameHost(target, next)) throw new FetchError(`redirected to another host (${next.host}); not followed`)
      if (hop >= (opts.maxRedirects ?? 3)) throw new FetchError('too many redirects')
      target = next
      continue
    }
    return { response: res, url: target.href }
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined)
    throw new FetchError(`response too large (${declared} bytes)`)
  }
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = res.body?.getReader()
  while (reader) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new FetchError('response too large')
    }
    chunks.push(value)
  }
  const body = new Uint8Array(total)
  let off = 0
  for (const c of chunks) { body.set(c, off); off += c.length }
  return body
}
