export type DhtQueryErrorKind = 'timeout' | 'error' | 'aborted' | 'busy' | 'closed'

/** A query of ours that got no answer, an error answer (`code`, BEP 5), or was cut short. */
export class DhtQueryError extends Error {
  override name = 'DhtQueryError'
  constructor(readonly kind: DhtQueryErrorKind, message: string, readonly code?: number) { super(message) }
}
