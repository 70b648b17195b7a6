import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PipelineDefinition } from '@datamon/core';
import Type from 'typebox';
import { type AnyCheckKind, createCheckRunner, createRegistry } from '../src/index.ts';
import { countPipeline, filePipeline, freshnessPipeline, sheetPipeline } from './helpers/pipelines.ts';
import { testConfig } from './helpers/test-config.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kinds that answer from a script, so the runner can be tested without any source. */
function scriptedKinds(behave: (pipeline: PipelineDefinition) => Promise<void>): AnyCheckKind[] {
  return (['mysql_freshness', 'mysql_count', 'file_arrival', 'sheet_updated'] as const).map(
    (kind) =>
      ({
        kind,
        group: 'Scripted',
        fields: Type.Object({}),
        async run(pipeline: PipelineDefinition) {
          await behave(pipeline);
          return { status: 'OK', message: `${pipeline.id} fine`, value: 1, details: {} };
        },
      }) satisfies AnyCheckKind,
  );
}

describe('the check runner', () => {
  it('runs many concurrently, at most four at once, and answers in the given order', async () => {
    let inFlight = 0;
    let most = 0;
    const registry = createRegistry(
      scriptedKinds(async (pipeline) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await sleep(pipeline.id === 'p0' ? 80 : 10);
        inFlight -= 1;
      }),
    );
    const runner = createCheckRunner(testConfig(), { registry });
    const pipelines = Array.from({ length: 9 }, (_, i) => countPipeline({ id: `p${i}` }));
    const results = await runner.runMany(pipelines, new Date('2026-11-27T12:00:00Z'));
    await runner.close();
    assert.deepEqual(results.map((result) => result.pipelineId), pipelines.map((pipeline) => pipeline.id));
    assert.ok(most <= 4 && most > 1, `at most ${most} at once`);
    assert.ok(results.every((result) => result.checkedAt === '2026-11-27T12:00:00.000Z'));
  });

  it('turns an unexpected error into CRITICAL without a URL\'s secret query', async () => {
    const registry = createRegistry(
      scriptedKinds(async () => {
        throw new Error('boom calling https://example.test/hook?key=SECRET&token=SECRET');
      }),
    );
    const runner = createCheckRunner(testConfig(), { registry });
    const result = await runner.run(freshnessPipeline());
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.message, 'the check failed: boom calling https://example.test/hook?[redacted]');
    assert.equal(result.value, null);
  });

  it('answers CRITICAL when a check hangs past its net timeout', async () => {
    const registry = createRegistry(scriptedKinds(() => new Promise(() => undefined)));
    // query_timeout_ms 100: the net is 2 x 100 ms + 2 s.
    const runner = createCheckRunner(testConfig({ database: { query_timeout_ms: 100 } }), { registry });
    const started = Date.now();
    const result = await runner.run(sheetPipeline());
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.message, 'the check did not finish within 2200 ms');
    assert.ok(Date.now() - started < 3000);
  });

  it('answers CRITICAL for a pipeline of a kind nobody implements', async () => {
    const runner = createCheckRunner(testConfig());
    const result = await runner.run({ ...filePipeline('/tmp'), kind: 'ftp_poll' } as unknown as PipelineDefinition);
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /unknown check kind "ftp_poll"/);
  });

  it('applies not_before to every kind before running it', async () => {
    let ran = 0;
    const registry = createRegistry(
      scriptedKinds(async () => {
        ran += 1;
      }),
    );
    const runner = createCheckRunner(testConfig(), { registry });
    const early = new Date('2026-11-27T06:00:00Z');
    const results = await runner.runMany(
      [freshnessPipeline({ not_before: '07:00' }), countPipeline({ not_before: '07:00' }), filePipeline('/x', { not_before: '07:00' }), sheetPipeline({ not_before: '07:00' })],
      early,
    );
    assert.deepEqual(results.map((result) => result.status), ['PENDING', 'PENDING', 'PENDING', 'PENDING']);
    assert.equal(ran, 0);
  });

  it('does not connect anywhere for file checks and closes cleanly twice', async () => {
    // The warehouse points at a port where a server counts every connection attempt.
    const attempts: number[] = [];
    const server = createServer((socket) => {
      attempts.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const folder = await mkdtemp(join(tmpdir(), 'datamon-runner-'));
    try {
      const runner = createCheckRunner(testConfig({ database: { host: '127.0.0.1', port } }));
      const result = await runner.run(filePipeline(folder), new Date('2026-03-30T08:00:00Z'));
      await runner.close();
      await runner.close();
      assert.equal(result.status, 'PENDING', result.message);
      assert.deepEqual(attempts, [], 'a file check opens no warehouse connection');
    } finally {
      server.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
