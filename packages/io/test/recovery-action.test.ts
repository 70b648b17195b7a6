import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ActionOutcome, isProcessRunning, runRecoveryAction } from '@datamon/io';

const NODE = process.execPath;
const opts = { timeoutMs: 20_000, secrets: [] as string[] };

/** Runs a script with this Node, without a shell. */
function node(script: string): { command: string[] } {
  return { command: [NODE, '-e', script] };
}


function childPidIn(outcome: ActionOutcome): number {
  const match = /child (\d+)/.exec(outcome.output);
  assert.ok(match, `the command printed no child pid: ${JSON.stringify(outcome)}`);
  return Number(match[1]);
}

describe('a command recovery action', () => {
  it('succeeds on exit 0 and keeps stdout and stderr', async () => {
    const outcome = await runRecoveryAction(node("console.log('to stdout'); console.error('to stderr')"), opts);
    assert.equal(outcome.kind, 'command');
    assert.equal(outcome.ok, true);
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.signal, null);
    assert.equal(outcome.httpStatus, null);
    assert.equal(outcome.error, null);
    assert.match(outcome.output, /to stdout/);
    assert.match(outcome.output, /to stderr/);
    assert.ok(outcome.durationMs >= 0);
  });

  it('fails on a non-zero exit code and reports it', async () => {
    const outcome = await runRecoveryAction(node("console.log('giving up'); process.exit(3)"), opts);
    assert.deepEqual([outcome.ok, outcome.exitCode, outcome.error], [false, 3, null]);
    assert.match(outcome.output, /giving up/);
  });

  it('reports the signal that killed it', async () => {
    const outcome = await runRecoveryAction(node("process.kill(process.pid, 'SIGKILL')"), opts);
    assert.deepEqual([outcome.ok, outcome.exitCode, outcome.signal], [false, null, 'SIGKILL']);
  });

  it('keeps the last 10,000 bytes of a 12,000-byte output', async () => {
    const script = "process.stdout.write('a'.repeat(2000)); process.stdout.write('0123456789'.repeat(999) + 'the end!!!')";
    const outcome = await runRecoveryAction(node(script), opts);
    assert.equal(outcome.ok, true);
    assert.equal(Buffer.byteLength(outcome.output), 10_000);
    assert.equal(outcome.output, '0123456789'.repeat(999) + 'the end!!!');
  });

  it('masks a secret the command prints', async () => {
    const outcome = await runRecoveryAction(node("console.log('password is ' + process.env.DB_PASSWORD)"), {
      ...opts,
      env: { ...process.env, DB_PASSWORD: 'pa55-word-xyz' },
      secrets: ['pa55-word-xyz'],
    });
    assert.equal(outcome.ok, true);
    assert.ok(!outcome.output.includes('pa55-word-xyz'));
    assert.match(outcome.output, /password is \*{8}/);
  });

  it('runs its arguments without a shell', async () => {
    const outcome = await runRecoveryAction({ command: [NODE, '-e', 'console.log(process.argv[1])', '$HOME; echo not-a-shell'] }, opts);
    assert.equal(outcome.output.trim(), '$HOME; echo not-a-shell');
  });

  it('runs in the working directory given', async () => {
    const outcome = await runRecoveryAction(node('console.log(process.cwd())'), { ...opts, cwd: '/' });
    assert.equal(outcome.output.trim(), '/');
  });

  it('does not give the command any input', async () => {
    const outcome = await runRecoveryAction(node("process.stdin.on('data', () => {}).on('end', () => console.log('no input'))"), opts);
    assert.match(outcome.output, /no input/);
  });

  it('reports a missing executable as an outcome, with secrets masked', async () => {
    const outcome = await runRecoveryAction({ command: ['datamon-no-such-command-s3cr3t', '--now'] }, { ...opts, secrets: ['s3cr3t'] });
    assert.deepEqual([outcome.ok, outcome.exitCode, outcome.signal], [false, null, null]);
    assert.equal(outcome.error, 'command not found: datamon-no-such-command-********');
  });

  it('reports a missing working directory as such', async () => {
    const outcome = await runRecoveryAction(node('0'), { ...opts, cwd: '/no/such/folder/for/datamon' });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /working directory not found/);
  });

  it('refuses an empty command', async () => {
    const outcome = await runRecoveryAction({ command: [] }, opts);
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /non-empty list/);
  });

  it('on timeout, stops the command and the children it started', async () => {
    const outcome = await runRecoveryAction({ command: ['sh', '-c', 'sleep 60 & echo "child $!"; sleep 60'] }, { ...opts, timeoutMs: 300 });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error, 'timed out after 0.3 s');
    assert.equal(outcome.signal, 'SIGTERM');
    const child = childPidIn(outcome);
    assert.ok(!isProcessRunning(child), `child ${child} is still running`);
  });

  it('kills a command and its children that ignore SIGTERM', async () => {
    const outcome = await runRecoveryAction({ command: ['sh', '-c', 'trap "" TERM; sleep 60 & echo "child $!"; wait'] }, { ...opts, timeoutMs: 300 });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error, 'timed out after 0.3 s');
    assert.equal(outcome.signal, 'SIGKILL');
    const child = childPidIn(outcome);
    assert.ok(!isProcessRunning(child), `child ${child} is still running`);
  });

  it('stops the command when aborted', async () => {
    const controller = new AbortController();
    const running = runRecoveryAction({ command: ['sh', '-c', 'sleep 60 & echo "child $!"; sleep 60'] }, { ...opts, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const outcome = await running;
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error, 'aborted');
    assert.ok(!isProcessRunning(childPidIn(outcome)));
  });

  it('does not start when already aborted', async () => {
    const outcome = await runRecoveryAction(node("console.log('ran')"), { ...opts, signal: AbortSignal.abort() });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.output, '');
    assert.equal(outcome.error, 'aborted before it started');
  });

  it('measures its duration with the clock given', async () => {
    let now = 1000;
    const outcome = await runRecoveryAction(node('0'), { ...opts, clock: () => (now += 250) });
    assert.equal(outcome.durationMs, 250);
  });
});

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const BROKEN_END = ' token abcd-secret-1 failed';
const BROKEN_BODY = 'x'.repeat(2000) + 'y'.repeat(10_000 - BROKEN_END.length) + BROKEN_END;

