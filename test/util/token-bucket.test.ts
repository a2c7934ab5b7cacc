import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TokenBucket } from '../../src/util/token-bucket.js'
import { FakeClock } from '../harness/fake-clock.js'

test('a token bucket lets a second of burst through, then paces at its rate', async () => {
  const clock = new FakeClock(0)
  const bucket = new TokenBucket(1000, clock)
  assert.equal(bucket.reserve(1000), 0, 'one second of burst')
  assert.equal(bucket.reserve(500), 500, 'then 500 bytes wait half a second')
  await clock.advance(500)
  assert.equal(bucket.reserve(1000), 1000, 'and the next 1000 a full second')
  await clock.advance(5000)
  assert.equal(bucket.reserve(100), 0, 'idle time refills, capped at one second')
  assert.equal(bucket.reserve(950), 50)
})
