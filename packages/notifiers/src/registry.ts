import { type DatamonConfig, NOTIFICATION_CHANNELS, type NotificationChannel } from '@datamon/core';
import { createEmailNotifier } from './channels/email.ts';
import { createGoogleChatNotifier } from './channels/google-chat.ts';
import type { Notifier, NotifierDeps, NotifierFactory } from './notifier.ts';

/**
 * The explicit list of delivery channels (STYLE 3): adding one is a file in `channels/` and one
 * `register` line below. A duplicate or an unknown channel is a programming error and throws.
 */
export class NotifierRegistry {
  private readonly factories = new Map<NotificationChannel, NotifierFactory>();

  register(channel: NotificationChannel, factory: NotifierFactory): this {
    if (this.factories.has(channel)) throw new Error(`notifier "${channel}" is registered twice`);
    this.factories.set(channel, factory);
    return this;
  }

  get(channel: string): NotifierFactory {
    const factory = this.factories.get(channel as NotificationChannel);
    if (!factory) throw new Error(`unknown notifier "${channel}" (known: ${this.channels().join(', ')})`);
    return factory;
  }

  channels(): NotificationChannel[] {
    return [...this.factories.keys()];
  }
}

export const notifierRegistry = new NotifierRegistry()
  .register('chat', createGoogleChatNotifier)
  .register('email', createEmailNotifier);

const unregistered = NOTIFICATION_CHANNELS.filter((channel) => !notifierRegistry.channels().includes(channel));
if (unregistered.length > 0) throw new Error(`notification channels without a notifier: ${unregistered.join(', ')}`);

/**
 * One notifier per channel, from the config. Disabled or unconfigured channels are still there:
 * their `send` resolves `skipped` (see `disabledReason`). Close them all on shutdown.
 *
 * @param config - the effective config
 * @param deps - logger, the one HTTP client, SMTP time limits (tests shorten them)
 * @param registry - the registry to build from; the built-in one by default
 */
export function createNotifiers(
  config: DatamonConfig,
  deps: NotifierDeps = {},
  registry: NotifierRegistry = notifierRegistry,
): Record<NotificationChannel, Notifier> {
  const built = {} as Record<NotificationChannel, Notifier>;
  for (const channel of NOTIFICATION_CHANNELS) built[channel] = registry.get(channel)(config, deps);
  return built;
}

/** Closes every notifier (SMTP connections), whatever each one does. */
export async function closeNotifiers(notifiers: Record<NotificationChannel, Notifier>): Promise<void> {
  await Promise.allSettled(Object.values(notifiers).map((notifier) => notifier.close()));
}
