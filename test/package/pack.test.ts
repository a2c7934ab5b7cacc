/** The package as npm users get it: packed from a clean copy of the sources (prepack
 * builds dist/), installed from the tarball into an empty folder with no network (runtime
 * dependencies come from npm's cache, which `npm ci` fills on a fresh machine), then used:
 * the command, a whole download on loopback (the demo), the library import, and a browser
 * bundle of `swarmstream/browser`. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { ROOT } from '../peers/process.js'
import { tempDir } from '../integration/fixtures.js'

const exec = promisify(execFile)
const SOURCES = ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'bin', 'src', 'scripts/build-browser.mjs', 'tsconfig.json', 'tsconfig.build.json']

test('npm pack builds and ships dist; the tarball installs offline and works', { timeout: 240_000 }, async () => {
  const dir = await tempDir()
  try {
    // a copy, so packing (which rebuilds dist/) never rewrites files other tests read
    const copy = join(dir.path, 'repo')
    for (const f of SOURCES) await cp(join(ROOT, f), join(copy, f), { recursive: true })
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
    await exec('npm', ['pack', '--silent', '--pack-destination', dir.path], { cwd: copy, timeout: 180_000 })
    const tarball = (await readdir(dir.path)).find((f) => f.endsWith('.tgz'))!
    const { stdout: listing } = await exec('tar', ['tzf', join(dir.path, tarball)])
    const files = listing.split('\n')
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/browser/swarmstream.esm.js', 'dist/browser/swarmstream-sw.js', 'bin/swarmstream.js', 'LICENSE', 'README.md']) {
      assert.ok(files.includes(`package/${f}`), `ships ${f}`)
    }
    assert.equal(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).length, 0, 'no TypeScript sources')
    assert.equal(files.some((f) => f.includes('/test/') || f.includes('args.js')), false, 'no tests, no stale build output')

    const app = join(dir.path, 'app')
    await mkdir(app)
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
    await exec('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', join(dir.path, tarball)], { cwd: app, timeout: 120_000 })
    const installed = join(app, 'node_modules', 'swarmstream')
    const map = JSON.parse(await readFile(join(installed, 'dist/src/index.js.map'), 'utf8')) as { sourcesContent?: string[] }
    assert.ok(map.sourcesContent?.[0]?.includes('export'), 'source maps carry the sources they point at')

    const help = await exec('npx', ['--offline', 'swarmstream', 'download', '--help'], { cwd: app, timeout: 60_000 })
    assert.match(help.stdout, /Usage: swarmstream download/)
    const demo = await exec('npx', ['--offline', 'swarmstream', 'demo', '--size', '2'], { cwd: app, timeout: 120_000 })
    assert.match(demo.stdout, /verified\s+OK/, demo.stdout)

    const lib = await exec(process.execPath, ['--input-type=module', '-e',
      "const m = await import('swarmstream'); const t = await import('swarmstream/tracker'); console.log(typeof m.Client, typeof m.Torrent, typeof t.TrackerServer)"], { cwd: app })
    assert.equal(lib.stdout.trim(), 'function function function')

    await writeFile(join(app, 'page.js'), "import { Client } from 'swarmstream/browser'\nglobalThis.c = Client\n")
    const bundle = await build({ entryPoints: [join(app, 'page.js')], absWorkingDir: app, bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })
    const code = bundle.outputFiles[0]!.text
    assert.ok(code.length > 10_000, 'the browser build was bundled')
    assert.doesNotMatch(code, /from\s*["']node:|require\(["']/, 'nothing of Node in it')
  } finally {
    await dir.cleanup()
  }
})
