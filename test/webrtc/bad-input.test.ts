import { test } from 'node:test'
import assert from 'node:assert/strict'
import WebSocket from 'ws'
import { RtcPeer, WebRtcError, type ChannelDuplex } from '../../src/transport/webrtc/index.js'
import { nodeWebRtc } from '../../src/transport/webrtc/node.node.js'
import { parseWsResponse, toBinaryString } from '../../src/tracker-protocol/index.js'
import { randomBytes } from '../../src/util/bytes.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { TrackerServer } from '../../src/tracker/index.js'
import { start, ROOT } from '../peers/process.js'
import { hybridClient, LOOPBACK_RTC, memoryTorrent, randomBytesOf, startWsTracker, withTimeout } from './helpers.js'

const rtc = nodeWebRtc({ ...LOOPBACK_RTC, gatherTimeoutMs: 3000, connectTimeoutMs: 3000 })

test('tracker messages: malformed frames are ignored, never thrown', () => {
  const id = 'a'.repeat(20)
  assert.equal(parseWsResponse('not json').kind, 'ignored')
  assert.equal(parseWsResponse('[1,2]').kind, 'ignored')
  assert.equal(parseWsResponse(new Uint8Array(3)).kind, 'ignored')
  assert.equal(parseWsResponse(JSON.stringify({ action: 'announce', info_hash: 'short' })).kind, 'ignored')
  assert.equal(parseWsResponse(JSON.stringify({ action: 'announce', info_hash: '\u0100'.repeat(20) })).kind, 'ignored', 'code points above 255')
  assert.equal(parseWsResponse(JSON.stringify({ action: 'announce', info_hash: id, peer_id: id, offer_id: 'x', offer: { type: 'offer', sdp: 'v=0' } })).kind, 'ignored')
  assert.equal(parseWsResponse(JSON.stringify({ action: 'announce', info_hash: id, peer_id: id, offer_id: id, offer: { type: 'answer', sdp: 'v=0' } })).kind, 'ignored')
  assert.equal(parseWsResponse('"' + 'x'.repeat(300 * 1024) + '"').kind, 'ignored')
  assert.deepEqual(parseWsResponse(JSON.stringify({ 'failure reason': 'no' })), { kind: 'failure', reason: 'no' })
  const offer = parseWsResponse(JSON.stringify({ action: 'announce', info_hash: id, peer_id: id, offer_id: id, offer: { type: 'offer', sdp: 'v=0' } }))
  assert.equal(offer.kind, 'offer')
})

test('garbage SDP is a clean WebRtcError and leaves no connection behind', { timeout: 20_000 }, async () => {
  await assert.rejects(RtcPeer.answer('garbage', rtc), WebRtcError)
  await assert.rejects(RtcPeer.answer(42, rtc), WebRtcError)
  await assert.rejects(RtcPeer.answer('v=0\r\nthis is not sdp\r\n', rtc), WebRtcError)
  const { peer } = await RtcPeer.offer(rtc)
  await assert.rejects(peer.accept('v=0\r\no=broken'), WebRtcError)
  assert.equal(peer.destroyed, true, 'a bad answer destroys the offer')
})

test('an offer nobody answers times out; unknown offer ids and forged answers are ignored', { timeout: 30_000 }, async () => {
  const tracker = await startWsTracker()
  const ours = hybridClient({ port: false }, { offerTimeoutMs: 1500, offersPerAnnounce: 2 })
  const fake = new WebSocket(tracker.url)
  try {
    const data = randomBytesOf(64 * 1024)
    const { metainfo } = await memoryTorrent(data, [tracker.url])
    const infoHash = toBinaryString(metainfo.infoHash)
    const fakeId = toBinaryString(randomBytes(20))
    await new Promise<void>((resolve, reject) => { fake.once('open', () => resolve()); fake.once('error', reject) })
    // the fake peer joins first (no offers), so our announce's offers are relayed to it and never answered
    fake.send(JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: fakeId, uploaded: 0, downloaded: 0, left: 1, event: 'started', numwant: 0, offers: [] }))
    const gotOffers = new Promise<string[]>((resolve) => {
      const ids: string[] = []
      fake.on('message', (m) => { const o = JSON.parse(String(m)) as { offer_id?: string }; if (o.offer_id) { ids.push(o.offer_id); resolve(ids) } })
    })
    await new Promise((r) => setTimeout(r, 200))
    await ours.client.add(metainfo, { createStorage: (l) => new MemoryStorage(l) })
    const session = [...ours.signaling.sessions][0]!
    const [offerId] = await withTimeout(gotOffers, 10_000, 'offer relayed to the silent peer')
    assert.ok(session.pendingOffers >= 1)
    // an answer for an offer id we never made, and a malformed one: ignored
    const ourId = toBinaryString(ours.client.peerId)
    const answer = (oid: string, sdp: string) => JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: fakeId, to_peer_id: ourId, offer_id: oid, answer: { type: 'answer', sdp } })
    fake.send(answer(toBinaryString(randomBytes(20)), 'v=0\r\n'))
    fake.send(answer('short', 'v=0\r\n'))
    await new Promise((r) => setTimeout(r, 300))
    assert.ok(session.pendingOffers >= 1, 'unknown offer ids do not touch pending offers')
    // the real offer id with garbage SDP: that offer is closed with a warning, nothing thrown
    fake.send(answer(offerId!, 'v=0\r\nnonsense'))
    // and every offer expires without an answer
    const deadline = Date.now() + 8000
    while (session.pendingOffers > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    assert.equal(session.pendingOffers, 0, 'unanswered offers expired')
    assert.ok(ours.warnings.some((w) => /answer/.test(w)), `the bad answer was reported: ${ours.warnings.join('; ')}`)
  } finally {
    fake.close()
    await ours.client.destroy()
    await tracker.close()
  }
  assert.equal(ours.signaling.socketCount, 0)
})

