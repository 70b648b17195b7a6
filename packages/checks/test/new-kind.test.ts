import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, resolveConfig } from '@datamon/config';
import { CHECK_KINDS, createCheckRunner, createRegistry } from '../src/index.ts';
import { fileSize } from './helpers/file-size.ts';

/** Adding a check kind is one file (helpers/file-size.ts) and one registry line (below). */
const kinds = createRegistry([...CHECK_KINDS, fileSize]);
/** Its pipelines are not the default ones: the default check-ins are off. */
const schedule = { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } };

const folder = mkdtempSync(join(tmpdir(), 'datamon-kind-'));
after(() => rmSync(folder, { recursive: true, force: true }));

describe('a check kind added as one file and one registry line', () => {
  it('is read from the config with its own fields and defaults, and checked', async () => {
    const path = join(folder, 'export.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    const config = resolveConfig({ pipelines: [{ id: 'export_size', name: 'Export size', kind: 'file_size', path, min_bytes: 100 }], schedule }, { source: 'test', kinds });
    const [pipeline] = config.pipelines;
    assert.deepEqual([pipeline?.kind, pipeline?.group, pipeline?.path, pipeline?.min_bytes], ['file_size', 'Files', path, 100]);

    const runner = createCheckRunner(config, { registry: kinds });
    const result = await runner.run(pipeline as NonNullable<typeof pipeline>);
    await runner.close();
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /is 8 bytes \(critical below 100\)/);
  });

  it('has its fields validated like any other kind, every problem named', () => {
    assert.throws(
      () => resolveConfig({ pipelines: [{ id: 'x', kind: 'file_size', min_bytes: 0, colour: 'red' }], schedule }, { source: 'test.yaml', kinds }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /test\.yaml: pipelines\[0\]\.path: is required/);
        assert.match(err.message, /pipelines\[0\]\.min_bytes: must be a whole number of bytes, 1 or more, got 0/);
        assert.match(err.message, /pipelines\[0\]\.colour: unknown key for this pipeline kind \(its fields: path, min_bytes\)/);
        return true;
      },
    );
  });

  it('is unknown to a config read with the built-in kinds only', () => {
    assert.throws(() => resolveConfig({ pipelines: [{ id: 'x', kind: 'file_size', path: '/tmp/x' }] }, { source: 'test' }), /unknown pipeline kind "file_size" \(known: mysql_freshness, mysql_count, file_arrival, sheet_updated, heartbeat\)/);
  });
});
