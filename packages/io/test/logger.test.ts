import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { classifyHttpError, createHttpClient, createLogger, redactUrl } from '@datamon/io';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const dir = mkdtempSync(join(tmpdir(), 'datamon-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ role: 'test', destination }) };
}

describe('the logger', () => {
  it('never writes a password, token or webhook query', () => {
    const { lines, logger } = capture();
    logger.info({ database: { password: 'db-pass-1' }, password: 'p-2', google_chat: { webhook_url: 'https://x/y?key=k-3&token=t-4' }, tokens: ['tok-5'] }, 'config');
    const text = lines.join('');
    for (const secret of ['db-pass-1', 'p-2', 'k-3', 't-4', 'tok-5']) assert.ok(!text.includes(secret), `${secret} was logged`);
    assert.match(text, /\[redacted\]/);
  });

  it('strips query strings from URLs quoted in logged errors', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('failed POST https://chat.example/v1/spaces/A/messages?key=KEY9&token=TOK9') }, 'send failed');
    assert.ok(!lines.join('').includes('TOK9'));
  });

  it('appends JSON lines to datamon-<role>.log in the log directory', () => {
    const script = `import { createLogger } from '@datamon/io'; const l = createLogger({ role: 'checks', logDirectory: process.argv[2], pretty: false }); l.info('hello file'); l.flush();`;
    const path = join(import.meta.dirname, 'log-to-dir.fixture.ts');
    writeFileSync(path, script);
    try {
      const logDir = join(dir, 'logs');
      const run = spawnSync(process.execPath, ['--import', 'tsx', path, logDir], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const line = JSON.parse(readFileSync(join(logDir, 'datamon-checks.log'), 'utf8').trim().split('\n')[0] ?? '{}');
      assert.equal(line.msg, 'hello file');
      assert.equal(line.role, 'checks');

      const blocked = join(dir, 'not-a-folder');
      writeFileSync(blocked, 'x');
      const warned = spawnSync(process.execPath, ['--import', 'tsx', path, blocked], { encoding: 'utf8' });
      assert.equal(warned.status, 0);
      assert.match(warned.stderr, /warning: cannot write logs to .*datamon-checks\.log/);
      assert.match(warned.stdout, /hello file/);
    } finally {
      rmSync(path, { force: true });
    }
  });
});

describe('the HTTP client', () => {
  it('redacts URLs for logs', () => {
    assert.equal(redactUrl('https://chat.googleapis.com/v1/spaces/A/messages?key=K&token=T'), 'https://chat.googleapis.com/v1/spaces/A/messages?[redacted]');
  });

  it('classifies 429 as transient with its Retry-After, and 400 as permanent, without the query', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/busy')) {
        res.writeHead(429, { 'retry-after': '7' }).end('slow down');
      } else {
        res.writeHead(400).end('bad card');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const http = createHttpClient({ timeoutMs: 2000 });
    try {
      const busy = await http.post(`http://127.0.0.1:${port}/busy?token=SECRET1`).catch((err: unknown) => classifyHttpError(err));
      assert.ok(busy instanceof Error);
      assert.deepEqual([busy.permanent, busy.statusCode, busy.retryAfterMs], [false, 429, 7000]);
      assert.ok(!busy.message.includes('SECRET1'));
      const bad = await http.post(`http://127.0.0.1:${port}/bad?token=SECRET2`).catch((err: unknown) => classifyHttpError(err));
      assert.ok(bad instanceof Error);
      assert.deepEqual([bad.permanent, bad.statusCode], [true, 400]);
      assert.ok(!bad.message.includes('SECRET2'));
    } finally {
      server.close();
    }
  });
});
