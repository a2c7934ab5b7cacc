/** The message orders real clients send, replayed against us; each must keep trading.
 * Captured on loopback from libtorrent 2.0.8, Transmission 3.00 and webtorrent 3 (as
 * leechers of our seeder and as seeders to our leecher), plus orders the BEPs allow that
 * other engines use. A piece map (bitfield, have_all, have_none) may come at any point. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Swarm, bytes, sameBytes, storedBytes, scriptedDial, scriptedPeer } from '../harness/swarm.js'
import type { Wire } from '../../src/wire/index.js'

type Step = 'ext' | 'have-none' | 'have-all' | 'empty-bitfield' | 'half-bitfield' | 'full-bitfield' | 'interested' | 'unchoke' | 'allowed-fast' | 'request' | 'wait'

const PIECES = 8
function send(wire: Wire, step: Step): void {
  const bits = (n: number) => ({ toBytes: () => Uint8Array.of((0xff << (8 - n)) & 0xff) }) as never
  switch (step) {
    case 'ext': return // the Wire sends its extension handshake right after the handshake
    case 'have-none': wire.haveNone(); return
    case 'have-all': wire.haveAll(); return
    case 'empty-bitfield': wire.bitfield(bits(0)); return
    case 'half-bitfield': wire.bitfield(bits(4)); return
    case 'full-bitfield': wire.bitfield(bits(8)); return
    case 'interested': wire.interested(); return
    case 'unchoke': wire.unchoke(); return
    case 'allowed-fast': for (const i of [1, 5]) wire.allowedFast(i); return
    case 'request': wire.request(2, 0, 16384); return
    case 'wait': return
  }
}

/** A leecher replaying `steps` after the handshake (`ext`: its extension handshake goes
 * first, as every client here sends it); it must get the block it requests. */
async function leecherOrder(steps: Step[]): Promise<void> {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(PIECES * 16384) })
  const seed = await swarm.seeder(content)
  const wire = await scriptedDial(swarm, seed.client.address)
  const got: number[] = []
  wire.on('piece', (i, _o, b) => { got.push(i); assert.ok(sameBytes(b, content.data.subarray(i * 16384, i * 16384 + 16384))) })
  let unchoked = false
  wire.on('unchoke', () => { unchoked = true })
  wire.handshake(content.metainfo.infoHash, bytes(20, 31), { fast: true, extended: true })
  await swarm.clock.advance(10)
  for (const s of steps) {
    if (s === 'request' && !unchoked) await swarm.until(() => unchoked, 'unchoke')
    send(wire, s)
    await swarm.clock.advance(1)
  }
  await swarm.until(() => got.includes(2), 'the requested block')
  assert.equal(wire.destroyed, false)
  wire.destroy()
  await swarm.destroy()
}

/** A seeder replaying `steps` after the handshake; we must download everything from it. */
async function seederOrder(steps: Step[], serve: (wire: Wire) => void = () => undefined): Promise<void> {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(PIECES * 16384) })
  const peer = scriptedPeer(swarm, (wire) => {
    wire.once('handshake', () => {
      wire.handshake(content.metainfo.infoHash, bytes(20, 32), { fast: true, extended: true })
      for (const s of steps) {
        if (s === 'wait') { swarm.clock.setTimeout(() => wire.unchoke(), 10_000); continue }
        if (s !== 'ext') send(wire, s)
      }
      serve(wire)
    })
    wire.on('request', (i, o, l) => wire.piece(i, o, content.data.subarray(i * 16384 + o, i * 16384 + o + l)))
  })
  const leech = await swarm.leecher(content.metainfo, [peer.address])
  await swarm.until(() => leech.torrent.done, 'done')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
}

test('libtorrent leecher: extension handshake, have_none, interested, requests', () => leecherOrder(['ext', 'have-none', 'interested', 'request']))
test('webtorrent leecher from a .torrent: the same order', () => leecherOrder(['ext', 'have-none', 'interested', 'request']))
test('webtorrent leecher from a magnet: interested and requests before its have_none', () => leecherOrder(['ext', 'interested', 'request', 'have-none']))
test('Transmission leecher: extension handshake before an empty bitfield', () => leecherOrder(['ext', 'empty-bitfield', 'interested', 'request']))
test('a leecher with no fast extension messages: interested only', () => leecherOrder(['interested', 'request']))
test('libtorrent seeder: have_all, unchoke, allowed_fast, unchoke again', () => seederOrder(['ext', 'have-all', 'unchoke', 'allowed-fast', 'unchoke']))
test('Transmission seeder: have_all, then the unchoke ten seconds later', () => seederOrder(['ext', 'have-all', 'wait']))
test('a seeder that sends half a bitfield, then a full one mid-connection', () => seederOrder(['half-bitfield', 'unchoke'], (wire) => {
  let sent = 0
  wire.on('request', () => { if (++sent === 4) wire.bitfield({ toBytes: () => Uint8Array.of(0xff) } as never) })
}))
test('a seeder that sends have_none, then haves one by one', () => seederOrder(['have-none', 'unchoke'], (wire) => {
  for (let i = 0; i < PIECES; i++) wire.have(i)
}))
