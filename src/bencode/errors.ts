export class BencodeError extends Error {
  override name = 'BencodeError'
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`)
  }
}
