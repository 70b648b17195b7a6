/** A pipeline names a check kind no file in `kinds/` implements. Retrying cannot help. */
export class UnknownCheckKindError extends Error {
  readonly kind: string;
  readonly known: readonly string[];

  constructor(kind: string, known: readonly string[]) {
    super(`unknown check kind "${kind}" (known: ${known.join(', ')})`);
    this.name = 'UnknownCheckKindError';
    this.kind = kind;
    this.known = known;
  }
}
