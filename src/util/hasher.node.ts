import { createHash } from 'node:crypto'
import type { Hasher } from './hasher.js'

export const nodeHasher: Hasher = {
  sha1: async (data) => new Uint8Array(createHash('sha1').update(data).digest()),
}
