/**
 * A check could not read its source (database down, folder missing, API error). Its message is
 * shown to people as the CRITICAL result's message, so it must say why and never carry a secret.
 */
export class SourceUnavailableError extends Error {
  /** Which source failed, for details and logs: `mysql`, `folder`, `file`, `google`, `config`. */
  readonly source: string;

  constructor(source: string, message: string) {
    super(message);
    this.name = 'SourceUnavailableError';
    this.source = source;
  }
}
