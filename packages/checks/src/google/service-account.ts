import { createSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DatamonConfig } from '@datamon/core';
import type { HttpClient } from '@datamon/io';
import { describeRequestError, httpErrorResponse } from './http-errors.ts';
import { SourceUnavailableError } from '../errors/index.ts';

/**
 * Service-account access tokens for the Drive and Sheets APIs.
 *
 * Why not google-auth-library's `JWT`: in v10 its token request goes to a hard-coded
 * `https://oauth2.googleapis.com/token` (gtoken's GOOGLE_TOKEN_URL, also the assertion's `aud`),
 * through its own gaxios transport. `google_sheets.token_url` could not be honoured, and the
 * request would bypass the one got client (its timeout, its test seam). So the JWT-bearer grant
 * (RFC 7523) is done here: an RS256 assertion signed with node:crypto, exchanged through got.
 */

export const SHEETS_SCOPES = [
  'https://www.googleapis.com/auth/drive.metadata.readonly',
  'https://www.googleapis.com/auth/spreadsheets.readonly',
];

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Tokens are renewed this long before they expire, so a check never sends one about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

const base64url = (input: string | Buffer) => Buffer.from(input).toString('base64url');

/**
 * A signed RS256 JWT assertion for the token endpoint. `issuedAt` is the real clock (the token
 * server checks it), never a check's injected `now`.
 */
export function signAssertion(key: ServiceAccountKey, audience: string, scopes: readonly string[], issuedAt: Date): string {
  const iat = Math.floor(issuedAt.getTime() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const claims = { iss: key.client_email, scope: scopes.join(' '), aud: audience, iat, exp: iat + 3600 };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.private_key);
  return `${signingInput}.${base64url(signature)}`;
}

/** Reads and checks the JSON key file; every failure names the file and never quotes its content. */
export async function readServiceAccountKey(file: string): Promise<ServiceAccountKey> {
  const fail = (why: string) => new SourceUnavailableError('google', `google_sheets.credentials_file ${file}: ${why}`);
  if (!file) throw new SourceUnavailableError('google', 'google_sheets.credentials_file is not set (a service-account JSON key is needed)');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('is not JSON (expected a service-account key file)');
  }
  const key = parsed as Partial<ServiceAccountKey>;
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw fail('has no client_email and private_key (is it a service-account key?)');
  }
  return { client_email: key.client_email, private_key: key.private_key, private_key_id: key.private_key_id };
}

/** Access tokens, fetched when needed and reused until shortly before they expire. */
export interface TokenSource {
  token(): Promise<{ accessToken: string; clientEmail: string }>;
  /** Forgets the cached token (after the API refused it). */
  invalidate(): void;
}

export function createTokenSource(settings: DatamonConfig['google_sheets'], http: HttpClient): TokenSource {
  let cached: { accessToken: string; clientEmail: string; expiresAt: number } | null = null;

  return {
    async token() {
      if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return cached;
      const key = await readServiceAccountKey(settings.credentials_file);
      let assertion: string;
      try {
        assertion = signAssertion(key, settings.token_url, SHEETS_SCOPES, new Date());
      } catch (err) {
        const reason = (err as Error).message.split('\n')[0];
        throw new SourceUnavailableError('google', `the private_key in ${settings.credentials_file} cannot sign a token request (${reason})`);
      }
      let body: { access_token?: unknown; expires_in?: unknown };
      try {
        body = await http.json(settings.token_url, { method: 'POST', form: { grant_type: JWT_BEARER_GRANT, assertion } });
      } catch (err) {
        throw describeTokenError(err, key.client_email);
      }
      if (typeof body.access_token !== 'string') {
        throw new SourceUnavailableError('google', 'the token endpoint answered without an access_token');
      }
      const lifetimeS = typeof body.expires_in === 'number' ? body.expires_in : 3600;
      cached = { accessToken: body.access_token, clientEmail: key.client_email, expiresAt: Date.now() + lifetimeS * 1000 };
      return cached;
    },
    invalidate() {
      cached = null;
    },
  };
}

function describeTokenError(err: unknown, clientEmail: string): SourceUnavailableError {
  const response = httpErrorResponse(err);
  if (response) {
    let oauthError = '';
    try {
      const parsed = JSON.parse(response.body) as { error?: string; error_description?: string };
      oauthError = [parsed.error, parsed.error_description].filter(Boolean).join(': ');
    } catch {
      // not JSON: the status code says enough
    }
    return new SourceUnavailableError(
      'google',
      `the Google token endpoint refused service account ${clientEmail} (HTTP ${response.statusCode}${oauthError ? ` ${oauthError}` : ''})`,
    );
  }
  return new SourceUnavailableError('google', `cannot get a Google access token: ${describeRequestError(err)}`);
}
