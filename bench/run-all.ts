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
  { script: 'bench:runtime:10k', title: 'Runtime: one quick-check round of 10,000 pipelines', goal: '≤ 3 s with two check-worker processes' },
  { script: 'bench:rss', title: 'Memory: each role idle and after rounds, from the bundle', goal: 'a check worker ≤ 80 MB idle, every role ≤ 120 MB after rounds' },
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
- **RSS over the goals (check worker ≤ 80 MB idle, every role ≤ 120 MB).** An idle check worker
  from the bundle is about 130 MB, 118 MB with \`--max-semi-space-size=2\` (which the Docker image
  and the systemd unit set); the API is the largest at about 129 MB. About 40 MB of it is Node.js
  itself; the rest is mostly the code every role loads to read the config (each check kind's
  field schema lives beside its implementation, so the MySQL and HTTP clients come with it),
  BullMQ and ioredis. After a round of 1,000 results V8 keeps 30-60 MB more. Each command now
  loads only its own code (\`datamon run\`, which wraps cron jobs: 141 MB to 109 MB).
- **API p99 over 5 ms.** The bare one-GET route itself reaches 5 ms at p99 with 50 connections
  on this machine; the API adds about 1 ms. At 1,000 pipelines each answer is 290 KB, and no
  route answers that in 5 ms at p99 with 50 connections here.
- **Two processes at 0.68× of one at 10,000 pipelines, not 0.6×.** With batched writes and one
  snapshot per round, a round is mostly the checks themselves (file system calls and date
  arithmetic) plus BullMQ's own work, on 2 cores that also run Redis and, during these runs,
  other work. Two processes can at best halve it; at 1,000 pipelines the round (0.3 s) is too
  short for the split to pay.
- **10,000 pipelines in ≤ 3 s with two processes: met in three of four runs.** The run that
  missed (3.72 s) had a load average of about 7 on the 2 cores. What is left per check is outside
  the store: \`file_arrival\` opens the folder once per pipeline and fills its date pattern in the
  zone (luxon) once per pipeline; doing those once per folder and once per round would cut a
  good part of it.
- **A Redis Cluster does not make a round faster.** Every key of a deployment shares one hash tag
  (README "Redis: TLS, Sentinel and Cluster"), so one master does all of a deployment's work: a
  cluster spreads several deployments, or survives a node, but does not share one deployment's
  load.
- **90 days of history for 10,000 pipelines is about 71 GiB of Redis.** Each 5-minute result
  keeps a JSON history point (status, value, message, time) of about 293 B in a sorted set. For
  that size, keep fewer days (\`monitoring.history_days\`; 7 days is about 6 GiB with the
  markers), or keep older history at a coarser grain or outside Redis. The retry markers (one key
  a result, kept 24 h) are a day's worth at most, 0.6 to 0.7 GiB; one hash a part holding its
  results' outcomes would keep the same in an estimated third of that.
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
Each benchmark can also run alone: \`npm run bench:checks\`, \`bench:runtime\`, \`bench:runtime:10k\`, \`bench:api\`, \`bench:rss\`, \`bench:pings\`.

${sections.join('\n')}
${NOTES}`;
writeFileSync(join(ROOT, 'BENCHMARKS.md'), page);
process.stderr.write('\nwrote BENCHMARKS.md\n');
