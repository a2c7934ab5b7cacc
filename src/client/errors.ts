export class ClientError extends Error {
  override name = 'ClientError'
}
