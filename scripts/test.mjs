#!/usr/bin/env node
// Runs the whole suite: typecheck, lint, then every test/**/*.test.ts with node's test runner.
// Networked tests only ever use 127.0.0.1; as root we also re-run ourselves inside a fresh
// network namespace that has nothing but loopback (unshare -n), so no packet can leave.
// Usage: npm test [-- <substring filter>...]   SWARMSTREAM_NO_NETNS=1 skips the namespace.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
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

const wantNetns = process.getuid?.() === 0 && !process.env.SWARMSTREAM_IN_NETNS && !process.env.SWARMSTREAM_NO_NETNS
if (wantNetns) {
  const probe = spawnSync('unshare', ['-n', 'true'])
  if (probe.status === 0) {
    const inner = `ip link set lo up && exec node ${JSON.stringify(fileURLToPath(import.meta.url))} ${process.argv.slice(2).map((a) => JSON.stringify(a)).join(' ')}`
    process.exit(run('unshare', ['-n', 'sh', '-c', inner], { env: { ...process.env, SWARMSTREAM_IN_NETNS: '1' } }))
  }
  console.error('unshare -n is not available here; running on the host loopback')
}

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
console.log(`== ${files.length} test files`)
process.exit(run('node', ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', '--test-reporter=spec', ...files]))
