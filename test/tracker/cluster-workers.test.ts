/** `swarmstream tracker --workers 2`: two processes on the same ports and one set of swarms.
 * Announces on the shared port reach one swarm whatever worker answers, UDP connection ids
 * hold across workers, a WebSocket offer crosses workers and its answer comes back, and a
 * flooding address does not keep an honest one from being served. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { connect as tcpConnect } from 'node:net'
import { decode, getBytes, getInt, isDict } from '../../src/bencode/index.js'
import { UdpTrackerClient } from '../../src/discovery/index.node.js'
import { decodeCompactPeers } from '../../src/tracker-protocol/index.js'
import { WsClient, pct, until, type Json } from './helpers.js'
import { startTrackerCli } from './cluster-helpers.js'

const IH = 'K'.repeat(19) + '\x02'
const pid = (n: number): string => `-KW0001-${String(n).padStart(12, '0')}`
const path = (n: number, ih = IH): string => `/announce?info_hash=${pct(ih)}&peer_id=${pct(pid(n))}&port=${7000 + n}&left=${n % 2}&numwant=50`

/** One GET on a fresh connection (the primary hands each connection to the next worker). */
function get(port: number, p: string, localAddress = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, agent: false, localAddress }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c)); res.on('end', () => resolve(Buffer.concat(chunks))); res.on('error', reject)
    })
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}
async function announce(port: number, n: number, localAddress?: string): Promise<{ peers: number; total: number; failure?: string }> {
  const d = decode(await get(port, path(n), localAddress))
  assert.ok(isDict(d))
  const failure = d.get('failure reason')
  if (failure instanceof Uint8Array) return { peers: 0, total: 0, failure: Buffer.from(failure).toString() }
  return { peers: decodeCompactPeers(getBytes(d, 'peers')!, 4).length, total: getInt(d, 'complete')! + getInt(d, 'incomplete')! }
}
const stats = async (port: number): Promise<Json> => JSON.parse((await get(port, '/stats.json')).toString()) as Json

test('two workers: one swarm over HTTP and UDP, a WebSocket offer and its answer cross workers', { timeout: 60_000 }, async () => {
  const t = await startTrackerCli(['--http', '0', '--udp', '0', '--workers', '2', '--quiet'])
  const sockets: WsClient[] = []
  try {
    for (let n = 1; n <= 8; n++) await announce(t.http, n)
    let last: unknown
    assert.ok(await until(async () => { const r = await announce(t.http, 9); last = r; return r.peers === 8 && r.total === 9 }, 10_000), `every worker lists all nine: ${JSON.stringify(last)}`)
    // UDP: connect and announce may land on different workers; the connection id holds.
    for (let k = 0; k < 6; k++) {
      const c = new UdpTrackerClient({ bindAddress: '127.0.0.1', retransmitBaseMs: 500, maxTries: 3 })
      try {
        const r = await c.announce(`udp://127.0.0.1:${t.udp}`, { infoHash: Buffer.from(IH, 'latin1'), peerId: Buffer.from(pid(20 + k), 'latin1'), port: 8000 + k, uploaded: 0, downloaded: 0, left: 5, event: 'started' })
        assert.ok(r.peers.length >= 9, `udp announce ${k} sees the swarm: ${JSON.stringify(r)}`)
      } finally { c.close() }
    }
    assert.ok(await until(async () => (await stats(t.http)).processes === 2 && (await stats(t.http)).processes === 2, 10_000), 'stats sum both workers')

    // WebSocket: consecutive connections go to alternate workers, so of four sockets the
    // offerer's three targets sit on both workers.
    const url = `ws://127.0.0.1:${t.http}`
    for (let i = 0; i < 4; i++) sockets.push(await WsClient.open(url))
    const ws = (i: number, extra: Json = {}): Json => ({ action: 'announce', info_hash: IH, peer_id: pid(100 + i), uploaded: 0, downloaded: 0, left: 5, numwant: 0, ...extra })
    for (let i = 0; i < 3; i++) { sockets[i]!.send(ws(i)); assert.ok(await sockets[i]!.next(5000)) }
    // Both workers know all three (stats from two fresh connections, one per worker).
    assert.ok(await until(async () => (await stats(t.http)).ws === 3 && (await stats(t.http)).ws === 3, 10_000))
    const offers = [1, 2, 3].map((k) => ({ offer_id: `offer-${k}`.padEnd(20, '.'), offer: { type: 'offer', sdp: `v=0 offer ${k}` } }))
    sockets[3]!.send(ws(3, { numwant: 3, offers }))
    assert.ok(await sockets[3]!.next(5000), 'announce answered')
    const got = await Promise.all([0, 1, 2].map((i) => sockets[i]!.next(5000)))
    assert.ok(got.every((m) => m && m.peer_id === pid(103) && (m.offer as Json).type === 'offer'), JSON.stringify(got))
    assert.equal(new Set(got.map((m) => m!.offer_id)).size, 3, 'one offer each')
    got.forEach((m, i) => sockets[i]!.send({ action: 'announce', info_hash: IH, peer_id: pid(100 + i), to_peer_id: pid(103), offer_id: m!.offer_id, answer: { type: 'answer', sdp: `v=0 answer ${i}` } }))
    const answers: (Json | undefined)[] = []
    for (let i = 0; i < 3; i++) answers.push(await sockets[3]!.next(5000))
    assert.deepEqual(answers.map((a) => a?.peer_id).sort(), [pid(100), pid(101), pid(102)], 'all three answers reach the offerer')
    const metrics = (await get(t.http, '/metrics')).toString()
    assert.match(metrics, /swarmstream_tracker_relays_total\{scope="out"\} [1-9]/, 'some crossed workers')
  } finally {
    for (const s of sockets) s.close()
    await t.proc.stop()
  }
  assert.equal(await t.proc.exited, 0, t.proc.stderr())
})

