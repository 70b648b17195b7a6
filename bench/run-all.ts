/**
 * `npm run bench`: runs the checks, runtime and API benchmarks one after the other (each prints
 * its own figures and the ratio to a baseline measured in the same run) and writes BENCHMARKS.md
 * with the machine they ran on. Never fails a build: a benchmark that fails is reported as such.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BENCHES = [
  { script: 'bench:checks', title: 'Checks: default SQL checks on a 5,000,000-row FactCalls', goal: 'every default query indexed (no full scan), each ≤ 5 ms' },
  { script: 'bench:runtime', title: 'Runtime: one quick-check round of 1,000 pipelines', goal: '≤ 2 s with one check-worker process; two ≤ 0.6× that; RSS ≤ 120 MB' },
  { script: 'bench:api', title: 'API: GET /api/status against a bare one-GET route', goal: 'ratio ≥ 0.9 with 8 pipelines and with 1,000; p99 ≤ 5 ms at 50 connections' },
  { script: 'bench:runtime:10k', title: 'Runtime: one quick-check round of 10,000 pipelines', goal: '≤ 3 s with two check-worker processes' },
  { script: 'bench:rss', title: 'Memory: each role idle and after rounds, from the bundle', goal: 'a check worker ≤ 80 MB idle, every role ≤ 120 MB after rounds' },
  { script: 'bench:pings', title: 'Heartbeats: pings taken, and a /fail ping to its Chat card', goal: 'ratio ≥ 0.5 against a bare route keeping the body; p99 ≤ 500 ms from ping to card' },
];

const PAGE = join(ROOT, 'BENCHMARKS.md');

/**
 * What people wrote in the current BENCHMARKS.md, kept through a new run: in a benchmark's
 * section, the paragraphs between its goal line and its figures and everything after the figures
 * (why, what changed, other runs); sections no benchmark writes (the notes on missed goals, the
 * Redis figures), whole, in their order after the benchmarks'.
 */
function handWritten(page: string): { within: Map<string, { before: string; after: string }>; others: string[] } {
  const within = new Map<string, { before: string; after: string }>();
  const others: string[] = [];
  for (const section of page.split(/^(?=## )/m).slice(1)) {
    const title = section.slice(3, section.indexOf('\n'));
    if (!BENCHES.some((bench) => bench.title === title)) {
      others.push(section.trimEnd());
      continue;
    }
    const figures = /^```\n[\s\S]*?^```$/m.exec(section);
    if (!figures) continue;
    // The heading and the goal paragraph are written anew.
    const intro = section.slice(0, figures.index).split(/\n\n/).slice(2).join('\n\n').trim();
    within.set(title, { before: intro, after: section.slice(figures.index + figures[0].length).trim() });
  }
  return { within, others };
}

const kept = existsSync(PAGE) ? handWritten(readFileSync(PAGE, 'utf8')) : { within: new Map<string, { before: string; after: string }>(), others: [] };

const sections: string[] = [];
for (const bench of BENCHES) {
  process.stderr.write(`\n=== npm run ${bench.script}\n`);
  const started = Date.now();
  const run = spawnSync('npm', ['run', '--silent', bench.script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 });
  process.stdout.write(run.stdout ?? '');
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const outcome = run.status === 0 ? `ran in ${seconds} s` : `FAILED (exit ${run.status ?? run.signal}) after ${seconds} s`;
  const notes = kept.within.get(bench.title);
  sections.push(
    [`## ${bench.title}`, `Goal: ${bench.goal}. \`npm run ${bench.script}\` ${outcome}.`, notes?.before, `\`\`\`\n${(run.stdout ?? '').trim()}\n\`\`\``, notes?.after]
      .filter(Boolean)
      .join('\n\n'),
  );
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine = `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${osType()} ${release()}, Node.js ${process.version}`;
const page = `# datamon benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.
Redis and MariaDB ran on the same machine. Every ratio compares against a baseline measured in
the same run, so the ratios travel better than the absolute figures.

To reproduce: Redis on 127.0.0.1:6379 and MariaDB on 127.0.0.1:3306 (root with an empty password,
or \`DATAMON_TEST_MYSQL_USER\` / \`DATAMON_TEST_MYSQL_PASSWORD\`), then \`npm ci && npm run bench\`.
Each benchmark can also run alone: ${BENCHES.map((bench) => `\`npm run ${bench.script}\``).join(', ')}.

${[...sections, ...kept.others].join('\n\n')}
`;
writeFileSync(PAGE, page);
process.stderr.write('\nwrote BENCHMARKS.md\n');
