import type { Job } from 'bullmq';

/**
 * The instant a job was planned for. A job scheduler's run was created with a delay that ends on
 * its slot, so `timestamp + opts.delay` is the slot (both are fields of the job as it was added;
 * a retry changes neither), rounded down to the second because a delay already overdue when the
 * job was made is clamped to 0 a few milliseconds late. Any other job carries its own
 * `scheduledFor` in its payload.
 */
export function scheduledSlotOf(job: Pick<Job<unknown, unknown, string>, 'repeatJobKey' | 'timestamp' | 'opts' | 'data'>): string | null {
  if (job.repeatJobKey) {
    const planned = job.timestamp + (job.opts.delay ?? 0);
    if (Number.isFinite(planned) && planned > 0) return new Date(Math.floor(planned / 1_000) * 1_000).toISOString();
  }
  const data = job.data as { scheduledFor?: unknown } | null;
  return typeof data?.scheduledFor === 'string' && data.scheduledFor !== '' ? data.scheduledFor : null;
}
