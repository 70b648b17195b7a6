import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { FakeSmtp } from '../packages/notifiers/test/helpers/fake-smtp.ts';

/** `datamon notify test` as a user runs it, against a local Google Chat and a local SMTP server. */

const BIN = join(import.meta.dirname, '../packages/cli/bin/datamon.js');
const chat = new FakeGoogleChat();
const smtp = new FakeSmtp();
let dir: string;

before(async () => {
  await chat.start();
  await smtp.start();
  dir = await mkdtemp(join(tmpdir(), 'datamon-notify-'));
});
after(async () => {
  await chat.stop();
  await smtp.stop();
  await rm(dir, { recursive: true, force: true });
});

async function notify(args: string[], sections: { chat?: boolean; email?: boolean } = { chat: true, email: true }) {
  const file = join(dir, `config-${args.join('')}-${Date.now()}.json`);
  await writeFile(
    file,
    JSON.stringify({
      google_chat: { webhook_url: sections.chat ? chat.webhookUrl('KEY9', 'TOKEN9') : '', enabled: true },
      email: sections.email
        ? { smtp_server: '127.0.0.1', smtp_port: smtp.port, sender: 'monitor@example.com', recipients: ['ops@example.com'] }
        : { smtp_server: '' },
      monitoring: { csv_directory: dir, log_directory: '' },
    }),
  );
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, 'notify', 'test', ...args, '--config', file], { env: { ...process.env, NO_COLOR: '1', DATAMON_LOG_LEVEL: 'warn' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('datamon notify test', () => {
  it('sends a test card and a test email and says so', async () => {
    const run = await notify([]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(chat.requests.length, 1);
    assert.equal(smtp.mails.length, 1);
    assert.match(run.stdout, /2 sent, 0 skipped, 0 failed/);
  });

  it('sends only to Chat with --chat', async () => {
    const run = await notify(['--chat']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(chat.requests.length, 2);
    assert.equal(smtp.mails.length, 1);
  });

  it('says a channel is skipped when it is not configured, sends nothing, and exits 3 for it', async () => {
    const run = await notify([], {});
    assert.equal(run.code, 3, 'a test that reached nobody is not a pass');
    assert.match(run.stdout, /0 sent, 2 skipped, 0 failed/);
    assert.match(run.stdout, /Nothing was sent/);
    assert.match(run.stderr, /datamon: nothing was sent \(Google Chat and Email skipped, see above\)/);
    assert.equal(chat.requests.length, 2);
  });

  it('exits 0 when one channel sent and the other was skipped', async () => {
    const run = await notify([], { chat: true });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 sent, 1 skipped, 0 failed/);
    assert.equal(chat.requests.length, 3);
  });

  it('exits 3 and says why when Chat refuses the card, without the webhook token', async () => {
    chat.behaviour = { kind: 'echo-url', status: 400 };
    try {
      const run = await notify(['--chat']);
      assert.equal(run.code, 3);
      assert.match(run.stdout + run.stderr, /400/);
      assert.ok(!(run.stdout + run.stderr).includes('TOKEN9') && !(run.stdout + run.stderr).includes('KEY9'), 'the webhook key and token must not be printed');
    } finally {
      chat.behaviour = { kind: 'ok' };
    }
  });
});
