import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';
import { runScript } from './scripts.ts';

/** One finished run of a recovery action, as the timeline and the API tell it. */
export interface RecoveryRunRecord {
  at: string;
  manual: boolean;
  ok: boolean;
  /** `exit 0`, `HTTP 503`, `timed out after 300 s`... */
  outcome: string;
  durationMs: number;
}

/** An incident's recovery so far (README "Tickets and recovery"). */
export interface RecoveryState {
  /** Automatic runs started (counted against `max_attempts`; a manual one is not). */
  attempts: number;
  /** Whether any run succeeded: a close then resolves "after recovery". */
  succeeded: boolean;
  runs: RecoveryRunRecord[];
}

/** The run in progress on a pipeline (the lock's value). */
export interface RecoveryRunning {
  incidentId: string;
  startedAt: string;
  manual: boolean;
}

const EMPTY: RecoveryState = { attempts: 0, succeeded: false, runs: [] };
/** Runs kept per incident. */
const RUNS_KEPT = 20;

export class RecoveryRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async get(incidentId: string): Promise<RecoveryState> {
    const raw = await this.redis.get(this.keys.recovery(incidentId));
    return raw ? (JSON.parse(raw) as RecoveryState) : { ...EMPTY, runs: [] };
  }

  /** Written only by the holder of the pipeline's run lock, so read-modify-write is safe. */
  async set(incidentId: string, state: RecoveryState): Promise<void> {
    await this.redis.set(this.keys.recovery(incidentId), JSON.stringify({ ...state, runs: state.runs.slice(-RUNS_KEPT) }));
  }

  /**
   * Takes the pipeline's run lock: one action at a time per pipeline across every process. It
   * expires by itself after `ttlMs` (the action's timeout and then some) if its holder dies.
   *
   * @returns the token to release it with, or null when a run is in progress
   */
  async tryStart(pipelineId: string, running: RecoveryRunning, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const value = JSON.stringify({ ...running, token });
    const ok = await this.redis.set(this.keys.recoveryRunning(pipelineId), value, 'PX', Math.max(1_000, Math.round(ttlMs)), 'NX');
    return ok === 'OK' ? value : null;
  }

  /** Releases the run lock if `token` (from `tryStart`) still holds it. */
  async finish(pipelineId: string, token: string): Promise<void> {
    await runScript(this.redis, 'releaseLock', [this.keys.recoveryRunning(pipelineId)], [token]);
  }

  /** The run in progress on the pipeline, or null. */
  async running(pipelineId: string): Promise<RecoveryRunning | null> {
    const raw = await this.redis.get(this.keys.recoveryRunning(pipelineId));
    if (!raw) return null;
    const { incidentId, startedAt, manual } = JSON.parse(raw) as RecoveryRunning;
    return { incidentId, startedAt, manual };
  }
}
