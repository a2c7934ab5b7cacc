import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import { UdpMux, datagramKind } from '../../src/transport/udp-mux.node.js'

test('datagramKind tells KRPC from uTP by the first byte', () => {
  assert.equal(datagramKind(0x64), 'dht')
  for (const b of [0x01, 0x11, 0x21, 0x31, 0x41]) assert.equal(datagramKind(b), 'utp')
  for (const b of [0x00, 0x02, 0x51, 0x13, 0xff, undefined]) assert.equal(datagramKind(b), undefined)
})

test('one socket carries both: each channel gets its own packets, garbage is dropped', async () => {
  const mux = await UdpMux.bind(0, '127.0.0.1')
  const got: string[] = []
  let done!: () => void
  const all = new Promise<void>((r) => { done = r })
  const seen = (tag: string) => (data: Uint8Array) => { got.push(`${tag}:${data[0]}`); if (got.length === 2) done() }
  mux.channel('dht').onMessage(seen('dht'))
  mux.channel('utp').onMessage(seen('utp'))
  const client = dgram.createSocket('udp4')
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r))
  for (const b of [0xff, 0x64, 0x00, 0x41]) client.send(Uint8Array.of(b, 0, 0), mux.port, '127.0.0.1')
  await all
  assert.deepEqual(got.sort(), ['dht:100', 'utp:65'])
  // and back out through a channel
  const reply = new Promise<Buffer>((r) => client.once('message', r))
  mux.channel('dht').send(Uint8Array.of(0x64, 0x65), { host: '127.0.0.1', port: client.address().port })
  assert.deepEqual([...await reply], [0x64, 0x65])
  client.close()
  await mux.close()
})