describe('an HTTP recovery action', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (req.url?.startsWith('/ok')) res.writeHead(204).end();
        else if (req.url?.startsWith('/broken')) res.writeHead(500, { 'content-type': 'text/plain' }).end(BROKEN_BODY);
        else if (req.url?.startsWith('/redirect')) res.writeHead(302, { location: '/ok' }).end();
        else if (req.url?.startsWith('/hang')) {
          // Never answers: the action's timeout or abort ends it.
        } else res.writeHead(200).end('{"started":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const last = () => received.at(-1) as Received;

  it('succeeds on a 2xx', async () => {
    const outcome = await runRecoveryAction({ http: { url: `${base}/ok` } }, opts);
    assert.equal(outcome.kind, 'http');
    assert.deepEqual([outcome.ok, outcome.httpStatus, outcome.exitCode, outcome.error, outcome.output], [true, 204, null, null, '']);
    assert.equal(last().method, 'POST');
  });

  it('fails on a 500 and keeps the tail of its body, secrets masked', async () => {
    const outcome = await runRecoveryAction({ http: { url: `${base}/broken`, method: 'get' } }, { ...opts, secrets: ['abcd-secret-1'] });
    assert.deepEqual([outcome.ok, outcome.httpStatus, outcome.error], [false, 500, null]);
    assert.equal(Buffer.byteLength(BROKEN_BODY), 12_000);
    assert.equal(outcome.output, 'y'.repeat(10_000 - BROKEN_END.length) + ' token ******** failed');
    assert.equal(last().method, 'GET');
  });

  it('does not follow a redirect: a 302 is not a success', async () => {
    const before = received.length;
    const outcome = await runRecoveryAction({ http: { url: `${base}/redirect` } }, opts);
    assert.deepEqual([outcome.ok, outcome.httpStatus], [false, 302]);
    assert.equal(received.length, before + 1);
  });

  it('sends the method, the headers and an object body as JSON', async () => {
    const outcome = await runRecoveryAction(
      { http: { url: `${base}/rerun?dag=etl`, method: 'PUT', headers: { authorization: 'Bearer t0k3n-abc', 'x-reason': 'datamon' }, body: { dag: 'etl_calls', force: true } } },
      { ...opts, secrets: ['t0k3n-abc'] },
    );
    assert.deepEqual([outcome.ok, outcome.httpStatus, outcome.output], [true, 200, '{"started":true}']);
    const request = last();
    assert.equal(request.method, 'PUT');
    assert.equal(request.url, '/rerun?dag=etl');
    assert.equal(request.headers.authorization, 'Bearer t0k3n-abc');
    assert.equal(request.headers['x-reason'], 'datamon');
    assert.match(String(request.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(request.body), { dag: 'etl_calls', force: true });
  });

  it('sends a string body as it is', async () => {
    await runRecoveryAction({ http: { url: `${base}/text`, headers: { 'content-type': 'text/plain' }, body: 'restart please' } }, opts);
    assert.equal(last().body, 'restart please');
    assert.equal(last().headers['content-type'], 'text/plain');
  });

  it('reports a connection refused without the URL\'s query', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await runRecoveryAction({ http: { url: `http://127.0.0.1:${port}/hook?token=QUERY-SECRET` } }, opts);
    assert.deepEqual([outcome.ok, outcome.httpStatus], [false, null]);
    assert.match(outcome.error ?? '', /ECONNREFUSED/);
    assert.ok(!(outcome.error ?? '').includes('QUERY-SECRET'));
  });

  it('times out', async () => {
    const outcome = await runRecoveryAction({ http: { url: `${base}/hang` } }, { ...opts, timeoutMs: 300 });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /^timed out after 0\.3 s/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const running = runRecoveryAction({ http: { url: `${base}/hang` } }, { ...opts, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const outcome = await running;
    assert.deepEqual([outcome.ok, outcome.httpStatus, outcome.error], [false, null, 'aborted']);
  });

  it('refuses a URL that is not http(s)', async () => {
    const outcome = await runRecoveryAction({ http: { url: 'file:///etc/passwd' } }, opts);
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /not an http\(s\) URL/);
  });
});
