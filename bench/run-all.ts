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
  { script: 'bench:rss', title: 'Memory: each role idle, from the bundle', goal: 'a check worker ≤ 80 MB idle, every role ≤ 120 MB' },
  { script: 'bench:pings', title: 'Heartbeats: pings taken, and a /fail ping to its Chat card', goal: 'ratio ≥ 0.5 against a bare route keeping the body; p99 ≤ 500 ms from ping to card' },
];

/** Why the goals this machine misses are missed (the figures above change from run to run). */
const NOTES = `## Where a goal is missed, and why

- **call_volume over 5 ms.** It counts one local day of calls: about 130,000 entries of the
  \`call_start\` index at 5,000,000 rows over 90 days. The query is an index range scan that never
  touches the table (covering), about 80× faster than the \`DATE(col) = ...\` form it replaces, but
  no exact count of 130,000 index entries takes under 5 ms on this machine. The other default
  queries are well under 1 ms.
- **Two check-worker processes not at 0.6× of one.** A round of 1,000 file checks takes about
  0.25 s, and most of it is Redis work (one atomic store script per result, the alert hand-off,
  the snapshot) on a 2-core machine that also runs Redis and both workers. The fan-out does
  share a round between processes; it pays off when checks wait on their sources (SQL, the
  Sheets API) rather than on the CPU.
- **RSS over 120 MB.** An idle check worker from the bundle is about 110 MB (from the TypeScript
  sources through tsx, about 145 MB); after a round of 1,000 results V8 keeps 30-60 MB more.
  \`NODE_OPTIONS=--max-semi-space-size=2\` trims part of that at a small CPU cost.
- **API p99 over 5 ms.** The bare one-GET route itself reaches 5 ms at p99 with 50 connections
  on this machine; the API adds about 1 ms. At 1,000 pipelines each answer is 290 KB, and no
  route answers that in 5 ms at p99 with 50 connections here.
`;

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
Each benchmark can also run alone: \`npm run bench:checks\`, \`bench:runtime\`, \`bench:api\`, \`bench:pings\`.

${sections.join('\n')}
${NOTES}`;
writeFileSync(join(ROOT, 'BENCHMARKS.md'), page);
process.stderr.write('\nwrote BENCHMARKS.md\n');
