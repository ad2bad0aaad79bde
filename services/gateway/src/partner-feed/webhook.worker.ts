import { setTimeout as sleep } from 'node:timers/promises';
import { type EventStore, type RecordedEvent } from '@aid/event-store';
import { type Logger } from '@aid/messaging';
import { type FeedScope } from './feed-scope';
import { type PartnerFeedSettings } from './partner-feed.settings';
import { signWebhook, WEBHOOK_HEADERS } from './webhook-signature';
import { type PendingDelivery, type WebhookStore, type WebhookTarget } from './webhook.store';

export interface WebhookWorkerDeps {
  store: EventStore;
  webhooks: WebhookStore;
  scope: FeedScope;
  settings: PartnerFeedSettings;
  /** Carries the webhook id on every line. */
  logger: Logger;
}

type AttemptResult =
  { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

/**
 * Delivers one webhook's events, strictly in order: the queued delivery first (until it succeeds
 * or is parked), then the next event after the webhook's cursor. Only one worker runs per webhook
 * (the dispatcher holds its advisory lock), and it follows the live store only: an audit replay
 * or a read-model rebuild never passes through here, so it never calls a partner.
 */
export class WebhookWorker {
  constructor(
    private readonly webhookId: string,
    private readonly deps: WebhookWorkerDeps,
  ) {}

  /** Runs until `signal` aborts (shutdown, lost lock) or the webhook is deleted. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const target = await this.deps.webhooks.target(this.webhookId);
      if (target === null || !target.active) return;
      const pending = await this.deps.webhooks.nextPending(target.id);
      if (pending) await this.deliverUntilSettled(target, pending, signal);
      else await this.queueNextEvent(target, signal);
    }
  }

  /**
   * Reads the events after the cursor (at most one batch, or nothing within a poll interval, so
   * replays and deletions are noticed), queues the first in scope, and moves the cursor past the
   * events before it that are not.
   */
  private async queueNextEvent(target: WebhookTarget, signal: AbortSignal): Promise<void> {
    const round = new AbortController();
    const stopRound = () => round.abort();
    signal.addEventListener('abort', stopRound, { once: true });
    const idle = setTimeout(stopRound, this.deps.settings.webhookPollMs);
    try {
      const batches = this.deps.store.subscribe({
        from: target.cursor,
        ...this.deps.scope.storeFilter(target.types),
        signal: round.signal,
      });
      for await (const batch of batches) {
        clearTimeout(idle);
        let skippedTo: RecordedEvent | null = null;
        for (const event of batch.events) {
          if (await this.deps.scope.includes(event, target.communityIds)) {
            const body = JSON.stringify(this.deps.scope.cloudEvent(event));
            await this.deps.webhooks.queue(target.id, { ...event, body }, event.checkpoint);
            return;
          }
          skippedTo = event;
        }
        await this.deps.webhooks.advance(target.id, batch.checkpoint, skippedTo?.position ?? null);
        return;
      }
    } finally {
      clearTimeout(idle);
      signal.removeEventListener('abort', stopRound);
    }
  }

  private async deliverUntilSettled(
    target: WebhookTarget,
    delivery: PendingDelivery,
    signal: AbortSignal,
  ): Promise<void> {
    const wait = delivery.nextAttemptAt.getTime() - Date.now();
    if (wait > 0) {
      // Re-checked after the wait: a replay or deletion may have come meanwhile.
      await sleep(Math.min(wait, this.deps.settings.webhookPollMs), undefined, { signal }).catch(
        () => undefined,
      );
      return;
    }
    const attempt = delivery.attempts + 1;
    const result = await this.attempt(target, delivery, attempt, signal);
    if (signal.aborted && !result.ok) return; // shutting down: the attempt did not count
    const log = this.deps.logger.child({ eventId: delivery.eventId, attempt });
    if (result.ok) {
      await this.deps.webhooks.markDelivered(target.id, delivery.eventId, result.statusCode);
      log.info({ statusCode: result.statusCode, position: delivery.position }, 'webhook delivered');
      return;
    }
    const parked = attempt >= this.deps.settings.webhookMaxAttempts;
    const retryAt = parked ? null : new Date(Date.now() + this.backoffMs(attempt));
    await this.deps.webhooks.markFailed(target.id, delivery.eventId, { ...result, retryAt });
    log.warn(
      { statusCode: result.statusCode, error: result.error, retryAt: retryAt?.toISOString() ?? null },
      parked ? 'webhook delivery parked' : 'webhook delivery failed; will retry',
    );
  }

  /** base, 2 base, 4 base, ... up to the maximum. */
  private backoffMs(attempt: number): number {
    const { webhookRetryBaseMs, webhookRetryMaxMs } = this.deps.settings;
    return Math.min(webhookRetryBaseMs * 2 ** (attempt - 1), webhookRetryMaxMs);
  }

  private async attempt(
    target: WebhookTarget,
    delivery: PendingDelivery,
    attempt: number,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        body: delivery.body,
        // A redirect could lead anywhere, e.g. to an address the URL check refused: not followed.
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.deps.settings.webhookTimeoutMs)]),
        headers: {
          'content-type': 'application/cloudevents+json; charset=utf-8',
          'user-agent': 'aid-ledger-webhooks/1',
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(target.secret, timestamp, delivery.body),
          [WEBHOOK_HEADERS.eventId]: delivery.eventId,
          [WEBHOOK_HEADERS.webhookId]: target.id,
          [WEBHOOK_HEADERS.attempt]: String(attempt),
        },
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status };
      return { ok: false, statusCode: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return {
        ok: false,
        statusCode: null,
        error: `${error instanceof Error ? error.message : String(error)}${cause}`,
      };
    }
  }
}
