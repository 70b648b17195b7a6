/** Two check kinds in the registry claim the same name: a programming error found at start-up. */
export class DuplicateCheckKindError extends Error {
  readonly kind: string;

  constructor(kind: string) {
    super(`check kind "${kind}" is registered twice`);
    this.name = 'DuplicateCheckKindError';
    this.kind = kind;
  }
}
