import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Headers of every webhook delivery (docs/partner-feed.md shows how to verify them). */
export const WEBHOOK_HEADERS = {
  /** Unix seconds when this attempt was signed. */
  timestamp: 'aid-webhook-timestamp',
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>" with the webhook's secret>`. */
  signature: 'aid-webhook-signature',
  /** The CloudEvent id = the event id: the same on every attempt, for the receiver to deduplicate. */
  eventId: 'aid-event-id',
  webhookId: 'aid-webhook-id',
  /** 1 for the first attempt. */
  attempt: 'aid-delivery-attempt',
} as const;

const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** The signature header's value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature over the raw body and compare in constant time,
 * refusing a timestamp older (or newer) than `toleranceSeconds`, so a captured delivery cannot be
 * replayed later.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isSafeInteger(timestamp) || headers.signature === undefined) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
