/** Real Chromium (Debian's, never a downloaded one) driven by playwright-core, with the
 * browser bundle and a blank page served from 127.0.0.1. Inside the loopback-only test
 * namespace Chromium needs loopback allowed in peer connections and mDNS host-name hiding
 * off; it then offers no candidates of its own and reaches Node peers' 127.0.0.1 ones. */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { run, start, ROOT } from '../peers/process.js'

export const CHROMIUM = '/usr/bin/chromium'
export const skipReason = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed`

export interface PageLike {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>
  goto(url: string): Promise<unknown>
  on(event: 'console', f: (m: { text(): string }) => void): void
  on(event: 'pageerror', f: (e: Error) => void): void
}
interface ContextLike { newPage(): Promise<PageLike>; close(): Promise<void> }

export interface Browser {
  page(): Promise<PageLike>
  origin: string
  logs: string[]
  close(): Promise<void>
}

let built: Promise<void> | undefined
/** Runs the project's build script once per process (the bundle test checks its output). */
export function buildBundle(): Promise<void> {
  built ??= (async () => {
    const r = await run(start(process.execPath, [join(ROOT, 'scripts/build-browser.mjs')]), 60_000)
    if (r.code !== 0) throw new Error(`build-browser failed: ${r.stderr}`)
  })()
  return built
}

/** The ESM bundle for the test page, built in memory: test files run in parallel processes
 * and must not read dist/ while another one rewrites it. Same entry and platform as the script. */
async function pageBundle(entry = 'src/browser.ts', format: 'esm' | 'iife' = 'esm'): Promise<Uint8Array> {
  const esbuild = 'esbuild'
  const { build } = await import(esbuild) as { build(o: object): Promise<{ outputFiles: { contents: Uint8Array }[] }> }
  const r = await build({
    entryPoints: [join(ROOT, entry)], bundle: true, write: false, format,
    platform: 'browser', target: ['es2022'], conditions: ['browser'], logLevel: 'silent',
  })
  return r.outputFiles[0]!.contents
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>swarmstream test</title>
<script>window.__name = (f) => f /* tsx's keepNames helper, referenced by serialized test functions */</script>
<script type="module">import * as S from '/swarmstream.esm.js'; window.Swarmstream = S; window.ready = true</script>`

export async function launchBrowser(): Promise<Browser> {
  const bundle = await pageBundle()
  const worker = await pageBundle('src/stream/service-worker.browser.ts', 'iife')
  const server: Server = createServer((req, res) => {
    if (req.url === '/swarmstream.esm.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(bundle); return }
    if (req.url === '/swarmstream-sw.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(worker); return }
    if (req.url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(PAGE); return }
    res.writeHead(req.url === '/favicon.ico' ? 204 : 404); res.end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const profile = await mkdtemp(join(tmpdir(), 'ss-chromium-'))
  const pw = 'playwright-core'
  const { chromium } = await import(pw) as { chromium: { launchPersistentContext(dir: string, o: object): Promise<ContextLike> } }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, timeout: 30_000,
    args: ['--no-sandbox', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  })
  const logs: string[] = []
  return {
    origin, logs,
    async page() {
      const p = await context.newPage()
      p.on('console', (m) => { logs.push(m.text()); if (logs.length > 500) logs.shift() })
      p.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`))
      await p.goto(origin + '/')
      await p.evaluate(async () => {
        const w = globalThis as unknown as { ready?: boolean }
        for (let i = 0; i < 100 && !w.ready; i++) await new Promise((r) => setTimeout(r, 50))
        if (!w.ready) throw new Error('bundle did not load')
      }, undefined)
      return p
    },
    async close() {
      await context.close().catch(() => undefined)
      await new Promise<void>((r) => server.close(() => r()))
      server.closeAllConnections()
      await rm(profile, { recursive: true, force: true })
    },
  }
}
