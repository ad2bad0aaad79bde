import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_EVENTS_STREAM, ensureEventsStream } from './relay';

/**
 * A partner organisation's access to AID_EVENTS over NATS (see docs/partner-feed.md).
 *
 * The server does the refusing. Partners are users of the PARTNERS account
 * (infra/nats/nats-server.conf), which imports from the AID account only the JetStream API of
 * AID_EVENTS's consumers (info, next messages, acks) under the `aid` domain prefix. Each partner
 * user (partners.conf) may publish only those subjects of its own durable consumers, and subscribe
 * only to its own inbox prefix, so partners sharing the account can neither read nor pull each
 * other's messages. There is one durable per community (nats-server 2.9 takes one filter subject
 * per consumer), created here by the services user, so a partner never creates a consumer, and so
 * never chooses what it reads.
 *
 * One shared account rather than one per partner: nats-server 2.9 does not wire the imports of an
 * account added by a configuration reload, while users added to an existing account work at once.
 */

/** The JetStream domain a partner names (`jetstream(nc, { domain })`, `nats --js-domain`). */
export const PARTNER_JETSTREAM_DOMAIN = 'aid';

/** The NATS account of every partner user. */
export const PARTNER_ACCOUNT = 'PARTNERS';

/** Letters, digits, `-` and `_`, starting with a letter: it becomes part of subjects and consumer names. */
export const PARTNER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

export interface PartnerAccess {
  /** As given to partner:add, e.g. `IRC`. */
  name: string;
  /** The public NKey of the partner's NATS user (starts with U); the seed stays with the partner. */
  nkey: string;
  communityIds: string[];
}

export interface PartnerConsumer {
  communityId: string;
  durableName: string;
  filterSubject: string;
}

/** What makes two partner names the same partner: `U-LEAD`, `u_lead` and `U_LEAD` are one. */
export function partnerKey(partnerName: string): string {
  return partnerName.toUpperCase().replace(/-/g, '_');
}

/**
 * The inbox prefix the partner's client must use (`connect({ inboxPrefix })`, `nats --inbox-prefix`):
 * the only subjects it may subscribe to, so no partner sees another's deliveries.
 */
export function partnerInboxPrefix(partnerName: string): string {
  return `_INBOX_${partnerKey(partnerName)}`;
}

/** The partner's durable consumer on one community's subjects, e.g. `partner-irc-<communityId>`. */
export function partnerDurableName(partnerName: string, communityId: string): string {
  return `partner-${partnerKey(partnerName).toLowerCase().replace(/_/g, '-')}-${communityId}`;
}

/** Every event concerning the community: `aid.<context>.<EventType>.<communityId>`. */
export function communityFilterSubject(communityId: string, subjectPrefix = 'aid'): string {
  return `${subjectPrefix}.*.*.${communityId}`;
}

export function partnerConsumers(partner: Pick<PartnerAccess, 'name' | 'communityIds'>): PartnerConsumer[] {
  return partner.communityIds.map((communityId) => ({
    communityId,
    durableName: partnerDurableName(partner.name, communityId),
    filterSubject: communityFilterSubject(communityId),
  }));
}

/** A fresh NKey pair for a partner's NATS user: the seed is its secret, the public key goes in the config. */
export function newPartnerUserKey(): { publicKey: string; seed: string } {
  const pair = nkeys.createUser();
  return { publicKey: pair.getPublicKey(), seed: new TextDecoder().decode(pair.getSeed()) };
}

/** The subjects a partner user may publish: the imported API of its own durables, nothing else. */
export function partnerPublishSubjects(
  partner: Pick<PartnerAccess, 'name' | 'communityIds'>,
  streamName = DEFAULT_EVENTS_STREAM,
): string[] {
  const api = `$JS.${PARTNER_JETSTREAM_DOMAIN}.API`;
  return partnerConsumers(partner).flatMap(({ durableName }) => [
    `${api}.CONSUMER.INFO.${streamName}.${durableName}`,
    `${api}.CONSUMER.MSG.NEXT.${streamName}.${durableName}`,
    `$JS.ACK.${streamName}.${durableName}.>`,
  ]);
}

/** The partner's entry for the `users` list of partners.conf, between BEGIN and END lines that name it. */
export function renderPartnerUser(
  partner: PartnerAccess,
  options: { streamName?: string; comment?: string } = {},
): string {
  const lines = [
    `  # BEGIN partner ${partner.name}`,
    ...(options.comment ? [`  # ${options.comment}`] : []),
    `  # communities: ${partner.communityIds.join(', ')}`,
    '  {',
    `    nkey: ${quote(partner.nkey)}`,
    '    permissions: {',
    '      publish: {',
    '        allow: [',
    ...partnerPublishSubjects(partner, options.streamName).map((subject) => `          ${quote(subject)}`),
    '        ]',
    '      }',
    `      subscribe: { allow: [${quote(`${partnerInboxPrefix(partner.name)}.>`)}] }`,
    '    }',
    '  }',
    `  # END partner ${partner.name}`,
  ];
  return `${lines.join('\n')}\n`;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** The partner names in a partners.conf text (by their BEGIN lines). */
export function partnersIn(conf: string): string[] {
  return [...conf.matchAll(/^\s*# BEGIN partner (\S+)$/gm)].map((match) => match[1]);
}

/**
 * partners.conf with the partner's entry added at the end of its `users` list; refuses a partner
 * it holds already (by partnerKey) and a text whose list it cannot find.
 */
export function withPartnerUser(conf: string, partner: PartnerAccess, entry: string): string {
  const clash = partnersIn(conf).find((existing) => partnerKey(existing) === partnerKey(partner.name));
  if (clash !== undefined) throw new Error(`partner ${clash} is already in the NATS configuration`);
  const end = conf.lastIndexOf(']');
  if (!/^\s*users\s*[=:]?\s*\[/m.test(conf) || end < 0) {
    throw new Error('the NATS partners file has no `users = [ ... ]` list to add the partner to');
  }
  return `${conf.slice(0, end)}${entry}${conf.slice(end)}`;
}

/**
 * Creates the partner's durable pull consumers on AID_EVENTS (one per community, from the first
 * event, explicit acks), with a connection that may (the services user). Idempotent: an existing
 * durable with the same filter is kept; one with another filter is an error, never replaced.
 */
export async function ensurePartnerConsumers(
  nats: NatsConnection,
  partner: Pick<PartnerAccess, 'name' | 'communityIds'>,
  options: { streamName?: string; ackWaitMs?: number } = {},
): Promise<PartnerConsumer[]> {
  const stream = options.streamName ?? DEFAULT_EVENTS_STREAM;
  await ensureEventsStream(nats, { streamName: stream });
  const jsm = await jetstreamManager(nats);
  const consumers = partnerConsumers(partner);
  for (const consumer of consumers) {
    const existing = await jsm.consumers.info(stream, consumer.durableName).catch(() => null);
    if (existing) {
      if (existing.config.filter_subject !== consumer.filterSubject) {
        throw new Error(
          `consumer ${consumer.durableName} exists with filter ${existing.config.filter_subject ?? '(none)'}, ` +
            `not ${consumer.filterSubject}`,
        );
      }
      continue;
    }
    await jsm.consumers.add(stream, {
      durable_name: consumer.durableName,
      description: `partner ${partner.name}: events of community ${consumer.communityId}`,
      filter_subject: consumer.filterSubject,
      deliver_policy: DeliverPolicy.All,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
    });
  }
  return consumers;
}
