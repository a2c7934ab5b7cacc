import { test } from 'node:test'
import assert from 'node:assert/strict'
import { announceHttp, scrapeHttp, scrapeUrlFor, percentEncodeBytes, TrackerError, type AnnounceParams } from '../../src/discovery/index.js'
import { toHex } from '../../src/util/bytes.js'
import { bytes20, startRawHttp, startTracker } from './tracker-fixture.js'

const T = { timeout: 20_000 }
const ports = (peers: { port: number }[]): number[] => peers.map((p) => p.port).sort((x, y) => x - y)

function params(peer: number, over: Partial<AnnounceParams> = {}): AnnounceParams {
  return { infoHash: bytes20(0xab), peerId: bytes20(peer), port: 6880 + peer, uploaded: 0, downloaded: 0, left: 1000, event: 'started', ...over }
}

test('percentEncodeBytes encodes binary byte-wise, leaving unreserved characters', () => {
  assert.equal(percentEncodeBytes(new Uint8Array([0x00, 0x41, 0x7a, 0x2d, 0x2e, 0x5f, 0x7e, 0x20, 0xff, 0x25, 0xc3, 0xa9])), '%00Az-._~%20%FF%25%C3%A9')
})

test('scrapeUrlFor follows BEP 48', () => {
  assert.equal(scrapeUrlFor('http://example.com/announce'), 'http://example.com/scrape')
  assert.equal(scrapeUrlFor('http://example.com/x/announce'), 'http://example.com/x/scrape')
  assert.equal(scrapeUrlFor('http://example.com/announce.php'), 'http://example.com/scrape.php')
  assert.equal(scrapeUrlFor('http://example.com/announce?x2%0644'), 'http://example.com/scrape?x2%0644')
  assert.equal(scrapeUrlFor('http://example.com/a'), undefined)
  assert.equal(scrapeUrlFor('http://example.com/announce?x=2/4'), 'http://example.com/scrape?x=2/4')
  assert.equal(scrapeUrlFor('http://example.com/x%064announce'), undefined)
})

test('two peers announce over HTTP to the real tracker, see each other, scrape, and stop', T, async () => {
  const tracker = await startTracker()
  try {
    const a = await announceHttp(tracker.httpUrl, params(1, { left: 0 }), { timeoutMs: 5000 })
    assert.ok(a.interval > 0)
    // bittorrent-tracker lists the announcing peer itself too, so compare the set of ports.
    assert.deepEqual(ports(a.peers), [6881])
    const b = await announceHttp(tracker.httpUrl, params(2, { numwant: 50, key: 0x1234 }), { timeoutMs: 5000 })
    assert.deepEqual(ports(b.peers), [6881, 6882])
    assert.ok(b.peers.every((p) => p.host === '127.0.0.1'))
    assert.equal(b.complete, 1)
    assert.equal(b.incomplete, 1)
    const a2 = await announceHttp(tracker.httpUrl, params(1, { left: 0, event: 'none' }), { timeoutMs: 5000 })
    assert.deepEqual(ports(a2.peers), [6881, 6882])

    const scrapeUrl = scrapeUrlFor(tracker.httpUrl)!
    const other = bytes20(0xcd)
    const s = await scrapeHttp(scrapeUrl, [bytes20(0xab), other], { timeoutMs: 5000 })
    const sa = s.get(toHex(bytes20(0xab)))
    assert.equal(sa?.complete, 1)
    assert.equal(sa?.incomplete, 1)
    assert.equal(s.get(toHex(other))?.complete ?? 0, 0)

    await announceHttp(tracker.httpUrl, params(2, { event: 'stopped' }), { timeoutMs: 5000 })
    const a3 = await announceHttp(tracker.httpUrl, params(1, { left: 0, event: 'none' }), { timeoutMs: 5000 })
    assert.deepEqual(ports(a3.peers), [6881])
    const s2 = await scrapeHttp(scrapeUrl, [bytes20(0xab)], { timeoutMs: 5000 })
    assert.equal(s2.get(toHex(bytes20(0xab)))?.incomplete, 0)
  } finally {
    await tracker.close()
  }
})

test('tracker failure reason (real server with a filter) surfaces as TrackerError', T, async () => {
  const tracker = await startTracker({ filter: (_h: string, _p: unknown, cb: (e: Error | null) => void) => cb(new Error('torrent not allowed')) })
  try {
    await assert.rejects(announceHttp(tracker.httpUrl, params(1), { timeoutMs: 5000 }),
      (e: unknown) => e instanceof TrackerError && /torrent not allowed/.test(e.message))
  } finally {
    await tracker.close()
  }
})

test('the query carries binary info_hash/peer_id byte-wise and the announce fields', T, async () => {
  const raw = await startRawHttp((_req, res) => res.end('d8:intervali900e5:peers0:e'))
  try {
    const infoHash = new Uint8Array(20).map((_, i) => i * 13)
    await announceHttp(raw.url + '?passkey=abc', { ...params(3), infoHash, event: 'none', trackerId: 'tid 1', key: 0xdeadbeef }, { timeoutMs: 5000 })
    const q = raw.requests[0]!
    assert.ok(q.startsWith('/announce?passkey=abc&info_hash=' + percentEncodeBytes(infoHash) + '&'), q)
    assert.match(q, /&port=6883&uploaded=0&downloaded=0&left=1000&compact=1/)
    assert.doesNotMatch(q, /event=/)
    assert.match(q, /&key=deadbeef&trackerid=tid%201$/)
  } finally {
    await raw.close()
  }
})

