/** The library API as WebTorrent users meet it, in the swarm harness: add returns the
 * torrent at once, state events are never missed, duplicates, ids read later, piece
 * selection, events, and download limits that pace what comes in (on the fake clock). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Swarm, bytes, sameBytes } from '../harness/swarm.js'
import { formatMagnet } from '../../src/metainfo/index.js'
import { toHex } from '../../src/util/bytes.js'
import { PRIORITY_CRITICAL, PRIORITY_SKIP } from '../../src/engine/picker.js'

test('add returns the torrent at once with a hex info hash; ready and done reach listeners added late', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(20 * 16384) })
  const seed = await swarm.seeder(content)
  const client = swarm.client()
  let called: string | undefined
  const torrent = client.add(content.metainfo, { peers: [seed.client.address] }, (t) => { called = t.infoHash })
  assert.equal(torrent.infoHash, content.metainfo.infoHashHex)
  assert.deepEqual(torrent.infoHashBytes, content.metainfo.infoHash)
  assert.equal(client.torrents.length, 1)
  assert.equal(client.torrents[0], torrent)
  assert.equal(await client.add(content.metainfo), torrent, 'awaiting add gives the same torrent; adding again too')
  await swarm.until(() => torrent.done, 'done')
  assert.equal(called, torrent.infoHash, 'the callback ran once ready')
  const late: string[] = []
  for (const e of ['infoHash', 'metadata', 'ready', 'done'] as const) torrent.on(e, () => late.push(e))
  torrent.once('done', () => late.push('once'))
  await swarm.clock.advance(0)
  assert.deepEqual(late, ['infoHash', 'metadata', 'ready', 'done', 'once'], 'late listeners of states that hold are called, once')
  assert.equal(await torrent.whenDone(), torrent)
  assert.equal(torrent.timeRemaining, 0)
  assert.equal(torrent.received, content.data.length)
  assert.equal(torrent.downloaded, content.data.length)
  assert.match(torrent.magnetURI, new RegExp(`^magnet:\\?xt=urn:btih:${torrent.infoHash}&dn=a\\.bin`))
  assert.equal(torrent.wires.length, torrent.numPeers)
  await swarm.destroy()
})

test('an id read later (a Blob) is identified later; the same torrent added twice that way fails and goes', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(8 * 16384) })
  const seed = await swarm.seeder(content)
  const client = swarm.client()
  const first = client.add(new Blob([content.torrent as Uint8Array<ArrayBuffer>]), { peers: [seed.client.address] })
  const second = client.add(new Blob([content.torrent as Uint8Array<ArrayBuffer>]), { peers: [seed.client.address] })
  assert.equal(first.infoHash, '', 'not known before the Blob is read')
  const hashes: string[] = []
  first.on('infoHash', (h) => hashes.push(h))
  const errors: Error[] = []
  second.on('error', (e) => errors.push(e))
  let gotExisting: unknown
  client.add(new Blob([content.torrent as Uint8Array<ArrayBuffer>]), {}, (t) => { gotExisting = t })
  await swarm.until(() => first.done && second.destroyed, 'first done, second gone')
  assert.deepEqual(hashes, [content.metainfo.infoHashHex])
  assert.match(errors[0]!.message, /already added/)
  assert.deepEqual(client.torrents, [first], 'one torrent is left, none leaks')
  assert.equal(gotExisting, first, 'a duplicate\'s callback gets the torrent that was there, as WebTorrent does')
  assert.equal(client.get(formatMagnet({ infoHash: content.metainfo.infoHash })), first, 'get takes a magnet link')
  assert.equal(client.get(first.infoHash), first)
  assert.equal(client.get('b'.repeat(40)), null)
  assert.ok(sameBytes(first.torrentFile!, content.torrent), 'the .torrent as given')
  await swarm.destroy()
})

test('announce takes a flat list (a tier each) or tiers; an id that cannot be read fails the torrent, not the caller', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(4 * 16384) })
  const client = swarm.client()
  const flat = client.add(content.metainfo, { announce: ['http://127.0.0.1:1/a', 'udp://127.0.0.1:2'] })
  assert.deepEqual(flat.announce, ['http://127.0.0.1:1/a', 'udp://127.0.0.1:2'])
  const tiers = client.add(formatMagnet({ infoHash: new Uint8Array(20).fill(3) }), { announce: [['http://127.0.0.1:3/a', 'http://127.0.0.1:4/a']] })
  assert.deepEqual(tiers.announce, ['http://127.0.0.1:3/a', 'http://127.0.0.1:4/a'])
  const clientErrors: Error[] = []
  client.on('error', (e) => clientErrors.push(e))
  const broken = client.add(new Blob([new Uint8Array([1, 2, 3])]))
  await assert.rejects(broken.whenReady(), /invalid/)
  assert.equal(clientErrors.length, 1, 'with no listener on the torrent, the client hears of it')
  assert.equal(client.torrents.includes(broken), false)
  assert.throws(() => client.add('magnet:?xt=urn:btih:nothex'), /info hash/, 'a malformed id throws at once')
  await swarm.destroy()
})

test('select, deselect and critical pick pieces as WebTorrent does; download, upload and verified events', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'one.bin': bytes(16 * 16384, 1), 'two.bin': bytes(16 * 16384, 2) })
  const seed = await swarm.seeder(content)
  let uploaded = 0
  seed.torrent.on('upload', (n) => { uploaded += n })
  const client = swarm.client()
  const t = client.add(content.metainfo, { peers: [seed.client.address], deselect: true })
  await swarm.run(t.whenReady())
  const picker = t.exchange!.picker
  assert.equal(picker.priority(0), PRIORITY_SKIP, 'deselect: nothing wanted')
  t.select(20, 23)
  t.critical(30, 31)
  let downloaded = 0
  const verified: number[] = []
  t.on('download', (n) => { downloaded += n })
  t.on('verified', (i) => verified.push(i))
  await swarm.until(() => [20, 21, 22, 23, 30, 31].every((i) => picker.has(i)), 'the selected pieces')
  await swarm.clock.advance(1000)
  assert.deepEqual([...verified].sort((a, b) => a - b), [20, 21, 22, 23, 30, 31], 'only those')
  assert.equal(downloaded, 6 * 16384)
  assert.equal(uploaded, 6 * 16384)
  t.deselect(0, 31)
  t.critical(5, 5)
  assert.equal(t.files.every((f) => !f.selected), true, 'files lying inside the range are deselected')
  await swarm.clock.advance(0)
  assert.equal(picker.priority(5), PRIORITY_CRITICAL)
  assert.equal(picker.priority(21), PRIORITY_SKIP, 'the selection is taken back')
  assert.throws(() => t.select(0, 99), /invalid piece range/)
  t.files[1]!.select()
  await swarm.until(() => t.done, 'the second file')
  for (let i = 16; i < 32; i++) assert.ok(sameBytes(await t.read(i, 0, 16384), content.data.subarray(i * 16384, (i + 1) * 16384)))
  await swarm.destroy()
})

test('a download limit paces what comes in; a client limit is shared; noPeers fires when alone', async () => {
  const swarm = new Swarm()
  const rate = 64 * 1024
  const content = await swarm.content({ 'a.bin': bytes(64 * 16384, 5) })
  const seed = await swarm.seeder(content)
  const leech = await swarm.leecher(content.metainfo, [seed.client.address], { add: { downloadLimit: rate } })
  const start = swarm.clock.now()
  let worst = 0
  leech.torrent.on('download', () => {
    const seconds = (swarm.clock.now() - start) / 1000
    worst = Math.max(worst, leech.torrent.received - rate * (seconds + 1))
  })
  const took = await swarm.until(() => leech.torrent.done, 'done')
  // one second of burst, then 64 KiB/s for the remaining 960 KiB: 15 s
  assert.ok(took >= 14_000, `the limit held: ${took} ms of fake time for 1 MiB at 64 KiB/s`)
  assert.ok(took <= 20_000, `and was used: ${took} ms`)
  assert.ok(worst <= 2 * 16384, `never more than a block or two ahead of the limit (${worst} bytes)`)

  const a = await swarm.content({ 'b.bin': bytes(32 * 16384, 6) })
  const b = await swarm.content({ 'c.bin': bytes(32 * 16384, 7) })
  const sa = await swarm.seeder(a), sb = await swarm.seeder(b)
  const client = swarm.client({ downloadLimit: rate })
  const ta = client.add(a.metainfo, { peers: [sa.client.address] })
  const tb = client.add(b.metainfo, { peers: [sb.client.address] })
  const both = await swarm.until(() => ta.done && tb.done, 'both done')
  assert.ok(both >= 14_000, `the client limit covers both torrents: ${both} ms for 1 MiB`)
  assert.ok(client.throttleDownload(-1), '-1 lifts it')
  assert.equal(client.throttleDownload(0), false, '0 is refused')

  const lonely = swarm.client().add(formatMagnet({ infoHash: new Uint8Array(20).fill(9) }))
  const sources: string[] = []
  lonely.on('noPeers', (s) => sources.push(s))
  await swarm.clock.advance(61_000)
  assert.deepEqual(sources, ['none', 'none'], 'every 30 s, no source of peers at all')
  assert.equal(toHex(lonely.infoHashBytes!), '09'.repeat(20))
  await swarm.destroy()
})