test('two workers: a flood of announces and offers from one address does not stop an honest peer', { timeout: 60_000 }, async () => {
  const t = await startTrackerCli(['--http', '0', '--udp', '0', '--workers', '2', '--quiet'])
  const honest: WsClient[] = []
  try {
    // 4 keep-alive connections from 127.0.0.1, each pipelining 1000 announces.
    const flood = Promise.all(Array.from({ length: 4 }, (_, c) => new Promise<{ answers: number; limited: number }>((resolve) => {
      const s = tcpConnect(t.http, '127.0.0.1')
      let text = ''
      s.on('connect', () => {
        let batch = ''
        for (let i = 0; i < 1000; i++) batch += `GET ${path(1000 + c * 1000 + i)} HTTP/1.1\r\nHost: x\r\n\r\n`
        s.write(batch)
      })
      const done = (): void => resolve({ answers: (text.match(/HTTP\/1\.1 200/g) ?? []).length, limited: (text.match(/rate limited/g) ?? []).length })
      s.on('data', (d: Buffer) => { text += d.toString('latin1'); if ((text.match(/HTTP\/1\.1 /g) ?? []).length >= 1000) { s.destroy(); done() } })
      s.on('error', () => done()); s.on('close', done)
      s.setTimeout(20_000, () => s.destroy())
    })))
    // Meanwhile an honest peer on 127.0.0.2 announces, each on a fresh connection.
    for (let i = 0; i < 20; i++) {
      const r = await announce(t.http, 1, '127.0.0.2')
      assert.equal(r.failure, undefined, `honest announce ${i} served`)
    }
    const f = await flood
    const limited = f.reduce((a, x) => a + x.limited, 0)
    assert.ok(limited > 1000, `the flood is refused (${limited} rate limited of ${f.reduce((a, x) => a + x.answers, 0)})`)

    // WebSocket: one socket floods offers; it is closed, an honest socket keeps being served.
    const url = `ws://127.0.0.1:${t.http}`
    for (let i = 0; i < 2; i++) honest.push(await WsClient.open(url))
    const msg = (i: number, extra: Json = {}): Json => ({ action: 'announce', info_hash: IH, peer_id: pid(500 + i), uploaded: 0, downloaded: 0, left: 5, numwant: 0, ...extra })
    honest[0]!.send(msg(0)); assert.ok(await honest[0]!.next(5000))
    const flooder = honest[1]!
    const offer = { offer_id: 'f'.repeat(20), offer: { type: 'offer', sdp: 'v=0' } }
    for (let i = 0; i < 300; i++) flooder.send(msg(1, { numwant: 1, offers: [offer] }))
    assert.equal(await flooder.closed, 1008, 'the flooder is cut off')
    // The honest peer got at most the flooder's burst of offers, and is still served.
    let offers = 0
    for (let m = await honest[0]!.next(500); m; m = await honest[0]!.next(500)) if (m.offer) offers++
    assert.ok(offers <= 60, `offers passed on: ${offers}`)
    honest[0]!.send(msg(0)); const r = await honest[0]!.next(5000)
    assert.equal(r?.action, 'announce'); assert.equal(r?.['failure reason'], undefined)
  } finally {
    for (const s of honest) s.close()
    await t.proc.stop()
  }
})
