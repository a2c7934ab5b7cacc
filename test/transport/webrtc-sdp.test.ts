import { test } from 'node:test'
import assert from 'node:assert/strict'
import { relayCandidatesOnly } from '../../src/transport/webrtc/rtc-peer.js'

const offer = (candidates: string[]) => ['v=0', 'o=rtc 1 0 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=application 50123 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 127.0.0.1', 'a=mid:0', 'a=setup:actpass',
  'a=ice-ufrag:abcd', 'a=ice-pwd:0123456789abcdefghijkl', ...candidates, 'a=end-of-candidates', ''].join('\r\n')

test('offers keep only relay candidates; with none, the default candidate is "not yet known"', () => {
  const host = 'a=candidate:1 1 UDP 2114977791 127.0.0.1 50123 typ host'
  const srflx = 'a=candidate:2 1 UDP 1686052607 203.0.113.7 50123 typ srflx raddr 127.0.0.1 rport 50123'
  const relay = 'a=candidate:3 1 UDP 16777215 198.51.100.9 40000 typ relay raddr 203.0.113.7 rport 50123'
  const none = relayCandidatesOnly(offer([host, srflx]))
  assert.doesNotMatch(none, /a=candidate/)
  assert.doesNotMatch(none, /end-of-candidates/)
  assert.match(none, /^m=application 9 UDP\/DTLS\/SCTP webrtc-datachannel$/m)
  assert.match(none, /^c=IN IP4 0\.0\.0\.0$/m)
  assert.match(none, /^a=ice-ufrag:abcd$/m, 'credentials stay')
  const relayed = relayCandidatesOnly(offer([host, relay, srflx]))
  assert.deepEqual(relayed.split('\r\n').filter((l) => l.startsWith('a=candidate')), [relay])
  assert.match(relayed, /a=end-of-candidates/)
  assert.match(relayed, /^m=application 50123 /m)
})
