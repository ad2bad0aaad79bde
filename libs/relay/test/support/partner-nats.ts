import { startNatsServer, type TestNatsServer } from '@aid/testing';
import { jetstream } from '@nats-io/jetstream';
import {
  connect,
  nkeyAuthenticator,
  PermissionViolationError,
  type NatsConnection,
} from '@nats-io/transport-node';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_EVENTS_STREAM,
  PARTNER_JETSTREAM_DOMAIN,
  partnerInboxPrefix,
  renderPartnerUser,
  withPartnerUser,
  type PartnerAccess,
} from '../../src';

export const INFRA_NATS = path.resolve(__dirname, '../../../../infra/nats');

export interface SecuredNatsServer extends TestNatsServer {
  /** The directory holding the server's nats-server.conf and partners.conf. */
  configDir: string;
  servicesPassword: string;
  connectAsServices(): Promise<NatsConnection>;
}

/**
 * A nats-server of the test's own, run with infra/nats/nats-server.conf as committed and a
 * partners.conf made from the committed one plus the given partners: the permissions under
 * test are the ones that ship.
 */
export async function startSecuredNatsServer(partnerUsers: PartnerAccess[] = []): Promise<SecuredNatsServer> {
  const configDir = mkdtempSync(path.join(tmpdir(), 'aid-nats-conf-'));
  copyFileSync(path.join(INFRA_NATS, 'nats-server.conf'), path.join(configDir, 'nats-server.conf'));
  let partners = readFileSync(path.join(INFRA_NATS, 'partners.conf'), 'utf8');
  for (const partner of partnerUsers)
    partners = withPartnerUser(partners, partner, renderPartnerUser(partner));
  writeFileSync(path.join(configDir, 'partners.conf'), partners);

  const servicesPassword = randomBytes(12).toString('hex');
  const credentials = { user: 'services', pass: servicesPassword };
  const server = await startNatsServer([], {
    configFile: path.join(configDir, 'nats-server.conf'),
    env: { NATS_SERVICES_PASSWORD: servicesPassword },
    connectOptions: credentials,
  });
  return {
    ...server,
    configDir,
    servicesPassword,
    connectAsServices: () => connect({ servers: server.url, ...credentials }),
    async stop() {
      await server.stop();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/** A partner's connection, with every permission violation the server reports kept. */
export interface PartnerConnection {
  nc: NatsConnection;
  violations: PermissionViolationError[];
  close(): Promise<void>;
}

/** Connects as the partner does: its NKey, and the inbox prefix it is allowed to subscribe to. */
export async function connectAsPartner(url: string, seed: string, name: string): Promise<PartnerConnection> {
  const nc = await connect({
    servers: url,
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    inboxPrefix: partnerInboxPrefix(name),
  });
  const violations: PermissionViolationError[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error' && status.error instanceof PermissionViolationError) {
        violations.push(status.error);
      }
    }
  })();
  return { nc, violations, close: () => nc.close() };
}

export interface PulledEvent {
  subject: string;
  streamSequence: number;
  cloudEvent: { id: string; type: string; position: number; data: Record<string, unknown> };
}

/**
 * Everything the partner's durable consumer holds for it now, acknowledged as it goes, pulled the
 * way a partner does: through the `aid` JetStream domain its account imports.
 */
export async function pullAll(nc: NatsConnection, durable: string): Promise<PulledEvent[]> {
  const js = jetstream(nc, { domain: PARTNER_JETSTREAM_DOMAIN });
  const consumer = await js.consumers.get(DEFAULT_EVENTS_STREAM, durable);
  const pulled: PulledEvent[] = [];
  for (;;) {
    // Ask for exactly what is pending, so the fetch ends when it arrives instead of at expiry.
    const pending = (await consumer.info()).num_pending;
    if (pending === 0) return pulled;
    const batch = await consumer.fetch({ max_messages: pending, expires: 5000 });
    for await (const message of batch) {
      pulled.push({
        subject: message.subject,
        streamSequence: message.seq,
        cloudEvent: message.json(),
      });
      await message.ackAck();
    }
  }
}
