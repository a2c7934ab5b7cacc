import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Announcer, announceHttp, scrapeHttp, scrapeUrlFor, type AnnounceEvent, type AnnounceFn, type AnnouncerOptions, type PeerAddress } from '../../src/discovery/index.js'
import { UdpTrackerClient } from '../../src/discovery/index.node.js'
import { toHex } from '../../src/util/bytes.js'
import { bytes20, deadPort, startTracker } from './tracker-fixture.js'

const T = { timeout: 20_000 }
const infoHash = bytes20(0x42)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function announcer(over: Partial<AnnouncerOptions> & Pick<AnnouncerOptions, 'announce' | 'transports'>): Announcer {
  return new Announcer({ infoHash, peerId: bytes20(1), port: 9001, getStats: () => ({ uploaded: 0, downloaded: 0, left: 100 }), minIntervalMs: 100, requestTimeoutMs: 2000, ...over })
}

/** Resolves with the first emitted value that passes `ok`, or fails after `ms`. */
function waitFor<A extends unknown[]>(subscribe: (fn: (...a: A) => void) => void, ok: (...a: A) => boolean, ms = 5000): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for event')), ms)
    subscribe((...a) => { if (ok(...a)) { clearTimeout(timer); resolve(a) } })
  })
}
const hasPort = (port: number) => (peers: PeerAddress[]): boolean => peers.some((p) => p.port === port)

test('announcers over HTTP and UDP find each other through the real tracker; complete and stop reach it', T, async () => {
  const tracker = await startTracker()
  const udp = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 200, maxTries: 3 })
  let bLeft = 100
  const a = announcer({ announce: [[tracker.httpUrl]], transports: { http: announceHttp }, peerId: bytes20(1), port: 9001, getStats: () => ({ uploaded: 0, downloaded: 0, left: 0 }) })
  const b = announcer({ announce: [[tracker.udpUrl]], transports: { udp }, peerId: bytes20(2), port: 9002, getStats: () => ({ uploaded: 0, downloaded: 100 - bLeft, left: bLeft }) })
  const scrape = async (): Promise<{ complete: number; incomplete: number } | undefined> =>
    (await scrapeHttp(scrapeUrlFor(tracker.httpUrl)!, [infoHash], { timeoutMs: 2000 })).get(toHex(infoHash))
  try {
    const aFirst = waitFor<[string, unknown]>((fn) => a.on('response', fn), (url) => url === tracker.httpUrl)
    a.start()
    await aFirst
    const bPeers = waitFor<[PeerAddress[]]>((fn) => b.on('peers', fn), hasPort(9001))
    b.start()
    const [peersOfB] = await bPeers
    assert.ok(peersOfB.some((p) => p.host === '127.0.0.1' && p.port === 9001))

    await sleep(150) // past the min interval
    const aPeers = waitFor<[PeerAddress[]]>((fn) => a.on('peers', fn), hasPort(9002))
    a.update()
    await aPeers
    const counts = await scrape()
    assert.equal(counts?.complete, 1)
    assert.equal(counts?.incomplete, 1)

    bLeft = 0
    const bDone = waitFor<[string, unknown]>((fn) => b.on('response', fn), () => true)
    b.complete()
    await bDone
    assert.equal((await scrape())?.complete, 2)

    await b.stop()
    assert.equal((await scrape())?.complete, 1)
    await a.stop()
    assert.equal((await scrape())?.complete, 0)
  } finally {
    await a.stop(); await b.stop()
    udp.close()
    await tracker.close()
  }
})

test('BEP 12 tier fallback: dead URLs first, then the live one, which moves to the front', T, async () => {
  const tracker = await startTracker()
  const udp = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 50, maxTries: 2 })
  const deadHttp = `http://127.0.0.1:${await deadPort()}/announce`
  const deadUdp = `udp://127.0.0.1:${await deadPort()}`
  // random() near 1 keeps Fisher-Yates from swapping: the order stays as listed
  const a = announcer({ announce: [[deadHttp, deadUdp, tracker.httpUrl], ['ws://127.0.0.1:1/skipped']], transports: { http: announceHttp, udp }, random: () => 0.999 })
  const errors: Error[] = []
  a.on('error', (e) => errors.push(e))
  try {
    assert.deepEqual(a.tiers, [[deadHttp, deadUdp, tracker.httpUrl]])
    const answered = waitFor<[string, unknown]>((fn) => a.on('response', fn), () => true)
    a.start()
    const [url] = await answered
    assert.equal(url, tracker.httpUrl)
    assert.equal(errors.length, 2)
    assert.deepEqual(a.tiers, [[tracker.httpUrl, deadHttp, deadUdp]])
  } finally {
    await a.stop()
    udp.close()
    await tracker.close()
  }
})

