import type { Command } from 'commander';
import type { DatamonConfig, NotificationChannel } from '@datamon/core';
import {
  closeNotifiers,
  createNotifiers,
  DeliveryError,
  notifierRegistry,
  renderTestCard,
  renderTestEmail,
  type Notifier,
  type SendResult,
} from '@datamon/notifiers';
import { type CliContext, CommandError, CONFIG_OPTION, configPathOf, EXIT } from '../context.ts';

/** What happened on one channel, as `datamon notify test` reports it. */
export interface NotifyTestOutcome {
  channel: NotificationChannel;
  outcome: 'sent' | 'skipped' | 'failed';
  /** Where it went, why it was skipped, or why it failed: never a secret. */
  detail: string;
  /** For a failure: whether retrying could help. */
  permanent: boolean | null;
}

/** How the commands name a channel to people. */
export const CHANNEL_LABEL: Readonly<Record<NotificationChannel, string>> = { chat: 'Google Chat', email: 'Email' };

/** What one send did: the notifier's own line, or the failure and whether retrying could help. */
export async function sendOutcome(channel: NotificationChannel, sending: () => Promise<SendResult>): Promise<NotifyTestOutcome> {
  try {
    const result = await sending();
    return { channel, outcome: result.outcome, detail: result.detail, permanent: null };
  } catch (err) {
    const permanent = err instanceof DeliveryError ? err.permanent : null;
    const detail = err instanceof Error ? err.message : String(err);
    return { channel, outcome: 'failed', detail, permanent };
  }
}

/**
 * Sends the test message on each channel, one after the other, and says what each did. A
 * failure on one channel does not stop the others.
 */
export async function runNotifyTest(
  config: DatamonConfig,
  channels: readonly NotificationChannel[],
  notifiers: Record<NotificationChannel, Notifier>,
  now: Date = new Date(),
): Promise<NotifyTestOutcome[]> {
  const outcomes: NotifyTestOutcome[] = [];
  for (const channel of channels) {
    const payload = channel === 'chat' ? renderTestCard(config, now) : renderTestEmail(config, now);
    outcomes.push(await sendOutcome(channel, () => notifiers[channel].send(payload)));
  }
  return outcomes;
}

/** The lines people read: one per channel, then a summary. */
export function describeNotifyTest(outcomes: readonly NotifyTestOutcome[]): string {
  const lines = outcomes.map((o) => {
    const label = CHANNEL_LABEL[o.channel];
    if (o.outcome === 'sent') return `${label}: sent: ${o.detail}`;
    if (o.outcome === 'skipped') return `${label}: skipped: ${o.detail}`;
    const kind = o.permanent === true ? 'permanent, retrying will not help' : o.permanent === false ? 'transient, worth retrying' : 'error';
    return `${label}: FAILED (${kind}): ${o.detail}`;
  });
  const count = (outcome: NotifyTestOutcome['outcome']) => outcomes.filter((o) => o.outcome === outcome).length;
  lines.push(`${count('sent')} sent, ${count('skipped')} skipped, ${count('failed')} failed.`);
  if (count('sent') === 0 && count('failed') === 0) lines.push('Nothing was sent: enable and configure a channel to receive alerts.');
  return `${lines.join('\n')}\n`;
}

/**
 * `datamon notify test [--chat] [--email]`: sends a test message and says what happened. Exit 3
 * when a channel failed, or when nothing was sent (every channel asked for is skipped).
 */
export function register(program: Command, ctx: CliContext): void {
  const notify = program.command('notify').description('work with the alert channels');
  notify
    .command('test')
    .description('send a test message to Google Chat and/or email (default: both) and say what was sent, skipped or failed; exit 3 when one failed or nothing was sent')
    .option('--chat', 'send to Google Chat')
    .option('--email', 'send by email')
    .option(...CONFIG_OPTION)
    .action(async (options: { chat?: boolean; email?: boolean; config?: string }, command: Command) => {
      const config = ctx.loadConfig(configPathOf(command));
      const chosen: NotificationChannel[] = [];
      if (options.chat) chosen.push('chat');
      if (options.email) chosen.push('email');
      const channels: NotificationChannel[] = chosen.length > 0 ? chosen : notifierRegistry.channels();

      const notifiers = createNotifiers(config, { logger: ctx.logger('cli', config) });
      let outcomes: NotifyTestOutcome[];
      try {
        outcomes = await runNotifyTest(config, channels, notifiers);
      } finally {
        await closeNotifiers(notifiers);
      }
      ctx.out.write(describeNotifyTest(outcomes));
      const failed = outcomes.filter((o) => o.outcome === 'failed').map((o) => CHANNEL_LABEL[o.channel]);
      if (failed.length > 0) {
        throw new CommandError(`the test message failed on ${failed.join(' and ')} (see above)`, EXIT.failed);
      }
      // A test that reached nobody did not show that alerts arrive: a script must not read it as a pass.
      if (!outcomes.some((o) => o.outcome === 'sent')) {
        throw new CommandError(`nothing was sent (${channels.map((channel) => CHANNEL_LABEL[channel]).join(' and ')} skipped, see above)`, EXIT.failed);
      }
    });
}
