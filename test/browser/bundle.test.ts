import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT } from '../peers/process.js'
import { buildBundle } from './harness.js'

test('the browser bundle builds as ESM and as one script, with no Node built-in in it', { timeout: 90_000 }, async () => {
  await buildBundle()
  const esm = await readFile(join(ROOT, 'dist/browser/swarmstream.esm.js'), 'utf8')
  const iife = await readFile(join(ROOT, 'dist/browser/swarmstream.js'), 'utf8')
  for (const code of [esm, iife]) {
    assert.doesNotMatch(code, /\brequire\(["']/, 'no CommonJS require left in')
    assert.doesNotMatch(code, /from\s*["']node:|import\(["']node:/, 'no node: import')
    assert.doesNotMatch(code, /node-datachannel/, 'the Node WebRTC implementation stays out')
  }
  assert.match(esm, /export\s*\{/, 'ESM exports')
  assert.match(iife, /var Swarmstream\s*=/, 'the script defines the Swarmstream global')
  assert.ok(esm.length < 400 * 1024, `bundle size ${esm.length}`)
})
