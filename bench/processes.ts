import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The environment the Docker image runs datamon with (its `ENV` lines but NODE_ENV; the systemd
 * unit sets the same, which test/deploy.test.ts checks): the benchmarks start the bundle with it,
 * so their memory figures are the shipped ones.
 */
export const PRODUCTION_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  [...readFileSync(join(import.meta.dirname, '..', 'Dockerfile'), 'utf8').matchAll(/^ENV (\w+)=(\S+)$/gm)]
    .map((match) => [match[1] as string, match[2] as string])
    .filter(([name]) => name !== 'NODE_ENV'),
);

/** PRODUCTION_ENV in one line, for the benchmarks' headings. */
export const PRODUCTION_ENV_TEXT = Object.entries(PRODUCTION_ENV)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');

/** A process's resident memory now, in MB (VmRSS). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}