test('a channel closed in the middle of a piece: the other side sees a clean close', { timeout: 20_000 }, async () => {
  const { peer: offerer, sdp: offer } = await RtcPeer.offer(rtc)
  const { peer: answerer, sdp: answer } = await RtcPeer.answer(offer, rtc)
  const opened = (p: RtcPeer) => new Promise<ChannelDuplex>((resolve, reject) => { p.once('connect', resolve); p.once('close', () => reject(new Error('closed before open'))) })
  const [a, b] = await Promise.all([opened(offerer), opened(answerer), offerer.accept(answer)])
  const errors: Error[] = []
  b.on('error', (e) => errors.push(e))
  let received = 0
  b.on('data', (c) => { received += c.length })
  const closed = new Promise<void>((resolve) => b.on('close', resolve))
  // a piece message header promising 16 KiB, then only part of it
  const msg = new Uint8Array(4 + 9 + 4000)
  new DataView(msg.buffer).setUint32(0, 9 + 16384)
  msg[4] = 7
  assert.equal(a.write(msg), true)
  await new Promise((r) => setTimeout(r, 200))
  a.destroy()
  await withTimeout(closed, 10_000, 'remote close')
  assert.equal(received, msg.length)
  assert.equal(b.closed, true)
  assert.equal(a.write(new Uint8Array(1)), false, 'writes after close are refused')
  assert.deepEqual(errors, [])
})

test('the process exits by itself after destroy()', { timeout: 60_000 }, async () => {
  const proc = start(process.execPath, ['--import', 'tsx', `${ROOT}test/webrtc/fixtures/exit-after-destroy.ts`])
  await proc.waitFor(/DESTROYED/, 45_000)
  const code = await withTimeout(proc.exited, 8000, 'exit after destroy').catch(async (err: Error) => { await proc.stop(); throw err })
  assert.equal(code, 0, proc.stderr())
})

test('a tracker that goes away: the socket reconnects with backoff and announces again', { timeout: 30_000 }, async () => {
  const first = await startWsTracker()
  const port = Number(new URL(first.url).port)
  const ours = hybridClient({ port: false }, { reconnectMinMs: 200, reconnectMaxMs: 1000 })
  let second: TrackerServer | undefined
  try {
    const { metainfo } = await memoryTorrent(randomBytesOf(32 * 1024), [first.url])
    await ours.client.add(metainfo, { createStorage: (l) => new MemoryStorage(l) })
    const until = async (f: () => boolean, what: string) => {
      const deadline = Date.now() + 10_000
      while (!f()) { if (Date.now() > deadline) throw new Error(`timed out: ${what}`); await new Promise((r) => setTimeout(r, 50)) }
    }
    await until(() => first.server.stats().torrents === 1, 'first announce')
    await first.close()
    second = new TrackerServer({ http: { port, host: '127.0.0.1' }, udp: false, ws: 'http' })
    await second.listen()
    await until(() => second!.stats().torrents === 1, 'announce after reconnect')
    assert.ok(ours.warnings.some((w) => /retrying/.test(w)), ours.warnings.join('; '))
  } finally {
    await ours.client.destroy()
    await second?.close()
  }
  assert.equal(ours.signaling.socketCount, 0)
})
