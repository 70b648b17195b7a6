import { evaluateSheetAge, parseSheetTimestamp } from '@datamon/core';
import Type from 'typebox';
import { defineKind, type PipelineOfKind, ruleOutcome, workingAgeMs } from '../check-kind.ts';
import { SourceUnavailableError } from '../errors/index.ts';
import { fields } from '../fields.ts';

/**
 * `sheet_updated`: when a Google spreadsheet was last updated, from the Drive API's
 * `modifiedTime`, or with `range`, from a timestamp the uploading job writes into that cell.
 */
export const sheetUpdated = defineKind({
  kind: 'sheet_updated',
  group: 'Google Sheets',
  fields: Type.Object(
    {
      /** A name under `google_sheets.sheets`. */
      sheet: fields.text(),
      /** Last update older than this many minutes: WARNING (default: half the critical age). */
      warning_minutes: fields.amount(),
      /** Last update older than this many minutes: CRITICAL (default: the sheet's `max_age_minutes`). */
      critical_minutes: fields.amount(),
      /** With a range (e.g. `Status!B1`), the timestamp written in that cell; else the Drive modifiedTime. */
      range: fields.nullable(fields.text()),
    },
    { additionalProperties: false },
  ),
  defaults: (base, item) => {
    const configured = typeof item.sheet === 'string' ? base.google_sheets.sheets[item.sheet] : undefined;
    const critical = typeof item.critical_minutes === 'number' ? item.critical_minutes : (configured?.max_age_minutes ?? 120);
    return { critical_minutes: critical, warning_minutes: Math.round(critical / 2) };
  },
  validate: (pipeline, base) => (base.google_sheets.sheets[pipeline.sheet] ? [] : [`sheet: "${pipeline.sheet}" is not configured under google_sheets.sheets`]),
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
      workingAgeMs: workingAgeMs(pipeline, ctx, updatedAt),
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
});

export type SheetUpdatedPipeline = PipelineOfKind<typeof sheetUpdated>;
