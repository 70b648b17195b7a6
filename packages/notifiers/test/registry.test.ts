import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeNotifiers, createNotifiers, NotifierRegistry, notifierRegistry, renderTestCard, skipped } from '../src/index.ts';
import { testConfig } from './helpers/config.ts';

describe('the notifier registry', () => {
  it('lists Google Chat and email', () => {
    assert.deepEqual(notifierRegistry.channels(), ['chat', 'email']);
  });
  it('refuses a channel registered twice', () => {
    const registry = new NotifierRegistry().register('chat', () => assert.fail('not built'));
    assert.throws(() => registry.register('chat', () => assert.fail('not built')), /registered twice/);
  });
  it('refuses an unknown channel, naming the known ones', () => {
    assert.throws(() => notifierRegistry.get('sms'), /unknown notifier "sms" \(known: chat, email\)/);
  });
  it('createNotifiers refuses a registry that lacks a channel', () => {
    const partial = new NotifierRegistry().register('chat', notifierRegistry.get('chat'));
    assert.throws(() => createNotifiers(testConfig(), {}, partial), /unknown notifier "email"/);
  });
  it('createNotifiers builds one notifier per channel; a disabled one skips', async () => {
    const config = testConfig({ google_chat: { enabled: false }, email: { enabled: false } });
    const notifiers = createNotifiers(config);
    assert.equal(notifiers.chat.channel, 'chat');
    assert.equal(notifiers.email.channel, 'email');
    const result = await notifiers.chat.send(renderTestCard(config, new Date()));
    assert.deepEqual(result, skipped('chat', 'google_chat.enabled is false'));
    await closeNotifiers(notifiers);
  });
  it('describes each target without a secret', () => {
    const notifiers = createNotifiers(testConfig());
    assert.equal(notifiers.chat.target, 'Google Chat webhook https://chat.googleapis.com/v1/spaces/AAA/messages?[redacted]');
    assert.equal(notifiers.email.target, 'SMTP 127.0.0.1:2525 to ops@example.com');
  });
});
