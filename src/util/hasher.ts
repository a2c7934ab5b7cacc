/** Bulk SHA-1 of piece data, injected per platform: node:crypto in Node, WebCrypto in
 * browsers. Async so an implementation may move the work off the main thread. */
export interface Hasher {
  sha1(data: Uint8Array): Promise<Uint8Array>
}
