#!/usr/bin/env node
// Bundles `swarmstream/browser` (src/browser.ts) with esbuild into
//   dist/browser/swarmstream.esm.js   ES module
//   dist/browser/swarmstream.js       one script file, global `Swarmstream`
// both minified, with source maps. The build fails if anything reaches a Node built-in or a
// `*.node.ts` module: a browser bundle must not carry polyfills for code it cannot run.
import { build } from 'esbuild'
import { builtinModules } from 'node:module'
import { mkdir, readFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, 'dist/browser')
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))

/** Turns any import of a Node built-in or a Node-only module into a build error naming the importer. */
const browserOnly = {
  name: 'browser-only',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.split('/')[0]
      if (builtins.has(args.path) || builtins.has(bare) || args.path.startsWith('node:')) {
        return { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer} (not allowed in the browser bundle)` }] }
      }
      if (/\.node\.(js|ts)$/.test(args.path)) {
        return { errors: [{ text: `Node-only module "${args.path}" imported by ${args.importer}` }] }
      }
      return undefined
    })
  },
}

const common = {
  entryPoints: [join(root, 'src/browser.ts')],
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'browser',
  target: ['es2022'],
  conditions: ['browser'],
  legalComments: 'none',
  plugins: [browserOnly],
  logLevel: 'warning',
}

await mkdir(outdir, { recursive: true })
await build({ ...common, format: 'esm', outfile: join(outdir, 'swarmstream.esm.js') })
await build({ ...common, format: 'iife', globalName: 'Swarmstream', outfile: join(outdir, 'swarmstream.js') })
// The streaming service worker is its own script: pages serve it from their origin.
await build({ ...common, entryPoints: [join(root, 'src/stream/service-worker.browser.ts')], format: 'iife', outfile: join(outdir, 'swarmstream-sw.js') })

for (const f of ['swarmstream.esm.js', 'swarmstream.js', 'swarmstream-sw.js']) {
  const bytes = await readFile(join(outdir, f))
  console.log(`${f}: ${(bytes.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzipped`)
}
