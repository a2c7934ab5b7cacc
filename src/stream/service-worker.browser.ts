/// <reference lib="webworker" />
/** The streaming service worker (bundled alone as dist/browser/swarmstream-sw.js; serve it
 * from your origin). A media element's request for a /swarmstream-stream/ URL is answered
 * with bytes the page reads from the torrent, so <video> plays and seeks as the pieces
 * arrive, with real Range requests and 206 answers. */
import { parseStreamPath, type ChunkMessage, type PortCommand, type RangeAnswer, type RangeRequest } from './sw-protocol.js'

declare const self: ServiceWorkerGlobalScope

self.addEventListener('install', () => { void self.skipWaiting() })
self.addEventListener('activate', (event) => { event.waitUntil(self.clients.claim()) })

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (url.origin !== self.location.origin) return
  const target = parseStreamPath(url.pathname)
  if (!target) return
  event.respondWith(answer(event, target.infoHash, target.index))
})

async function pageFor(event: FetchEvent): Promise<Client | undefined> {
  const own = event.clientId ? await self.clients.get(event.clientId) : undefined
  if (own) return own
  const all = await self.clients.matchAll({ type: 'window' })
  return all[0]
}

async function answer(event: FetchEvent, infoHash: string, index: number): Promise<Response> {
  const page = await pageFor(event)
  if (!page) return new Response('no page holds this torrent', { status: 503 })
  const channel = new MessageChannel()
  const port = channel.port1
  const request: RangeRequest = { type: 'swarmstream-range', infoHash, index, range: event.request.headers.get('range') }
  const first = new Promise<RangeAnswer>((resolve) => {
    port.onmessage = (m: MessageEvent<RangeAnswer>) => resolve(m.data)
    setTimeout(() => resolve({ ok: false, status: 504 }), 30_000)
  })
  page.postMessage(request, [channel.port2])
  const head = await first
  if (!head.ok) {
    const headers: Record<string, string> = head.status === 416 && head.size !== undefined ? { 'Content-Range': `bytes */${head.size}` } : {}
    port.close()
    return new Response(null, { status: head.status, headers })
  }
  const length = head.end - head.start + 1
  const headers: Record<string, string> = {
    'Content-Type': head.contentType,
    'Content-Length': String(length),
    'Accept-Ranges': 'bytes',
  }
  if (head.partial) headers['Content-Range'] = `bytes ${head.start}-${head.end}/${head.size}`
  if (event.request.method === 'HEAD' || length === 0) { port.postMessage('cancel' satisfies PortCommand); port.close(); return new Response(null, { status: head.partial ? 206 : 200, headers }) }
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) => new Promise<void>((resolve) => {
      port.onmessage = (m: MessageEvent<ChunkMessage>) => {
        const msg = m.data
        if ('chunk' in msg) controller.enqueue(msg.chunk)
        else if ('done' in msg) { controller.close(); port.close() }
        else { controller.error(new Error(msg.error)); port.close() }
        resolve()
      }
      port.postMessage('pull' satisfies PortCommand)
    }),
    cancel: () => { port.postMessage('cancel' satisfies PortCommand); port.close() },
  }, { highWaterMark: 0 })
  return new Response(body, { status: head.partial ? 206 : 200, headers })
}
