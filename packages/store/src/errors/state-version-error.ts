/**
 * Redis holds a state layout this datamon must not work on: a newer one (written by a newer
 * datamon), or a value that is no version at all. Retrying cannot help: the message says what
 * to do, and every role refuses to start with it.
 */
export class StateVersionError extends Error {
  /** Retrying never helps: the version in Redis does not change by waiting. */
  readonly permanent = true;

  constructor(
    message: string,
    /** The key that holds the version. */
    readonly key: string,
    /** What the key holds: a version newer than `known`, or the text found there. */
    readonly stored: number | string,
    /** The newest layout version this build knows. */
    readonly known: number,
  ) {
    super(message);
    this.name = 'StateVersionError';
  }
}
