/** Bulk SHA-1 of piece data, injected per platform: node:crypto in Node, WebCrypto in
 * browsers. Async so an implementation may move the work off the main thread. */
export interface Hasher {
  sha1(data: Uint8Array): Promise<Uint8Array>
  /** Hashes a buffer the caller hands over for the duration (it may be moved to another
   * thread without a copy and is returned, perhaps as a new view, with the digest). */
  sha1Owned?(data: Uint8Array): Promise<{ digest: Uint8Array; data: Uint8Array }>
  /** Releases threads or other resources. */
  close?(): Promise<void>
}
