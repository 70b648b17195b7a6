import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, MASK, maskConfig, resolveConfig, secretValues } from '@datamon/config';
import type { DatamonConfig } from '@datamon/core';

const dir = mkdtempSync(join(tmpdir(), 'datamon-redis-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const CLI = join(import.meta.dirname, '../../cli/bin/datamon.js');

function load(redis: unknown): DatamonConfig {
  return resolveConfig({ redis }, { source: 'monitoring_config.yaml', env: {} });
}

function problemsOf(redis: unknown): string[] {
  try {
    load(redis);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('the config loaded but should not have');
}

const SENTINEL = { name: 'mymaster', nodes: ['10.0.0.5:26379', 'sentinel-2.internal:26379'], password: 'master-pass-4711', sentinel_password: 'sentinel-pass-0815' };
const CLUSTER = { nodes: ['10.0.0.11:7000', '[fd00::12]:7000'], password: 'cluster-pass-1234' };

describe('where Redis is (redis.url, redis.sentinel, redis.cluster)', () => {
  it('keeps redis://127.0.0.1:6379 when none is given', () => {
    const config = resolveConfig({}, { source: 'x.yaml', env: {} });
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.deepEqual([config.redis.sentinel.nodes, config.redis.cluster.nodes, config.redis.tls.reject_unauthorized], [[], [], true]);
  });

  it('reads a sentinel setup, and has no URL then', () => {
    const config = load({ sentinel: SENTINEL });
    assert.deepEqual(config.redis.sentinel, { ...SENTINEL, username: '' });
    assert.equal(config.redis.url, '', 'no default URL beside the sentinels');
  });

  it('reads a cluster setup (IPv6 in brackets too), and has no URL then', () => {
    const config = load({ cluster: CLUSTER, prefix: 'dm' });
    assert.deepEqual(config.redis.cluster.nodes, CLUSTER.nodes);
    assert.equal(config.redis.url, '');
  });

  it('takes a rediss:// URL with TLS files', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'not checked here');
    const config = load({ url: 'rediss://:secret@redis.internal:6380/2', tls: { ca_file: ca } });
    assert.equal(config.redis.tls.ca_file, ca);
  });

  it('refuses redis.sentinel or redis.cluster together with an explicit redis.url, naming the keys', () => {
    assert.deepEqual(problemsOf({ url: 'redis://10.0.0.1:6379', sentinel: SENTINEL }), ['redis.url and redis.sentinel: give only one of redis.url, redis.sentinel and redis.cluster']);
    assert.deepEqual(problemsOf({ url: 'redis://10.0.0.1:6379', cluster: CLUSTER }), ['redis.url and redis.cluster: give only one of redis.url, redis.sentinel and redis.cluster']);
    assert.deepEqual(problemsOf({ sentinel: SENTINEL, cluster: CLUSTER }), ['redis.sentinel and redis.cluster: give only one of redis.url, redis.sentinel and redis.cluster']);
  });

  it('takes a section with nothing under it (its keys commented out) as not given', () => {
    assert.equal(load({ sentinel: null, cluster: null, tls: null }).redis.url, 'redis://127.0.0.1:6379');
    assert.equal(resolveConfig({ redis: null }, { source: 'x.yaml', env: {} }).redis.prefix, 'datamon');
  });

  it('reports a wrong type once, from the schema', () => {
    assert.deepEqual(problemsOf({ cluster: { nodes: '10.0.0.11:7000' } }), ['redis.cluster.nodes: must be a list of strings, got "10.0.0.11:7000"']);
  });

  it('takes an empty redis.url (an unset ${VAR:-}) as not given', () => {
    assert.equal(load({ url: '', cluster: CLUSTER }).redis.url, '');
  });

  it('names each bad "host:port" with its key path and index', () => {
    assert.deepEqual(problemsOf({ cluster: { nodes: ['10.0.0.11:7000', '10.0.0.12', 'redis://10.0.0.13:7000', '10.0.0.14:70000'] } }), [
      'redis.cluster.nodes[1]: "10.0.0.12" is not "host:port" (e.g. 10.0.0.5:26379)',
      'redis.cluster.nodes[2]: "redis://10.0.0.13:7000" is not "host:port" (e.g. 10.0.0.5:26379)',
      'redis.cluster.nodes[3]: "10.0.0.14:70000" is not "host:port" (e.g. 10.0.0.5:26379)',
    ]);
    assert.deepEqual(problemsOf({ sentinel: { ...SENTINEL, nodes: ['sentinel:x'] } }), ['redis.sentinel.nodes[0]: "sentinel:x" is not "host:port" (e.g. 10.0.0.5:26379)']);
  });

  it('wants a master name and at least one sentinel', () => {
    assert.deepEqual(problemsOf({ sentinel: { nodes: [] } }), [
      'redis.sentinel.name: is required with redis.sentinel (the master name the sentinels watch)',
      'redis.sentinel.nodes: at least one "host:port" is needed',
    ]);
  });

  it('wants nodes, and a prefix to use as the hash tag, on a cluster', () => {
    assert.deepEqual(problemsOf({ cluster: { nodes: [] }, prefix: '' }), [
      'redis.cluster.nodes: at least one "host:port" is needed',
      'redis.prefix: must not be empty with redis.cluster (it is the hash tag that keeps every key on one slot)',
    ]);
  });

  it('wants a redis:// or rediss:// URL, without quoting its password', () => {
    assert.deepEqual(problemsOf({ url: 'http://:hunter2@redis:6379' }), ['redis.url: must start with redis:// or rediss:// and name a host, got "http://:********@redis:6379/"']);
  });

  it('refuses TLS settings where TLS is not in use, and a TLS file it cannot read', () => {
    assert.deepEqual(problemsOf({ url: 'redis://10.0.0.1:6379', tls: { ca_file: join(dir, 'ca.pem') } }), [
      'redis.tls.ca_file: TLS is not in use (use a rediss:// URL, or redis.tls.enabled with redis.sentinel or redis.cluster)',
    ]);
    assert.deepEqual(problemsOf({ url: 'redis://10.0.0.1:6379', tls: { enabled: true } }), [
      'redis.tls.enabled: with redis.url, write rediss:// to use TLS (redis.tls.enabled is for redis.sentinel and redis.cluster)',
    ]);
    const missing = join(dir, 'missing.pem');
    assert.deepEqual(problemsOf({ cluster: CLUSTER, tls: { enabled: true, cert_file: missing } }), [
      `redis.tls.cert_file: ${missing} cannot be read (ENOENT)`,
      'redis.tls.cert_file and redis.tls.key_file: give both or neither',
    ]);
  });

  it('suggests the key meant for a misspelt one', () => {
    assert.deepEqual(problemsOf({ sentinal: SENTINEL }), ['redis.sentinal: unknown key (did you mean "redis.sentinel"?)']);
  });
});

describe('the Redis passwords', () => {
  const config = load({ sentinel: SENTINEL });
  const cluster = load({ cluster: CLUSTER });

  it('are masked in the effective config', () => {
    const masked = maskConfig(config);
    assert.deepEqual([masked.redis.sentinel.password, masked.redis.sentinel.sentinel_password], [MASK, MASK]);
    assert.equal(maskConfig(cluster).redis.cluster.password, MASK);
    assert.deepEqual(masked.redis.sentinel.nodes, SENTINEL.nodes, 'where the sentinels are is no secret');
  });

  it('are known secrets (never in output)', () => {
    const secrets = [...secretValues(config), ...secretValues(cluster)];
    for (const secret of [SENTINEL.password, SENTINEL.sentinel_password, CLUSTER.password]) assert.ok(secrets.includes(secret), secret);
  });

  it('never show in `datamon config check`', () => {
    const path = join(dir, 'sentinel.yaml');
    writeFileSync(path, `redis:\n  sentinel:\n    name: mymaster\n    nodes: ["10.0.0.5:26379"]\n    password: \${REDIS_PASSWORD}\n    sentinel_password: ${SENTINEL.sentinel_password}\n`);
    const run = spawnSync(process.execPath, [CLI, 'config', 'check', '--config', path], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_PASSWORD: SENTINEL.password },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /10\.0\.0\.5:26379/);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(`${SENTINEL.password}|${SENTINEL.sentinel_password}`));
  });
});
