import type { DatamonConfig } from '@datamon/core';
import type { HttpClient } from '@datamon/io';
import { SourceUnavailableError } from '../errors/index.ts';
import { describeRequestError, httpErrorResponse } from './http-errors.ts';
import { createTokenSource } from './service-account.ts';

/** What the `sheet_updated` kind reads from Google: one call each, with the service account. */
export interface GoogleApi {
  /** The Drive file's `modifiedTime` (ISO 8601). */
  modifiedTime(spreadsheetId: string): Promise<string>;
  /** The raw value of the first cell of `range`, or null when it is empty. */
  cellValue(spreadsheetId: string, range: string): Promise<unknown>;
}

/**
 * Drive and Sheets through the one HTTP client. A 401 forgets the cached token so the next check
 * fetches a new one; every failure is a `SourceUnavailableError` that says what to fix.
 */
export function createGoogleApi(settings: DatamonConfig['google_sheets'], http: HttpClient): GoogleApi {
  const tokens = createTokenSource(settings, http);
  const base = settings.api_base_url.replace(/\/+$/, '');

  async function getJson<T>(url: string, what: string, spreadsheetId: string): Promise<T> {
    const { accessToken, clientEmail } = await tokens.token();
    try {
      return await http.json<T>(url, { headers: { authorization: `Bearer ${accessToken}` } });
    } catch (err) {
      const response = httpErrorResponse(err);
      if (!response) throw new SourceUnavailableError('google', `${what} failed: ${describeRequestError(err)}`);
      const status = response.statusCode;
      if (status === 401) {
        tokens.invalidate();
        return failWith(`${what} refused the access token (HTTP 401): check the service account ${clientEmail} and google_sheets.token_url`);
      }
      if (status === 403) return failWith(`${what} was forbidden (HTTP 403): share spreadsheet ${spreadsheetId} with ${clientEmail}`);
      if (status === 404) return failWith(`spreadsheet ${spreadsheetId} not found (HTTP 404 from ${what}): check its spreadsheet_id and that it is shared with ${clientEmail}`);
      return failWith(`${what} answered HTTP ${status}${googleErrorMessage(response.body)}`);
    }
  }

  return {
    async modifiedTime(spreadsheetId) {
      const url = `${base}/drive/v3/files/${encodeURIComponent(spreadsheetId)}?fields=modifiedTime&supportsAllDrives=true`;
      const body = await getJson<{ modifiedTime?: unknown }>(url, 'the Drive API', spreadsheetId);
      if (typeof body.modifiedTime !== 'string') return failWith('the Drive API answered without a modifiedTime');
      return body.modifiedTime;
    },
    async cellValue(spreadsheetId, range) {
      // Unformatted values: a date-typed cell comes back as a serial number, not in the sheet's locale.
      const url =
        `${base}/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}/values/${encodeURIComponent(range)}` +
        '?valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=SERIAL_NUMBER';
      const body = await getJson<{ values?: unknown[][] }>(url, 'the Sheets API', spreadsheetId);
      return body.values?.[0]?.[0] ?? null;
    },
  };
}

function failWith(message: string): never {
  throw new SourceUnavailableError('google', message);
}

/** Google's own one-line reason from an error body (`{error: {message}}`), if it has one. */
function googleErrorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    const message = parsed.error?.message;
    return typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}
