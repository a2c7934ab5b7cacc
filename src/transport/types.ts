/** What the wire needs from any transport (TCP socket, uTP socket, WebRTC data channel):
 * bytes in, bytes out, backpressure and close. A Node `net.Socket` already has this shape;
 * other transports are wrapped to it. */
export interface Duplex {
  /** Returns false when the transport's buffer is full: wait for 'drain'. */
  write(chunk: Uint8Array): boolean
  /** Closes the connection; an error says why. Safe to call twice. */
  destroy(error?: Error): void
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'drain' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  /** true when a 'data' chunk is valid only during its event (the transport reuses its
   * read buffer); whoever keeps bytes copies them */
  readonly transientChunks?: boolean
}

export interface PeerAddress {
  host: string
  port: number
}
