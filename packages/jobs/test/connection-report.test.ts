import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRedisUnavailable } from '@datamon/store';
import { ConnectionReport } from '../src/connection-report.ts';
import { captureLogger } from '../../workers/test/helpers.ts';

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
}

describe('the connection report', () => {
  it('logs an unreachable Redis once, however many clients fail however often', () => {
    const { logger, lines } = captureLogger();
    const report = new ConnectionReport(logger, 'redis://:secret@127.0.0.1:6390');
    for (let attempt = 0; attempt < 50; attempt += 1) {
      report.error('redis', refused());
      report.error('worker checks', new Error('Connection is closed.'));
    }
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.level, 40);
    assert.match(String(lines[0]?.msg), /Redis is unreachable/);
    assert.equal(lines[0]?.redis, 'redis://127.0.0.1:6390', 'no password in the log');
    assert.equal(report.unreachable, true);
  });

  it('logs one line when Redis answers again, and tells whoever asked', () => {
    const { logger, lines } = captureLogger();
    const report = new ConnectionReport(logger, 'redis://127.0.0.1:6390');
    let recovered = 0;
    report.onRecover(() => (recovered += 1));
    report.ready();
    assert.equal(lines.length, 0, 'a first connection is not a recovery');
    report.error('redis', refused());
    report.ready();
    report.ready();
    assert.deepEqual(lines.map((line) => line.msg), ['Redis is unreachable: retrying until it answers (jobs wait, nothing is lost)', 'Redis answers again: carrying on']);
    assert.equal(recovered, 1);
    assert.equal(report.unreachable, false);
  });

  it('logs other errors, the same one at most once a minute', () => {
    const { logger, lines } = captureLogger();
    const report = new ConnectionReport(logger, 'redis://127.0.0.1:6379');
    for (let repeat = 0; repeat < 5; repeat += 1) report.error('worker checks', new Error('Missing lock for job 7'));
    report.error('worker checks', new Error('something else'));
    assert.deepEqual(lines.map((line) => [line.level, line.source, (line.err as { message: string }).message]), [
      [50, 'worker checks', 'Missing lock for job 7'],
      [50, 'worker checks', 'something else'],
    ]);
  });

  it('tells connection failures from other errors', () => {
    assert.equal(isRedisUnavailable(refused()), true);
    assert.equal(isRedisUnavailable(new Error('Connection is closed.')), true);
    assert.equal(isRedisUnavailable(new Error('ERR unknown command')), false);
    assert.equal(isRedisUnavailable('ECONNREFUSED'), false);
  });
});
