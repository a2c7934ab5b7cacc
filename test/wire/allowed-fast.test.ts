import { test } from 'node:test'
import assert from 'node:assert/strict'
import { allowedFastSet } from '../../src/wire/index.js'
import { fromHex } from '../../src/util/bytes.js'

const infoHash = fromHex('aa'.repeat(20))

test('allowed fast set matches the BEP 6 example results', () => {
  assert.deepEqual(allowedFastSet(7, 1313, infoHash, '80.4.4.200'), [1059, 431, 808, 1217, 287, 376, 1188])
  assert.deepEqual(allowedFastSet(9, 1313, infoHash, '80.4.4.200'), [1059, 431, 808, 1217, 287, 376, 1188, 353, 508])
})

test('allowed fast set: same /24 same set, capped by piece count, IPv4 only', () => {
  assert.deepEqual(allowedFastSet(7, 1313, infoHash, '80.4.4.1'), allowedFastSet(7, 1313, infoHash, '80.4.4.200'))
  assert.notDeepEqual(allowedFastSet(7, 1313, infoHash, '80.4.5.1'), allowedFastSet(7, 1313, infoHash, '80.4.4.200'))
  assert.deepEqual(allowedFastSet(10, 3, infoHash, '10.0.0.1').sort(), [0, 1, 2])
  assert.deepEqual(allowedFastSet(5, 100, infoHash, '::1'), [])
})
