/** Anything wrong in a tracker exchange, on either side: bytes that break a wire format
 * (hostile or truncated), a refusal (`failure reason`, BEP 3; action 3, BEP 15), or a tracker
 * that does not answer. Messages are short, name what is wrong, and are safe to send back as a
 * failure reason. */
export class TrackerError extends Error {
  override name = 'TrackerError'
}
