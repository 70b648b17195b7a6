/** Ids users type in URLs and config: lower-case letters, digits, `_` and `-`. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}