test('failure reason, dictionary peers, peers6, warnings and port 0 from a raw server', T, async () => {
  let body = ''
  const raw = await startRawHttp((_req, res) => res.end(Buffer.from(body, 'latin1')))
  try {
    body = 'd14:failure reason11:banned heree'
    await assert.rejects(announceHttp(raw.url, params(1), { timeoutMs: 5000 }), (e: unknown) => e instanceof TrackerError && e.message === 'banned here')

    const v6 = '\x20\x01\x0d\xb8' + '\x00'.repeat(11) + '\x01' + '\x1a\xe1'
    body = 'd8:intervali60e12:min intervali30e10:tracker id3:xyz15:warning message4:slow' +
      '5:peersld2:ip9:127.0.0.14:porti7000eed2:ip9:127.0.0.24:porti0eed2:ip3:::14:porti70000eee' +
      `6:peers6${v6.length}:${v6}e`
    const r = await announceHttp(raw.url, params(1), { timeoutMs: 5000 })
    assert.deepEqual(r, { interval: 60, minInterval: 30, trackerId: 'xyz', warning: 'slow', peers: [{ host: '127.0.0.1', port: 7000 }, { host: '2001:db8::1', port: 6881 }] })

    body = 'd8:intervali60e5:peers12:\x7f\x00\x00\x01\x00\x00\x7f\x00\x00\x02\x1a\xe1e'
    assert.deepEqual((await announceHttp(raw.url, params(1), { timeoutMs: 5000 })).peers, [{ host: '127.0.0.2', port: 6881 }])
  } finally {
    await raw.close()
  }
})

test('malformed responses become TrackerError, never a crash', T, async () => {
  let send: (res: import('node:http').ServerResponse) => void = (res) => res.end()
  const raw = await startRawHttp((_req, res) => send(res))
  const bodies: [string, string | Buffer, number?][] = [
    ['garbage', 'hello, this is not bencode'],
    ['truncated', 'd8:intervali60e5:peers6:\x7f\x00'],
    ['not a dict', 'li1ee'],
    ['compact peers not a multiple of 6', 'd8:intervali60e5:peers7:\x7f\x00\x00\x01\x1a\xe1\x00e'],
    ['peers6 not a multiple of 18', 'd8:intervali60e6:peers65:abcdee'],
    ['peers of a wrong type', 'd8:intervali60e5:peersi3ee'],
    ['deep nesting', 'd1:x' + 'l'.repeat(100) + 'e'.repeat(100) + 'e'],
    ['HTTP 500 with html', '<html>oops</html>', 500],
    ['empty', ''],
  ]
  try {
    for (const [name, body, status] of bodies) {
      send = (res) => { res.statusCode = status ?? 200; res.end(typeof body === 'string' ? Buffer.from(body, 'latin1') : body) }
      await assert.rejects(announceHttp(raw.url, params(1), { timeoutMs: 5000 }), TrackerError, name)
    }
    // A huge body, declared and undeclared (chunked): refused once past the cap.
    const chunk = Buffer.alloc(1 << 20, 0x61)
    send = (res) => { res.setHeader('content-length', String(64 << 20)); res.on('error', () => undefined); res.write(chunk) }
    await assert.rejects(announceHttp(raw.url, params(1), { timeoutMs: 5000 }), /too large/)
    send = (res) => {
      let n = 0
      const more = (): void => { while (n < 8 && res.write(chunk)) n++; if (n < 8) res.once('drain', more); else res.end() }
      res.on('error', () => undefined); more()
    }
    await assert.rejects(announceHttp(raw.url, params(1), { timeoutMs: 5000 }), /too large/)
    // A server that never answers: timeout.
    send = () => undefined
    await assert.rejects(announceHttp(raw.url, params(1), { timeoutMs: 200 }), /timed out/)
    // Abort from the caller.
    const ctrl = new AbortController()
    setTimeout(() => ctrl.abort(), 50)
    await assert.rejects(announceHttp(raw.url, params(1), { signal: ctrl.signal, timeoutMs: 5000 }), /aborted/)
    // Scrape without files.
    send = (res) => res.end('d5:filesi1ee')
    await assert.rejects(scrapeHttp(raw.url.replace('announce', 'scrape'), [bytes20(1)], { timeoutMs: 5000 }), TrackerError)
  } finally {
    await raw.close()
  }
})

test('an unreachable HTTP tracker is a TrackerError', T, async () => {
  const raw = await startRawHttp((_req, res) => res.end())
  const url = raw.url
  await raw.close()
  await assert.rejects(announceHttp(url, params(1), { timeoutMs: 2000 }), (e: unknown) => e instanceof TrackerError && /unreachable/.test(e.message))
})

test('scrape reads standard 20-byte binary keys', T, async () => {
  const key = Buffer.from(bytes20(0x07)).toString('latin1')
  const raw = await startRawHttp((_req, res) => res.end(Buffer.from(`d5:filesd20:${key}d8:completei5e10:downloadedi9e10:incompletei2eeee`, 'latin1')))
  try {
    const s = await scrapeHttp(raw.url.replace('announce', 'scrape'), [bytes20(0x07)], { timeoutMs: 5000 })
    assert.deepEqual([...s], [[toHex(bytes20(0x07)), { complete: 5, incomplete: 2, downloaded: 9 }]])
    assert.match(raw.requests[0]!, /^\/scrape\?info_hash=%07%07/)
  } finally {
    await raw.close()
  }
})
