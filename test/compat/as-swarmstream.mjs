// `node --import tsx --import ./as-swarmstream.mjs script.mjs`: the script's
// `import WebTorrent from 'webtorrent'` gets swarmstream's default export (its Client).
import { register } from 'node:module'

register('data:text/javascript,' + encodeURIComponent(`
  const target = ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)}
  export async function resolve(specifier, context, next) {
    return next(specifier === 'webtorrent' ? target : specifier, context)
  }
`))
