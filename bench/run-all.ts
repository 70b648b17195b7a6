/**
 * `npm run bench`: runs the checks, runtime and API benchmarks one after the other (each prints
 * its own figures and the ratio to a baseline measured in the same run) and writes BENCHMARKS.md
 * with the machine they ran on. Never fails a build: a benchmark that fails is reported as such.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BENCHES = [
  { script: 'bench:checks', title: 'Checks: default SQL checks on a 5,000,000-row FactCalls', goal: 'every default query indexed (no full scan), each ≤ 5 ms' },
  { script: 'bench:runtime', title: 'Runtime: one quick-check round of 1,000 pipelines', goal: '≤ 2 s with one check-worker process; two ≤ 0.6× that; RSS ≤ 120 MB' },
  { script: 'bench:api', title: 'API: GET /api/status against a bare one-GET route', goal: 'ratio ≥ 0.8 with 8 pipelines, ≥ 0.5 with 1,000; p99 ≤ 5 ms at 50 connections' },
];

const sections: string[] = [];
for (const bench of BENCHES) {
  process.stderr.write(`\n=== npm run ${bench.script}\n`);
  const started = Date.now();
  const run = spawnSync('npm', ['run', '--silent', bench.script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 });
  process.stdout.write(run.stdout ?? '');
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const outcome = run.status === 0 ? `ran in ${seconds} s` : `FAILED (exit ${run.status ?? run.signal}) after ${seconds} s`;
  sections.push(`## ${bench.title}\n\nGoal: ${bench.goal}. \`npm run ${bench.script}\` ${outcome}.\n\n\`\`\`\n${(run.stdout ?? '').trim()}\n\`\`\`\n`);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine = `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${osType()} ${release()}, Node.js ${process.version}`;
const page = `# datamon benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.
Redis and MariaDB ran on the same machine. Every ratio compares against a baseline measured in
the same run, so the ratios travel better than the absolute figures.

To reproduce: Redis on 127.0.0.1:6379 and MariaDB on 127.0.0.1:3306 (root with an empty password,
or \`DATAMON_TEST_MYSQL_USER\` / \`DATAMON_TEST_MYSQL_PASSWORD\`), then \`npm ci && npm run bench\`.
Each benchmark can also run alone: \`npm run bench:checks\`, \`bench:runtime\`, \`bench:api\`.

${sections.join('\n')}`;
writeFileSync(join(ROOT, 'BENCHMARKS.md'), page);
process.stderr.write('\nwrote BENCHMARKS.md\n');
