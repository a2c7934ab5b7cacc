/** Tracker URLs come from strangers: redirects to other hosts are not followed (SSRF),
 * credentials in URLs are refused, bodies are capped. Two real HTTP servers on loopback. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { announceHttp, TrackerError } from '../../src/discovery/index.js'
import { fetchLimited } from '../../src/discovery/safe-fetch.js'
import { encode } from '../../src/bencode/index.js'

async function server(host: string, handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = []
  const s = http.createServer((req, res) => { hits.push(req.url ?? ''); handle(req, res) })
  await new Promise<void>((r) => s.listen(0, host, r))
  return { port: (s.address() as AddressInfo).port, hits, close: () => new Promise((r) => s.close(() => r())) }
}

const params = { infoHash: new Uint8Array(20).fill(1), peerId: new Uint8Array(20).fill(2), port: 6881, uploaded: 0, downloaded: 0, left: 1, event: 'started' as const }

test('a tracker redirecting to another host is not followed; the other host sees nothing', async () => {
  // 127.0.0.2 plays a machine on the user's LAN
  const lan = await server('127.0.0.2', (_req, res) => res.end('admin page'))
  const tracker = await server('127.0.0.1', (_req, res) => { res.writeHead(302, { location: `http://127.0.0.2:${lan.port}/admin?reboot=1` }); res.end() })
  try {
    await assert.rejects(announceHttp(`http://127.0.0.1:${tracker.port}/announce`, params), (e: Error) => e instanceof TrackerError && /another host \(127\.0\.0\.2/.test(e.message))
    assert.deepEqual(lan.hits, [])
    assert.equal(tracker.hits.length, 1)
  } finally { await lan.close(); await tracker.close() }
})

test('a redirect on the same host is followed, at most three hops', async () => {
  const tracker = await server('127.0.0.1', (req, res) => {
    if (req.url?.startsWith('/old')) { res.writeHead(301, { location: req.url.replace('/old', '/new') }); res.end(); return }
    if (req.url?.startsWith('/loop')) { res.writeHead(302, { location: '/loop' }); res.end(); return }
    res.end(Buffer.from(encode({ interval: 60, peers: new Uint8Array([127, 0, 0, 1, 0x1a, 0xe1]) })))
  })
  try {
    const r = await announceHttp(`http://127.0.0.1:${tracker.port}/old/announce`, params)
    assert.deepEqual(r.peers, [{ host: '127.0.0.1', port: 6881 }])
    await assert.rejects(announceHttp(`http://127.0.0.1:${tracker.port}/loop`, params), /too many redirects/)
    assert.equal(tracker.hits.filter((h) => h.startsWith('/loop')).length, 4)
  } finally { await tracker.close() }
})

test('URLs with a user name or password, and other schemes, are refused before any request', async () => {
  const tracker = await server('127.0.0.1', (_req, res) => res.end('d8:intervali60e5:peers0:e'))
  try {
    await assert.rejects(announceHttp(`http://user:pw@127.0.0.1:${tracker.port}/announce`, params), /user name or password/)
    await assert.rejects(fetchLimited('file:///etc/passwd', { maxBytes: 10, timeoutMs: 1000 }), /only http and https/)
    assert.deepEqual(tracker.hits, [])
  } finally { await tracker.close() }
})

test('a body over the cap is refused, declared or not', async () => {
  const big = await server('127.0.0.1', (req, res) => {
    if (req.url === '/declared') { res.writeHead(200, { 'content-length': 2_000_000 }); res.end(Buffer.alloc(2_000_000)); return }
    res.writeHead(200); res.write(Buffer.alloc(600_000)); res.end(Buffer.alloc(600_000))
  })
  try {
    await assert.rejects(fetchLimited(`http://127.0.0.1:${big.port}/declared`, { maxBytes: 1_000_000, timeoutMs: 5000 }), /too large \(2000000/)
    await assert.rejects(fetchLimited(`http://127.0.0.1:${big.port}/chunked`, { maxBytes: 1_000_000, timeoutMs: 5000 }), /too large/)
  } finally { await big.close() }
})
