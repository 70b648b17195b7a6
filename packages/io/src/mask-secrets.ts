/** What a masked secret reads as. */
export const SECRET_MASK = '********';

/**
 * Secrets shorter than this are not masked: a two-letter password would blank out every word
 * that contains those letters, and such a password protects nothing anyway.
 */
export const MIN_MASKED_SECRET_LENGTH = 4;

/** The secrets worth masking, longest first (so a secret containing another is masked whole). */
function maskable(secrets: readonly string[]): string[] {
  return [...new Set(secrets.filter((secret) => typeof secret === 'string' && secret.length >= MIN_MASKED_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of each secret (4 characters or more) with `********`, longest first. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of maskable(secrets)) masked = masked.split(secret).join(SECRET_MASK);
  return masked;
}

/**
 * Like {@link maskSecrets}, for text whose start was cut off (the tail of an output): a secret's
 * end left at the very start, 4 characters or more of it, is masked too.
 */
export function maskSecretsInTail(text: string, secrets: readonly string[]): string {
  const candidates = maskable(secrets);
  let masked = text;
  for (const secret of candidates) {
    for (let from = 1; secret.length - from >= MIN_MASKED_SECRET_LENGTH; from += 1) {
      const end = secret.slice(from);
      if (masked.startsWith(end)) {
        masked = SECRET_MASK + masked.slice(end.length);
        break;
      }
    }
  }
  return maskSecrets(masked, candidates);
}
