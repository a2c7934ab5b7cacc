#!/usr/bin/env node
// Runs the whole suite: typecheck, lint, then every test/**/*.test.ts with node's test runner.
// Networked tests only ever use 127.0.0.1; as root we also re-run ourselves inside a fresh
// network namespace that has nothing but loopback (unshare -n), so no packet can leave.
// Usage: npm test [-- <substring filter>...]   SWARMSTREAM_NO_NETNS=1 skips the namespace.
import { spawn, spawnSync } from 'node:child_process'
import { inLoopbackNamespace } from './loopback-netns.mjs'
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const quick = process.argv.includes('--no-checks') || filters.length > 0

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts })
  if (r.error) throw r.error
  return r.status ?? 1
}

inLoopbackNamespace(import.meta.url)

// The CLI keeps its DHT routing table in the user's cache folder: tests get a fresh one.
process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'swarmstream-test-cache-'))

if (!quick) {
  console.log('== typecheck'); if (run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) !== 0) process.exit(1)
  console.log('== lint'); if (run('npx', ['eslint', '--no-error-on-unmatched-pattern', 'src', 'test', 'bench', 'scripts']) !== 0) process.exit(1)
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : []
  })
}
const files = walk(join(root, 'test')).map((p) => relative(root, p)).sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
if (files.length === 0) { console.error('no test files match'); process.exit(1) }
// WebRTC and browser tests run one file at a time, after the rest: ICE on a loaded 2-core
// machine misses its timeouts when they share the CPU with other transfers.
const alone = (f) => /^test\/(webrtc|browser)\//.test(f)
const phases = [
  { files: files.filter((f) => !alone(f)), concurrency: 2 },
  { files: files.filter(alone), concurrency: 1 },
].filter((p) => p.files.length > 0)
console.log(`== ${files.length} test files`)
const total = { pass: 0, fail: 0, skipped: 0 }
let status = 0
for (const phase of phases) {
  const r = await runCounting(['--import', 'tsx', '--test', `--test-concurrency=${phase.concurrency}`, '--test-timeout=240000', '--test-reporter=spec', ...phase.files])
  status ||= r.status
  for (const k of Object.keys(total)) total[k] += r[k]
}
console.log(`\n${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`)
process.exit(status !== 0 || total.fail > 0 ? 1 : 0)

/** Runs node's test runner, passing its output through and reading its summary counts. */
function runCounting(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    child.stdout.on('data', (d) => { process.stdout.write(d); tail = (tail + d).slice(-4000) })
    child.on('close', (code) => {
      const count = (name) => Number(new RegExp(`ℹ ${name} (\\d+)`).exec(tail)?.[1] ?? 0)
      resolve({ status: code ?? 1, pass: count('pass'), fail: count('fail') + count('cancelled'), skipped: count('skipped') })
    })
  })
}
