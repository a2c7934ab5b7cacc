import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodePex, encodePex, PEX_SEED, UtPex, WireError } from '../../src/wire/index.js'
import { encode } from '../../src/bencode/index.js'
import { FakeClock } from '../harness/fake-clock.js'
import { handshaken, wirePair } from './helpers.js'

test('ut_pex messages: IPv4 and IPv6 peers with flags, dropped peers, byte for byte', () => {
  const m = { added: [{ host: '10.1.2.3', port: 6881, flags: PEX_SEED }, { host: '::1', port: 51413, flags: 0 }], dropped: [{ host: '192.168.0.9', port: 1 }] }
  const bytes = encodePex(m)
  assert.equal(Buffer.from(bytes).toString('latin1'),
    'd5:added6:\x0a\x01\x02\x03\x1a\xe17:added.f1:\x026:added618:' + '\0'.repeat(15) + '\x01\xc8\xd5' + '8:added6.f1:\x007:dropped6:\xc0\xa8\x00\x09\x00\x018:dropped60:e')
  assert.deepEqual(decodePex(bytes), m)
})

test('ut_pex input: caps of 50, junk refused with a WireError, ragged lengths cut', () => {
  const many = { added: Array.from({ length: 80 }, (_, i) => ({ host: `10.0.${i}.1`, port: 1000 + i, flags: 0 })), dropped: [] }
  assert.equal(decodePex(encodePex(many)).added.length, 50, 'we send at most 50')
  const raw = encode({ added: new Uint8Array(6 * 200 + 3), 'added.f': new Uint8Array(0) })
  assert.equal(decodePex(raw).added.length, 0, 'port 0 entries are nobody; more than 50 never read')
  assert.throws(() => decodePex(new TextEncoder().encode('li1ee')), WireError)
  assert.throws(() => decodePex(new TextEncoder().encode('d5:added')), WireError)
})

test('a peer sending ut_pex more often than the BEP allows is not listened to', async () => {
  const clock = new FakeClock()
  const [a, b] = wirePair({ clock, keepAliveMs: 0, idleTimeoutMs: 0 })
  const pa = new UtPex(a, () => clock.now()), pb = new UtPex(b, () => clock.now())
  a.use(pa); b.use(pb)
  await handshaken(a, b)
  await clock.advance(10)
  const heard: number[] = []
  pb.on('message', (m) => heard.push(m.added.length))
  const one = { added: [{ host: '10.0.0.1', port: 1, flags: 0 }], dropped: [] }
  for (let i = 0; i < 100; i++) pa.send(one)
  await clock.advance(10)
  assert.deepEqual(heard, [1], 'a flood: only the first is read')
  await clock.advance(60_000)
  pa.send(one)
  await clock.advance(10)
  assert.deepEqual(heard, [1, 1], 'a minute later it is read again')
  a.destroy()
})
