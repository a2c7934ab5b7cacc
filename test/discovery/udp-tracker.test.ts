import { test } from 'node:test'
import dgram from 'node:dgram'
import assert from 'node:assert/strict'
import { TrackerError, type AnnounceParams } from '../../src/discovery/index.js'
import { UdpTrackerClient } from '../../src/discovery/index.node.js'
import { toHex } from '../../src/util/bytes.js'
import { bytes20, deadPort, startDroppingRelay, startTracker } from './tracker-fixture.js'

const T = { timeout: 20_000 }
const ports = (peers: { port: number }[]): number[] => peers.map((p) => p.port).sort((x, y) => x - y)

function params(peer: number, over: Partial<AnnounceParams> = {}): AnnounceParams {
  return { infoHash: bytes20(0x5a), peerId: bytes20(peer), port: 7880 + peer, uploaded: 0, downloaded: 0, left: 1000, event: 'started', ...over }
}

test('two peers announce over UDP to the real tracker, see each other, scrape, and stop', T, async () => {
  const tracker = await startTracker()
  const client = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 200, maxTries: 3 })
  try {
    const a = await client.announce(tracker.udpUrl, params(1, { left: 0 }))
    assert.ok(a.interval > 0)
    const b = await client.announce(tracker.udpUrl, params(2, { numwant: 10, key: 99, downloaded: 2 ** 40 }))
    // bittorrent-tracker lists the announcing peer too; what matters is that A is there with its port.
    assert.deepEqual(ports(b.peers), [7881, 7882])
    assert.ok(b.peers.every((p) => p.host === '127.0.0.1'))
    assert.equal(b.complete, 1)
    assert.equal(b.incomplete, 1)

    const s = await client.scrape(tracker.udpUrl, [bytes20(0x5a), bytes20(0x01)])
    assert.equal(s.get(toHex(bytes20(0x5a)))?.complete, 1)
    assert.equal(s.get(toHex(bytes20(0x5a)))?.incomplete, 1)
    assert.equal(s.get(toHex(bytes20(0x01)))?.complete, 0)

    await client.announce(tracker.udpUrl, params(2, { event: 'stopped' }))
    const a2 = await client.announce(tracker.udpUrl, params(1, { left: 0, event: 'none' }))
    assert.deepEqual(ports(a2.peers), [7881])
    assert.equal(client.pendingCount, 0)
  } finally {
    client.close()
    await tracker.close()
  }
})

test('a dropped first packet is retransmitted (relay in front of the real tracker)', T, async () => {
  const tracker = await startTracker()
  const relay = await startDroppingRelay(tracker.udpPort, 1)
  const client = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 150, maxTries: 3 })
  try {
    const started = Date.now()
    const r = await client.announce(relay.url, params(3))
    assert.deepEqual(ports(r.peers), [7883])
    assert.ok(Date.now() - started >= 140, 'answered only after a retransmit')
    assert.equal(relay.received(), 3) // connect (dropped), connect again, announce
  } finally {
    client.close()
    relay.close()
    await tracker.close()
  }
})

test('a silent tracker times out after maxTries with a TrackerError', T, async () => {
  const port = await deadPort()
  const client = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 50, maxTries: 3 })
  try {
    const started = Date.now()
    await assert.rejects(client.announce(`udp://127.0.0.1:${port}/announce`, params(1)), (e: unknown) => e instanceof TrackerError && /timed out/.test(e.message))
    assert.ok(Date.now() - started >= 50 + 100 + 200 - 20, 'waited 50 + 100 + 200 ms')
    // timeoutMs and abort cut it shorter
    await assert.rejects(client.announce(`udp://127.0.0.1:${port}`, params(1), { timeoutMs: 30 }), /timed out/)
    const ctrl = new AbortController()
    setTimeout(() => ctrl.abort(), 20)
    await assert.rejects(client.announce(`udp://127.0.0.1:${port}`, params(1), { signal: ctrl.signal }), /aborted/)
    assert.equal(client.pendingCount, 0)
  } finally {
    client.close()
  }
})

test('tracker error (action 3) surfaces as TrackerError', T, async () => {
  const tracker = await startTracker({ filter: (_h: string, _p: unknown, cb: (e: Error | null) => void) => cb(new Error('not on this tracker')) })
  const client = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 200, maxTries: 2 })
  try {
    await assert.rejects(client.announce(tracker.udpUrl, params(1)), (e: unknown) => e instanceof TrackerError && /not on this tracker/.test(e.message))
  } finally {
    client.close()
    await tracker.close()
  }
})

test('bad URLs and a closed client are TrackerErrors', T, async () => {
  const client = new UdpTrackerClient({ bindAddress: '127.0.0.1', resolve: async () => { throw new Error('no DNS in tests') } })
  await assert.rejects(client.announce('udp://127.0.0.1/announce', params(1)), /needs a port/)
  await assert.rejects(client.announce('http://127.0.0.1:80/announce', params(1)), /not a UDP/)
  await assert.rejects(client.announce('udp://tracker.invalid:80', params(1)), /cannot resolve/)
  await assert.rejects(client.announce('udp://[::1]:80', params(1)), /IPv6/)
  client.close()
  await assert.rejects(client.announce('udp://127.0.0.1:9', params(1)), /closed/)
})

test('close() fails requests in flight', T, async () => {
  const port = await deadPort()
  const client = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 5000, maxTries: 2 })
  const pending = client.announce(`udp://127.0.0.1:${port}`, params(1))
  await new Promise((r) => setTimeout(r, 50))
  client.close()
  await assert.rejects(pending, /closed/)
})

test('answers from the wrong address or with the wrong transaction id are ignored; runts are errors', T, async () => {
  // A raw UDP socket playing a broken tracker, plus a second socket playing a spoofer.
  const fake = dgram.createSocket('udp4')
  const spoofer = dgram.createSocket('udp4')
  await Promise.all([fake, spoofer].map((s) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))))
  fake.on('message', (msg, rinfo) => {
    const action = msg.readUInt32BE(8)
    const txn = msg.readUInt32BE(12)
    const reply = (b: Buffer, from = fake): void => { from.send(b, rinfo.port, rinfo.address) }
    if (action === 0) {
      const ok = Buffer.alloc(16); ok.writeUInt32BE(0, 0); ok.writeUInt32BE(txn, 4); ok.fill(7, 8)
      const bogus = Buffer.from(ok); bogus.fill(9, 8)
      reply(bogus, spoofer) // right txn, wrong source port
      const wrongTxn = Buffer.from(bogus); wrongTxn.writeUInt32BE((txn + 1) >>> 0, 4)
      reply(wrongTxn) // right source, wrong txn
      reply(Buffer.alloc(3)) // runt
      setTimeout(() => reply(ok), 20)
    } else {
      assert.deepEqual([...msg.subarray(0, 8)], [7, 7, 7, 7, 7, 7, 7, 7], 'uses the genuine connection id')
      const runt = Buffer.alloc(12); runt.writeUInt32BE(1, 0); runt.writeUInt32BE(txn, 4)
      reply(runt)
    }
  })
  const client = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 1000, maxTries: 2 })
  try {
    await assert.rejects(client.announce(`udp://127.0.0.1:${fake.address().port}`, params(1)), (e: unknown) => e instanceof TrackerError && /short/.test(e.message))
  } finally {
    client.close(); fake.close(); spoofer.close()
  }
})
