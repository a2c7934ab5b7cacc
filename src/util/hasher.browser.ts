import type { Hasher } from './hasher.js'

export const browserHasher: Hasher = {
  sha1: async (data) => new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', data as Uint8Array<ArrayBuffer>)),
}
