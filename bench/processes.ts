import { readFileSync } from 'node:fs';

/**
 * The Node.js options the Docker image and the systemd unit run datamon with (README "In
 * production"); the benchmarks start the bundle with them so their memory figures are the shipped
 * ones. Keep in step with the Dockerfile and deploy/datamon.service.
 */
export const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=2';

/** A process's resident memory now, in MB (VmRSS). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}
