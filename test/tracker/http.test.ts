import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode, isDict, getBytes, getInt, getList, getText, type BDict } from '../../src/bencode/index.js'
import { startTracker, httpGet, pct } from './helpers.js'

const IH = 'I'.repeat(19) + '\x01'
const pid = (n: number) => `-XX0001-${String(n).padStart(12, '0')}`

function announceUrl(port: number, n: number, extra = '', ih = IH): string {
  return `http://127.0.0.1:${port}/announce?info_hash=${pct(ih)}&peer_id=${pct(pid(n))}&port=${6000 + n}&uploaded=0&downloaded=0&left=${n === 1 ? 0 : 10}${extra}`
}
async function bget(url: string, headers?: Record<string, string>): Promise<BDict> {
  const r = await httpGet(url, headers)
  assert.equal(r.status, 200)
  const v = decode(r.body)
  assert.ok(isDict(v))
  return v
}

test('HTTP announce: compact (BEP 23), dictionary, no_peer_id, IPv6 peers (BEP 7), scrape', async () => {
  const { server, ports } = await startTracker({ trustProxy: true, udp: false })
  try {
    await bget(announceUrl(ports.http, 1))
    // trustProxy: the last X-Forwarded-For hop names the peer; here an IPv6 one.
    await bget(announceUrl(ports.http, 2), { 'X-Forwarded-For': '203.0.113.9, 2001:db8::7' })
    const r = await bget(announceUrl(ports.http, 3, '&compact=1'))
    assert.equal(getInt(r, 'complete'), 1)
    assert.equal(getInt(r, 'incomplete'), 2)
    assert.equal(getInt(r, 'interval'), 600)
    assert.deepEqual([...getBytes(r, 'peers')!], [127, 0, 0, 1, 0x17, 0x71])
    const p6 = getBytes(r, 'peers6')!
    assert.equal(p6.length, 18)
    assert.deepEqual([...p6.subarray(0, 2), p6[15], p6[16], p6[17]], [0x20, 0x01, 7, 0x17, 0x72])

    const d = await bget(announceUrl(ports.http, 4, '&compact=0'))
    const list = getList(d, 'peers')!.filter(isDict)
    assert.equal(list.length, 3)
    const byPort = new Map(list.map((p) => [getInt(p, 'port'), p]))
    assert.equal(getText(byPort.get(6001)!, 'ip'), '127.0.0.1')
    assert.equal(getText(byPort.get(6002)!, 'ip'), '2001:db8::7')
    assert.equal(Buffer.from(getBytes(byPort.get(6001)!, 'peer id')!).toString('latin1'), pid(1))
    const np = await bget(announceUrl(ports.http, 4, '&compact=0&no_peer_id=1'))
    assert.ok(getList(np, 'peers')!.filter(isDict).every((p) => !p.has('peer id')))

    const other = 'O'.repeat(20)
    const s = await bget(`http://127.0.0.1:${ports.http}/scrape?info_hash=${pct(IH)}&info_hash=${pct(other)}`)
    const files = s.get('files')
    assert.ok(isDict(files))
    const f = files.get(IH)
    assert.ok(isDict(f))
    assert.equal(getInt(f, 'complete'), 1)
    assert.equal(getInt(f, 'incomplete'), 3)
    assert.ok(isDict(files.get(other)))
    // scrape also answers under a path that ends in /scrape (announce URL ".../x/announce")
    assert.ok(isDict((await bget(`http://127.0.0.1:${ports.http}/x/scrape?info_hash=${pct(IH)}`)).get('files')))
  } finally { await server.close() }
})

test('X-Forwarded-For is ignored unless trustProxy is set', async () => {
  const { server, ports } = await startTracker({ udp: false })
  try {
    await bget(announceUrl(ports.http, 2), { 'X-Forwarded-For': '8.8.8.8' })
    const r = await bget(announceUrl(ports.http, 3))
    assert.deepEqual([...getBytes(r, 'peers')!].slice(0, 4), [127, 0, 0, 1])
  } finally { await server.close() }
})

test('HTTP bad input gets a failure reason, never a crash, and other swarms are untouched', async () => {
  const { server, ports } = await startTracker({ udp: false, allowList: (hex) => hex !== '42'.repeat(20) })
  const rejected: string[] = []
  server.on('rejected', (r) => rejected.push(r.reason))
  try {
    await bget(announceUrl(ports.http, 1))
    const base = `http://127.0.0.1:${ports.http}`
    const cases: [string, RegExp][] = [
      [`${base}/announce?info_hash=%zz%`, /malformed/],
      [`${base}/announce?info_hash=${pct('short')}&peer_id=${pct(pid(1))}&port=1&left=0`, /info_hash/],
      [`${base}/announce?info_hash=${pct(IH)}&peer_id=abc&port=1&left=0`, /peer_id/],
      [`${base}/announce?info_hash=${pct(IH)}&peer_id=${pct(pid(9))}&port=0&left=0`, /port/],
      [`${base}/announce?info_hash=${pct(IH)}&peer_id=${pct(pid(9))}&port=1&left=abc`, /left/],
      [`${base}/announce`, /missing/],
      [announceUrl(ports.http, 5, '', '\x42'.repeat(20)), /not allowed/],
      [`${base}/scrape`, /missing info_hash/],
    ]
    for (const [url, re] of cases) {
      const r = await bget(url)
      assert.match(getText(r, 'failure reason') ?? '', re, url)
    }
    assert.equal((await httpGet(`${base}/nope`)).status, 404)
    assert.equal(rejected.length, cases.length)
    const st = server.stats()
    assert.equal(st.torrents, 1)
    assert.equal(st.seeders, 1)
  } finally { await server.close() }
})

test('announces from one address are rate limited with a failure reason', async () => {
  const { server, ports } = await startTracker({ udp: false, limits: { requestsPerSecondPerAddress: 1, requestBurstPerAddress: 5 } })
  try {
    const reasons: (string | undefined)[] = []
    for (let i = 0; i < 8; i++) reasons.push(getText(await bget(announceUrl(ports.http, 2)), 'failure reason'))
    assert.deepEqual(reasons.slice(0, 5), [undefined, undefined, undefined, undefined, undefined])
    assert.match(reasons[7] ?? '', /rate limited/)
  } finally { await server.close() }
})

test('stats page (escaped HTML) and stats.json count peers by kind', async () => {
  const { server, ports } = await startTracker({ udp: false })
  try {
    await bget(announceUrl(ports.http, 1))
    const evilPeer = '-<i>x-' + 'e'.repeat(14)
    await bget(`http://127.0.0.1:${ports.http}/announce?info_hash=${pct(IH)}&peer_id=${pct(evilPeer)}&port=7000&left=5`)
    const j = JSON.parse((await httpGet(`http://127.0.0.1:${ports.http}/stats.json`)).body.toString())
    assert.equal(j.torrents, 1)
    assert.equal(j.seeders, 1)
    assert.equal(j.leechers, 1)
    assert.equal(j.http, 2)
    assert.ok(j.announcesPerSecond.total > 0)
    assert.ok(j.memory.rss > 0)
    const page = await httpGet(`http://127.0.0.1:${ports.http}/stats`)
    assert.match(String(page.headers['content-type']), /text\/html/)
    const html = page.body.toString()
    assert.ok(html.includes('&lt;i&gt;x'), 'client name escaped')
    assert.ok(!html.includes('<i>x'))
  } finally { await server.close() }
})
