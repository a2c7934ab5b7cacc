/** The shape of src/, checked: layers import only downwards, no module imports itself
 * round a cycle, no file grows past 400 lines. The order is docs/ARCHITECTURE.md's. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

/** lowest first; a layer may import its own and any lower layer */
const LAYERS = ['util', 'bencode', 'metainfo', 'transport', 'tracker-protocol', 'wire', 'storage', 'engine',
  'discovery', 'torrent', 'stream', 'client', 'tracker', 'web', 'cli', '(entry)']

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

const all = files(SRC)
const layerOf = (file: string): string => { const top = relative(SRC, file).split('/'); return top.length === 1 ? '(entry)' : top[0]! }
const importsOf = (file: string): string[] => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)]
  .map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')))

test('every source file is in a known layer', () => {
  for (const f of all) assert.ok(LAYERS.includes(layerOf(f)), `${relative(SRC, f)}: add its layer to docs/ARCHITECTURE.md and this test`)
})

test('no import runs up a layer', () => {
  const bad: string[] = []
  for (const f of all) {
    for (const target of importsOf(f)) {
      if (LAYERS.indexOf(layerOf(target)) > LAYERS.indexOf(layerOf(f))) bad.push(`${relative(SRC, f)} -> ${relative(SRC, target)}`)
    }
  }
  assert.deepEqual(bad, [])
})

test('no import cycles between files', () => {
  const graph = new Map(all.map((f) => [f, importsOf(f)]))
  const state = new Map<string, 'open' | 'done'>()
  const cycles: string[] = []
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return
    if (state.get(f) === 'open') { cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' -> ')); return }
    state.set(f, 'open')
    for (const t of graph.get(f) ?? []) visit(t, [...path, f])
    state.set(f, 'done')
  }
  for (const f of all) visit(f, [])
  assert.deepEqual(cycles, [])
})

test('no source file over 400 lines', () => {
  const long = all.map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400)
  assert.deepEqual(long, [])
})
