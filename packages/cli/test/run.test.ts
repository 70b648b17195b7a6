import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

/** `datamon run` as a cron job runs it, against a local server playing the monitor's ping routes. */

const BIN = join(import.meta.dirname, '../bin/datamon.js');
const NODE = process.execPath;
const KEY = 'ping-key-7f3c9a1e';

interface Ping {
  method: string;
  key: string;
  slug: string;
  what: string;
  rid: string | null;
  contentType: string | undefined;
  body: string;
}

/** The monitor: 200 "OK" for the right key, 404 otherwise, or a status chosen per slug. */
class FakeMonitor {
  readonly pings: Ping[] = [];
  readonly statusBySlug = new Map<string, number>();
  #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://monitor');
      const [, ping, key = '', slug = '', what = ''] = url.pathname.split('/');
      if (ping !== 'ping') {
        res.writeHead(404).end();
        return;
      }
      this.pings.push({ method: req.method ?? '', key, slug, what, rid: url.searchParams.get('rid'), contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      const status = this.statusBySlug.get(slug) ?? (key === KEY ? 200 : 404);
      res.writeHead(status, { 'content-type': 'text/plain', 'ping-body-limit': '10000' }).end(status === 200 ? 'OK' : 'not found');
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  of(slug: string): Ping[] {
    return this.pings.filter((ping) => ping.slug === slug);
  }

  /** The kinds of ping a run sent, in order, each once (a ping is sent again when its answer is slow). */
  kindsOf(slug: string): string[] {
    return this.of(slug).map((ping) => ping.what).filter((what, index, all) => what !== all[index - 1]);
  }

  /** The ping that ended a run. */
  finishOf(slug: string): Ping | undefined {
    return this.of(slug).findLast((ping) => ping.what !== 'start');
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

const monitor = new FakeMonitor();
let dir: string;

before(async () => {
  await monitor.start();
  dir = await mkdtemp(join(tmpdir(), 'datamon-run-'));
});
after(async () => {
  await monitor.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh slug per test, so each test reads only its own pings. */
function slug(): string {
  return `job-${randomUUID().slice(0, 8)}`;
}

async function configFile(document: unknown): Promise<string> {
  const file = join(dir, `config-${randomUUID()}.json`);
  // JSON is YAML too: the loader reads either.
  await writeFile(file, typeof document === 'string' ? document : JSON.stringify(document));
  return file;
}

const monitorConfig = () => configFile({ heartbeats: { ping_key: KEY, ping_url: monitor.url } });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  input?: string;
  /** Called with each stdout chunk as it comes, and the running process. */
  onStdout?: (text: string, pid: number) => void;
}

function datamon(args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.DATAMON_CONFIG;
    const child = spawn(NODE, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      options.onStdout?.(stdout, child.pid as number);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

function node(script: string): string[] {
  return [NODE, '-e', script];
}

describe('datamon run', { concurrency: 2 }, () => {
  it('pings start, passes the output through, and pings success with the output, paired by rid', async () => {
    const job = slug();
    const run = await datamon(['run', job, '--config', await monitorConfig(), '--', ...node("console.log('loaded 42 rows'); console.error('2 warnings')")]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /loaded 42 rows/);
    assert.match(run.stderr, /2 warnings/);
    assert.doesNotMatch(run.stderr, /could not report/);

    assert.deepEqual(monitor.kindsOf(job), ['start', '0']);
    const [start] = monitor.of(job);
    const finish = monitor.finishOf(job);
    assert.deepEqual([start?.method, start?.key, start?.what, start?.body], ['GET', KEY, 'start', '']);
    assert.deepEqual([finish?.method, finish?.key, finish?.what], ['POST', KEY, '0']);
    assert.match(start?.rid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(monitor.of(job).every((ping) => ping.rid === start?.rid), 'every ping of the run carries its rid');
    assert.match(finish?.contentType ?? '', /^text\/plain/);
    assert.match(finish?.body ?? '', /loaded 42 rows/);
    assert.match(finish?.body ?? '', /2 warnings/);
  });

  it('exits with the command\'s own code and pings it', async () => {
    const job = slug();
    const run = await datamon(['run', job, '--config', await monitorConfig(), '--', ...node("console.error('table locked'); process.exit(3)")]);
    assert.equal(run.code, 3);
    const finish = monitor.finishOf(job);
    assert.equal(finish?.what, '3');
    assert.equal(finish?.body, 'table locked\n');
  });

  it('sends the last 10,000 bytes of a longer output', async () => {
    const job = slug();
    const script = "process.stdout.write('a'.repeat(2000)); process.stdout.write('0123456789'.repeat(999) + 'the end!!!')";
    const run = await datamon(['run', job, '--config', await monitorConfig(), '--', ...node(script)]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout.length, 12_000);
    assert.equal(monitor.finishOf(job)?.body, '0123456789'.repeat(999) + 'the end!!!');
  });

  it('gives the command datamon\'s stdin and its arguments without a shell', async () => {
    const job = slug();
    const script = "let t = ''; process.stdin.on('data', (c) => (t += c)).on('end', () => console.log(t.toUpperCase() + ' ' + process.argv[1]))";
    const run = await datamon(['run', job, '--config', await monitorConfig(), '--', ...node(script), '$HOME;|x'], { input: 'from stdin' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'FROM STDIN $HOME;|x\n');
  });

  it('pings the dashboard\'s public URL when no ping URL is set', async () => {
    const job = slug();
    const config = await configFile({ heartbeats: { ping_key: KEY }, dashboard: { public_url: `${monitor.url}/` } });
    const run = await datamon(['run', job, '--config', config, '--', ...node('0')]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(monitor.kindsOf(job), ['start', '0']);
  });

  it('reports a command killed by a signal as a failure, exiting 128 + its number', async () => {
    const job = slug();
    const run = await datamon(['run', job, '--config', await monitorConfig(), '--', ...node("console.log('half done'); process.kill(process.pid, 'SIGKILL')")]);
    assert.equal(run.code, 137);
    const finish = monitor.finishOf(job);
    assert.equal(finish?.what, 'fail');
    assert.match(finish?.body ?? '', /half done/);
    assert.match(finish?.body ?? '', /killed by SIGKILL \(exit code 137\)/);
  });

  it('passes a SIGTERM it receives on to the command', async () => {
    const job = slug();
    const script = "process.on('SIGTERM', () => { console.log('stopping cleanly'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000)";
    let sent = false;
    const run = await datamon(['run', job, '--config', await monitorConfig(), '--', ...node(script)], {
      onStdout: (text, pid) => {
        if (!sent && text.includes('ready')) {
          sent = true;
          process.kill(pid, 'SIGTERM');
        }
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /stopping cleanly/);
    assert.equal(monitor.finishOf(job)?.what, '0');
  });

  it('says when the command cannot be found, pings fail with why, and exits 127', async () => {
    const job = slug();
    const run = await datamon(['run', job, '--config', await monitorConfig(), '--', 'datamon-no-such-command', '--now']);
    assert.equal(run.code, 127);
    assert.match(run.stderr, /datamon run: command not found: datamon-no-such-command/);
    const finish = monitor.finishOf(job);
    assert.equal(finish?.what, 'fail');
    assert.match(finish?.body ?? '', /command not found: datamon-no-such-command/);
  });

  it('refuses a slug that is not one, running nothing and pinging nothing', async () => {
    const marker = join(dir, `ran-${randomUUID()}`);
    const run = await datamon(['run', 'Nightly ETL!', '--config', await monitorConfig(), '--', ...node(`require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`)]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /"Nightly ETL!" is not a heartbeat slug/);
    assert.equal(existsSync(marker), false);
    assert.equal(monitor.of('Nightly ETL!').length, 0);
  });

  it('refuses a missing command', async () => {
    const run = await datamon(['run', slug(), '--config', await monitorConfig()]);
    assert.equal(run.code, 3);
  });

  describe('when it cannot report', { concurrency: 2 }, () => {
    it('warns and still runs the command when nothing listens at the monitor\'s address', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const config = await configFile({ heartbeats: { ping_key: KEY, ping_url: `http://127.0.0.1:${port}` } });

      const run = await datamon(['run', slug(), '--config', config, '--', ...node("console.log('did the work'); process.exit(3)")]);
      assert.equal(run.code, 3);
      assert.equal(run.stdout, 'did the work\n');
      assert.match(run.stderr, /datamon run: could not report to the monitor: start ping .*ECONNREFUSED/);
      assert.match(run.stderr, /datamon run: could not report to the monitor: finish ping .*ECONNREFUSED/);
      assert.ok(!run.stderr.includes(KEY), 'the ping key must not be printed');
    });

    it('warns when the monitor refuses the ping, without printing the key', async () => {
      const job = slug();
      const config = await configFile({ heartbeats: { ping_key: 'wrong-key-1234567', ping_url: monitor.url } });
      const run = await datamon(['run', job, '--config', config, '--', ...node("console.log('did the work')")]);
      assert.equal(run.code, 0);
      assert.equal(run.stdout, 'did the work\n');
      assert.match(run.stderr, /could not report to the monitor: .*404: wrong ping key, or no heartbeat pipeline has the slug/);
      assert.ok(!run.stderr.includes('wrong-key-1234567'));
    });

    it('tries a failing monitor twice per ping, then warns', async () => {
      const job = slug();
      monitor.statusBySlug.set(job, 503);
      const run = await datamon(['run', job, '--config', await monitorConfig(), '--', ...node('0')]);
      assert.equal(run.code, 0);
      assert.deepEqual(monitor.of(job).map((ping) => ping.what), ['start', 'start', '0', '0']);
      assert.match(run.stderr, /answered 503/);
    });

    it('warns that no ping key is configured and runs the command without pinging', async () => {
      const job = slug();
      const config = await configFile({ heartbeats: { ping_url: monitor.url } });
      const run = await datamon(['run', job, '--config', config, '--', ...node("console.log('did the work')")]);
      assert.equal(run.code, 0);
      assert.equal(run.stdout, 'did the work\n');
      assert.match(run.stderr, /datamon run: could not report to the monitor: no ping key is configured \(set heartbeats\.ping_key/);
      assert.equal(monitor.of(job).length, 0);
    });

    it('warns about an invalid config file and runs the command', async () => {
      const job = slug();
      const config = await configFile({ heartbeats: { ping_key: KEY, ping_url: monitor.url, ping_every: 5 } });
      const run = await datamon(['run', job, '--config', config, '--', ...node('process.exit(4)')]);
      assert.equal(run.code, 4);
      assert.match(run.stderr, /could not report to the monitor: .*heartbeats\.ping_every/);
      assert.ok(!run.stderr.includes(KEY));
      assert.equal(monitor.of(job).length, 0);
    });
  });
});
