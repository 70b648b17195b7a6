import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { localDate } from '@datamon/core';
import { createQueues } from '@datamon/jobs';
import { enqueueFirstRound } from '@datamon/jobs/processors';
import { DatamonStore } from '@datamon/store';
import { testSetup, waitFor } from '../packages/workers/test/helpers.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = `.bundle-test-${randomUUID().slice(0, 8)}`;
after(() => rmSync(join(ROOT, OUT), { recursive: true, force: true }));

describe('the production bundle (what the Docker image runs)', () => {
  it('builds, and runs datamon without the TypeScript loader', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), OUT], { cwd: ROOT, stdio: 'pipe' });
    const help = spawnSync(process.execPath, [join(ROOT, OUT, 'datamon.mjs'), 'start', '--help'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: datamon start/);
    const check = spawnSync(process.execPath, [join(ROOT, OUT, 'datamon.mjs'), 'config', 'check', '--config', 'config/monitoring_config.example.yaml'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, MYSQL_PASSWORD: 'x1', EMAIL_PASSWORD: 'x2' },
    });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /afternoon_csv/);
  });

  it('knows its version without a package.json beside it (inlined at build time)', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    // Code-split: the version sits in whichever chunk imports it.
    const built = readdirSync(join(ROOT, OUT)).filter((file) => file.endsWith('.mjs')).map((file) => readFileSync(join(ROOT, OUT, file), 'utf8')).join('\n');
    assert.ok(built.includes(`version: "${version}"`), 'the version is in the bundle, not read at run time');
    const run = spawnSync(process.execPath, [join(ROOT, OUT, 'datamon.mjs'), '--version'], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${version}\n`);
  });

  it('starts a check worker that loads neither the MySQL, HTTP, mail nor holiday library until a check needs one', async () => {
    const env = testSetup({ pipelines: 3 });
    const today = localDate(new Date(), 'Europe/London').replaceAll('-', '');
    env.writeFile('p0001', today);
    const configPath = join(env.folder, 'monitoring_config.json');
    writeFileSync(configPath, JSON.stringify({ ...env.raw, calendar: { workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], holidays: 'england-and-wales' } }));
    // Records every module the process loads: CommonJS from require's cache, ES modules from a resolve hook.
    const listing = join(env.folder, 'loaded.txt');
    const hooks = join(env.folder, 'hooks.mjs');
    writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) { const found = await next(specifier, context); appendFileSync(${JSON.stringify(listing)}, found.url + '\\n'); return found; }\n`);
    const preload = join(env.folder, 'preload.mjs');
    writeFileSync(
      preload,
      `import { register, createRequire } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n` +
        `process.on('exit', () => appendFileSync(${JSON.stringify(listing)}, Object.keys(createRequire(import.meta.url).cache).join('\\n') + '\\n'));\n`,
    );
    const queues = createQueues(env.config);
    const store = new DatamonStore(queues.connection, { prefix: env.config.redis.prefix, historyDays: 1 });
    const child = spawn(process.execPath, ['--import', preload, join(ROOT, OUT, 'datamon.mjs'), 'start', '--role', 'checks', '--config', configPath], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitFor(() => output.includes('datamon started'), 20_000, 'the check worker to start');
      await enqueueFirstRound({ queues, now: () => new Date() });
      const results = await waitFor(async () => {
        const latest = await store.results.latestMany(env.ids);
        return Object.keys(latest).length === env.ids.length ? latest : null;
      }, 20_000, 'a result for every pipeline');
      assert.equal(results.p0001?.status, 'OK', "today's file is there");
      child.kill('SIGTERM');
      assert.equal(await exited, 0, output);
      const loaded = readFileSync(listing, 'utf8');
      for (const library of ['mysql2', 'got', 'nodemailer', 'date-holidays', 'fastify', 'googleapis']) {
        assert.doesNotMatch(loaded, new RegExp(`node_modules/${library}/`), `${library} is loaded only when a check or a role needs it`);
      }
      assert.doesNotMatch(loaded, /bullmq\/dist\/cjs\/(postgres\/|classes\/valkey-glide-client)/, "not bullmq's PostgreSQL or Valkey GLIDE backends");
      assert.match(loaded, /node_modules\/bullmq\/dist\/cjs\/classes\/worker\.js/, 'the listing does see what is loaded');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await queues.obliterate();
      await queues.close();
      await env.cleanup();
    }
  });
});
