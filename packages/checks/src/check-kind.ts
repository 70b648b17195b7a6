import type { DatamonConfig, MeasuredOutcome, PipelineKind, PipelineOfKind, Status } from '@datamon/core';
import type { Logger } from '@datamon/io';
import type { GoogleApi } from './google/google-api.ts';
import type { Warehouse } from './warehouse.ts';

/** What a kind hands back: the runner adds the pipeline id, the time and the duration. */
export interface KindOutcome {
  status: Status;
  message: string;
  value: number | string | null;
  details: Record<string, unknown>;
}

/**
 * A kind's outcome from its rule's: the rule's `threshold` goes first in `details`, where the
 * incident rule reads it (`details.threshold`) for the cards; `details` adds the kind's own facts.
 */
export function ruleOutcome(outcome: MeasuredOutcome, details: Record<string, unknown>): KindOutcome {
  return { status: outcome.status, message: outcome.message, value: outcome.value, details: { threshold: outcome.threshold, ...details } };
}

/** Everything a check kind may use; the sources are shared by all the runner's checks. */
export interface CheckContext {
  config: DatamonConfig;
  /** The instant the check is evaluated at (injected in tests). */
  now: Date;
  logger: Logger;
  /** The warehouse, connected on first use. */
  warehouse: Warehouse;
  /** The Google Drive and Sheets APIs with the service account's token. */
  google: GoogleApi;
}

/**
 * One check kind (one file in `kinds/`). `run` returns an outcome for whatever it measured and
 * throws `SourceUnavailableError` when it could not measure at all; the runner turns that into a
 * CRITICAL result, so a kind never has to build an error result itself.
 */
export interface CheckKind<K extends PipelineKind = PipelineKind> {
  readonly kind: K;
  run(pipeline: PipelineOfKind<K>, ctx: CheckContext): Promise<KindOutcome>;
}

/** Any one of the kinds, each typed by its own pipeline. */
export type AnyCheckKind = { [K in PipelineKind]: CheckKind<K> }[PipelineKind];