test('every tier is announced to (qBittorrent default: all tiers, first working tracker in each)', T, async () => {
  const t1 = await startTracker()
  const t2 = await startTracker()
  const a = announcer({ announce: [[t1.httpUrl], [t2.httpUrl]], transports: { http: announceHttp } })
  try {
    const seen = new Set<string>()
    const both = waitFor<[string, unknown]>((fn) => a.on('response', fn), (url) => { seen.add(url); return seen.size === 2 })
    a.start()
    await both
    assert.deepEqual([...seen].sort(), [t1.httpUrl, t2.httpUrl].sort())
  } finally {
    await a.stop()
    await t1.close(); await t2.close()
  }
})

/** A fake transport recording events, for timing logic without a server. */
function recorder(answer: (event: AnnounceEvent) => Promise<{ interval: number; peers: PeerAddress[] }>): { fn: AnnounceFn; events: AnnounceEvent[] } {
  const events: AnnounceEvent[] = []
  return { events, fn: async (_url, p) => { events.push(p.event); return answer(p.event) } }
}

test('events: started, regular re-announce on interval, rate-limited update, completed, stopped', T, async () => {
  const r = recorder(async () => ({ interval: 1, peers: [] }))
  const a = announcer({ announce: [['http://t.invalid/announce']], transports: { http: r.fn }, minIntervalMs: 300 })
  try {
    a.start()
    await sleep(50)
    assert.deepEqual(r.events, ['started'])
    a.update() // too soon: deferred to the min interval, not sent now
    await sleep(50)
    assert.deepEqual(r.events, ['started'])
    await sleep(300)
    assert.deepEqual(r.events, ['started', 'none'])
    await sleep(1200) // the tracker's 1 s interval
    assert.deepEqual(r.events, ['started', 'none', 'none'])
    a.complete()
    await sleep(50)
    assert.deepEqual(r.events, ['started', 'none', 'none', 'completed'])
    await a.stop()
    assert.deepEqual(r.events, ['started', 'none', 'none', 'completed', 'stopped'])
    await sleep(300)
    assert.equal(r.events.length, 5, 'nothing after stop')
  } finally {
    await a.stop()
  }
})

test('a failing tracker backs off exponentially and stop() ends retries', T, async () => {
  let calls = 0
  const a = announcer({ announce: [['http://t.invalid/announce']], transports: { http: async () => { calls++; throw new Error('down') } }, backoffBaseMs: 40, random: () => 0.5 })
  const errors: Error[] = []
  a.on('error', (e) => errors.push(e))
  a.start()
  await sleep(330) // tries at 0, 40, 120, 280 (base 40 doubling, jitter ×1 at random 0.5)
  assert.ok(calls >= 3 && calls <= 4, `calls ${calls}`)
  assert.equal(errors.length, calls)
  await a.stop()
  const after = calls
  await sleep(200)
  assert.equal(calls, after)
  assert.ok(calls < 6)
})

test('stop() is bounded even when a tracker never answers', T, async () => {
  const a = announcer({
    announce: [['http://t.invalid/announce']], stopTimeoutMs: 200,
    transports: { http: (_u, p) => p.event === 'stopped' ? new Promise(() => undefined) : Promise.resolve({ interval: 60, peers: [] }) },
  })
  a.start()
  await sleep(30)
  const started = Date.now()
  await a.stop()
  const took = Date.now() - started
  assert.ok(took >= 150 && took < 1000, `took ${took} ms`)
})

test('URLs with no transport are skipped silently', () => {
  const a = announcer({ announce: [['ws://x/'], ['udp://127.0.0.1:1'], ['http://127.0.0.1:1/a', 'http://127.0.0.1:1/a']], transports: { http: announceHttp } })
  assert.deepEqual(a.tiers, [['http://127.0.0.1:1/a']])
})
