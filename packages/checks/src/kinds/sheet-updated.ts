import { evaluateSheetAge, parseSheetTimestamp } from '@datamon/core';
import { type CheckKind, ruleOutcome } from '../check-kind.ts';
import { SourceUnavailableError } from '../errors/index.ts';

/**
 * `sheet_updated`: when a Google spreadsheet was last updated, from the Drive API's
 * `modifiedTime`, or with `range`, from a timestamp the uploading job writes into that cell.
 */
export const sheetUpdated: CheckKind<'sheet_updated'> = {
  kind: 'sheet_updated',
  async run(pipeline, ctx) {
    const zone = ctx.config.monitoring.timezone;
    const sheet = ctx.config.google_sheets.sheets[pipeline.sheet];
    if (!sheet) {
      throw new SourceUnavailableError('config', `sheet "${pipeline.sheet}" is not configured under google_sheets.sheets`);
    }
    const spreadsheetId = sheet.spreadsheet_id;
    let updatedAt: Date;
    let raw: unknown;
    if (pipeline.range) {
      raw = await ctx.google.cellValue(spreadsheetId, pipeline.range);
      if (raw === null || raw === '') throw new SourceUnavailableError('google', `cell ${pipeline.range} of sheet ${pipeline.sheet} is empty`);
      const parsed = parseSheetTimestamp(raw, zone);
      if (!parsed) {
        throw new SourceUnavailableError(
          'google',
          `cell ${pipeline.range} of sheet ${pipeline.sheet} holds ${JSON.stringify(raw).slice(0, 60)}, not a timestamp (ISO 8601 or YYYY-MM-DD HH:MM)`,
        );
      }
      updatedAt = parsed;
    } else {
      raw = await ctx.google.modifiedTime(spreadsheetId);
      updatedAt = new Date(String(raw));
      if (Number.isNaN(updatedAt.getTime())) throw new SourceUnavailableError('google', `the Drive API gave modifiedTime "${String(raw)}", not a timestamp`);
    }
    const outcome = evaluateSheetAge({
      subject: pipeline.range ? `sheet ${pipeline.sheet} (${pipeline.range})` : `sheet ${pipeline.sheet}`,
      updatedAt,
      now: ctx.now,
      zone,
      warningMinutes: pipeline.warning_minutes,
      criticalMinutes: pipeline.critical_minutes,
    });
    return ruleOutcome(outcome, {
      sheet: pipeline.sheet,
      spreadsheetId,
      source: pipeline.range ? 'cell' : 'drive',
      range: pipeline.range,
      updatedAt: updatedAt.toISOString(),
      ageMinutes: outcome.value,
    });
  },
};
