import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type EventStore } from '@aid/event-store';
import { EVENT_STORE, ServiceContext } from '@aid/messaging';
import { type HeldLock, tryAcquireSessionLock } from '@aid/projections';
import { FeedScope } from './feed-scope';
import { PARTNER_FEED_SETTINGS, type PartnerFeedSettings } from './partner-feed.settings';
import { WebhookStore } from './webhook.store';
import { WebhookWorker } from './webhook.worker';

interface RunningWorker {
  stop: AbortController;
  done: Promise<void>;
}

/**
 * Runs a delivery worker for every active webhook, at most one across all gateway replicas: a
 * worker runs only while its instance holds the webhook's session advisory lock, and stops the
 * moment that lock's connection is lost. Replicas look for webhooks without a worker every poll
 * interval, so a webhook whose gateway died is taken over.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly workers = new Map<string, RunningWorker>();
  private scanner: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;
  private bootstrapped = false;

  constructor(
    private readonly webhooks: WebhookStore,
    private readonly scope: FeedScope,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PARTNER_FEED_SETTINGS) private readonly settings: PartnerFeedSettings,
    private readonly service: ServiceContext,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The gateway's HTTP app and its NATS microservice share this module: both call this hook.
    if (this.bootstrapped) return;
    this.bootstrapped = true;
    await this.webhooks.migrate();
    if (this.stopped) return;
    this.scanner = setInterval(() => void this.scan(), this.settings.webhookPollMs);
    this.scanner.unref();
    void this.scan();
  }

  /** Looks for webhooks without a worker now (after a registration or a replay). */
  scan(): Promise<void> {
    this.scanning ??= this.startMissingWorkers().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  /** Before the event store closes (its subscriptions end with it). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.scanner);
    await this.scanning;
    const running = [...this.workers.values()];
    for (const worker of running) worker.stop.abort();
    await Promise.all(running.map((worker) => worker.done));
  }

  private async startMissingWorkers(): Promise<void> {
    try {
      for (const id of await this.webhooks.activeIds()) {
        if (this.stopped) return;
        if (this.workers.has(id)) continue;
        const lock = await tryAcquireSessionLock({
          connectionString: this.service.config.databaseUrl,
          name: `webhook_${id}`,
        });
        if (lock === null) continue; // another gateway delivers it
        this.start(id, lock);
      }
    } catch (error) {
      this.service.logger.warn({ err: error }, 'could not look for webhooks to deliver; will retry');
    }
  }

  private start(id: string, lock: HeldLock): void {
    const stop = new AbortController();
    const worker = new WebhookWorker(id, {
      store: this.store,
      webhooks: this.webhooks,
      scope: this.scope,
      settings: this.settings,
      logger: this.service.logger.child({ webhookId: id }),
    });
    const done = worker
      .run(AbortSignal.any([stop.signal, lock.lost]))
      .catch((error: unknown) => {
        // Retried on the next scan, from the stored queue and cursor.
        if (!stop.signal.aborted)
          this.service.logger.error({ err: error, webhookId: id }, 'webhook worker failed');
      })
      .finally(async () => {
        await lock.release();
        this.workers.delete(id);
      });
    this.workers.set(id, { stop, done });
  }
}
