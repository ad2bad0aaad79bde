/**
 * `npm run partner:add -- --name IRC --communities <id,...> [options]`: gives a partner
 * organisation its access to the events of its communities, over NATS and over HTTP.
 *
 * 1. its durable pull consumers on AID_EVENTS, one per community (made with the services user);
 * 2. its NATS account and user (an NKey: only the public key goes into the configuration) in
 *    infra/nats/partners.conf, which nats-server.conf includes;
 * 3. its API key (role partner, those communities) in the gateway's database;
 * 4. with --reload, a configuration reload of the running nats-server;
 * then prints how to connect. docs/partner-feed.md explains all of it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify, parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { isUUID } from 'class-validator';
import { Pool } from 'pg';
import { ensurePostgresDatabase, loadConfig, natsConnectionOptions, redactUrl } from '@aid/messaging';
import {
  DEFAULT_EVENTS_STREAM,
  ensurePartnerConsumers,
  newPartnerUserKey,
  PARTNER_JETSTREAM_DOMAIN,
  PARTNER_NAME_PATTERN,
  PARTNER_ACCOUNT,
  partnerKey,
  partnersIn,
  partnerInboxPrefix,
  type PartnerConsumer,
  renderPartnerUser,
  withPartnerUser,
} from '@aid/relay';
import { ApiKeyStore } from '../services/gateway/src/auth/api-key.store';

const USAGE = `usage: npm run partner:add -- --name <NAME> --communities <uuid,...> [options]

  --name <NAME>             the partner, e.g. IRC: letters, digits, - and _, starting with a letter
  --communities <ids>       comma-separated community ids (UUIDs) whose events it may read
  --organisation <uuid>     the partner's organisation in the registry, kept with its API key
  --nats-config <file>      the partners' NATS users file (default infra/nats/partners.conf)
  --reload                  make the running nats-server reload its configuration
  --pid <pid|pidfile>       which nats-server to reload (default: the only one running)
  --public-nats-url <url>   the NATS URL to tell the partner (default NATS_URL)
  --public-url <url>        the gateway URL to tell the partner (default http://localhost:PORT)
  --json                    print what was made as JSON instead of instructions
  --consumers-only          only (re)create the durable consumers of a partner already in the
                            NATS configuration, e.g. after AID_EVENTS was replaced (NATS lost its
                            data); its NATS user and API key stay as they are

environment: DATABASE_URL, NATS_URL (see README; with the services user's credentials when the
NATS server requires them, nats://services:<password>@host:4222, or NATS_SERVICES_PASSWORD with a
plain NATS_URL); NATS_SERVER_BINARY (default nats-server).`;

export class UsageError extends Error {}

export interface PartnerAddRequest {
  name: string;
  communityIds: string[];
  organisationId: string | null;
  natsConfig: string;
  reload: boolean;
  pid: string | undefined;
  publicNatsUrl: string | undefined;
  publicUrl: string | undefined;
  json: boolean;
  consumersOnly: boolean;
}

/** The command line, checked: every problem named at once, as a UsageError. */
export function parseRequest(argv: string[]): PartnerAddRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        name: { type: 'string' },
        communities: { type: 'string' },
        organisation: { type: 'string' },
        'nats-config': { type: 'string' },
        reload: { type: 'boolean', default: false },
        pid: { type: 'string' },
        'public-nats-url': { type: 'string' },
        'public-url': { type: 'string' },
        json: { type: 'boolean', default: false },
        'consumers-only': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const problems: string[] = [];
  const name = values.name?.trim() ?? '';
  if (!PARTNER_NAME_PATTERN.test(name)) {
    problems.push(
      `--name must be 1 to 40 letters, digits, - or _, starting with a letter (got ${JSON.stringify(values.name ?? '')})`,
    );
  }
  const communityIds = (values.communities ?? '')
    .split(',')
    .map((id) => id.trim().toLowerCase())
    .filter((id) => id !== '');
  if (communityIds.length === 0) problems.push('--communities needs at least one community id');
  const notUuids = communityIds.filter((id) => !isUUID(id));
  if (notUuids.length > 0) problems.push(`--communities must be UUIDs; not: ${notUuids.join(', ')}`);
  if (new Set(communityIds).size !== communityIds.length)
    problems.push('--communities names a community twice');
  const organisationId = values.organisation?.trim().toLowerCase() ?? null;
  if (organisationId !== null && !isUUID(organisationId)) problems.push('--organisation must be a UUID');
  if (values.pid !== undefined && !values.reload) problems.push('--pid only goes with --reload');
  if (values['consumers-only'] && (values.reload || organisationId !== null)) {
    problems.push('--consumers-only changes no NATS user and no API key: no --reload, no --organisation');
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return {
    name,
    communityIds,
    organisationId,
    natsConfig: resolve(values['nats-config'] ?? 'infra/nats/partners.conf'),
    reload: values.reload,
    pid: values.pid,
    publicNatsUrl: values['public-nats-url'],
    publicUrl: values['public-url'],
    json: values.json,
    consumersOnly: values['consumers-only'],
  };
}

async function main(): Promise<void> {
  const request = parseRequest(process.argv.slice(2));
  const config = loadConfig();
  if (!existsSync(request.natsConfig)) {
    throw new UsageError(
      `${request.natsConfig} does not exist: run from the repository root, or pass --nats-config`,
    );
  }
  const conf = readFileSync(request.natsConfig, 'utf8');
  if (request.consumersOnly) {
    await recreateConsumers(config.natsUrl, request, conf);
    return;
  }
  const key = newPartnerUserKey();
  const partner = { name: request.name, nkey: key.publicKey, communityIds: request.communityIds };
  // Refuses a partner already there before anything is made.
  const updated = withPartnerUser(
    conf,
    partner,
    renderPartnerUser(partner, { comment: `added ${new Date().toISOString()} by partner:add` }),
  );

  const consumers = await createConsumers(config.natsUrl, partner);
  writeFileSync(request.natsConfig, updated);
  let apiKey: { id: string; key: string };
  try {
    apiKey = await createApiKey(config.databaseUrl, request);
  } catch (error) {
    writeFileSync(request.natsConfig, conf); // nothing half-made: the partner can be added again
    throw error;
  }
  const reloaded = request.reload ? await reloadNatsServer(request.pid) : false;

  // Never the services user's credentials that NATS_URL may carry.
  const natsUrl = request.publicNatsUrl ?? natsConnectionOptions(config.natsUrl).servers[0];
  const made = {
    name: request.name,
    gatewayUrl: (request.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, ''),
    account: PARTNER_ACCOUNT,
    nats: {
      url: natsUrl,
      nkey: key.publicKey,
      seed: key.seed,
      domain: PARTNER_JETSTREAM_DOMAIN,
      inboxPrefix: partnerInboxPrefix(request.name),
      stream: DEFAULT_EVENTS_STREAM,
      consumers,
      config: request.natsConfig,
      reloaded,
    },
    apiKey,
  };
  process.stdout.write(request.json ? `${JSON.stringify(made, null, 2)}\n` : instructions(made));
}

/** The durable consumers of a partner the NATS configuration already has, and nothing else. */
async function recreateConsumers(natsUrl: string, request: PartnerAddRequest, conf: string): Promise<void> {
  const known = partnersIn(conf).find((existing) => partnerKey(existing) === partnerKey(request.name));
  if (known === undefined) {
    throw new UsageError(
      `partner ${request.name} is not in ${request.natsConfig}: add it first, without --consumers-only`,
    );
  }
  const consumers = await createConsumers(natsUrl, { name: known, communityIds: request.communityIds });
  process.stdout.write(
    request.json
      ? `${JSON.stringify({ name: known, stream: DEFAULT_EVENTS_STREAM, consumers }, null, 2)}\n`
      : `The durable consumers of ${known} on ${DEFAULT_EVENTS_STREAM}, each from the first event:\n` +
          consumers.map((consumer) => `  ${consumer.durableName}  ${consumer.filterSubject}\n`).join(''),
  );
}

async function createConsumers(
  natsUrl: string,
  partner: { name: string; communityIds: string[] },
): Promise<PartnerConsumer[]> {
  // NATS_URL may carry the services user's credentials (as docker compose sets it); else the password alone.
  const options = natsConnectionOptions(natsUrl);
  const password = process.env.NATS_SERVICES_PASSWORD;
  const nats = await connect({
    ...options,
    ...(options.user === undefined && password ? { user: 'services', pass: password } : {}),
  }).catch((error: unknown) => {
    throw new Error(`cannot connect to NATS at ${redactUrl(natsUrl)}: ${String(error)}`, { cause: error });
  });
  try {
    return await ensurePartnerConsumers(nats, partner);
  } finally {
    await nats.close();
  }
}

async function createApiKey(
  databaseUrl: string,
  request: PartnerAddRequest,
): Promise<{ id: string; key: string }> {
  await ensurePostgresDatabase(databaseUrl);
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const keys = new ApiKeyStore(pool);
    await keys.migrate();
    return await keys.create({
      name: request.name,
      role: 'partner',
      communityIds: request.communityIds,
      organisationId: request.organisationId,
    });
  } finally {
    await pool.end();
  }
}

/** `nats-server --signal reload[=<pid>]`: the server rereads its files and keeps every connection. */
async function reloadNatsServer(pid: string | undefined): Promise<boolean> {
  const binary = process.env.NATS_SERVER_BINARY ?? 'nats-server';
  await promisify(execFile)(binary, ['--signal', pid ? `reload=${pid}` : 'reload']).catch(
    (error: unknown) => {
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(
        `the partner was added, but nats-server did not reload (${detail}); reload it yourself: ` +
          '`nats-server --signal reload[=<pid>]`, or `docker compose kill -s SIGHUP nats`',
        { cause: error },
      );
    },
  );
  return true;
}

function instructions(made: {
  name: string;
  gatewayUrl: string;
  account: string;
  nats: {
    url: string;
    nkey: string;
    seed: string;
    domain: string;
    inboxPrefix: string;
    stream: string;
    consumers: PartnerConsumer[];
    config: string;
    reloaded: boolean;
  };
  apiKey: { id: string; key: string };
}): string {
  const { nats } = made;
  const seedFile = `${made.name.toLowerCase()}.nk`;
  const first = nats.consumers[0];
  return `Partner ${made.name} added.

NATS (a user of account ${made.account}, in ${nats.config})
  ${nats.reloaded ? 'nats-server reloaded its configuration.' : 'Reload nats-server to let it in: nats-server --signal reload (docker compose: docker compose kill -s SIGHUP nats).'}
  URL:         ${nats.url}
  NKey seed:   ${nats.seed}
               (secret, shown once: the server knows only the public key ${nats.nkey})
  JetStream:   stream ${nats.stream}, domain "${nats.domain}"
  Inboxes:     prefix ${nats.inboxPrefix} (the only subjects it may subscribe to: set it in the client)
  Consumers (durable, pull, explicit ack; one per community):
${nats.consumers.map((consumer) => `    ${consumer.durableName}   ${consumer.filterSubject}`).join('\n')}

  Keep the seed in a file only the partner can read, e.g.:
    printf '%s\\n' '${nats.seed}' > ${seedFile} && chmod 600 ${seedFile}
  With the nats CLI:
    nats --server ${nats.url} --nkey ${seedFile} --inbox-prefix ${nats.inboxPrefix} --js-domain ${nats.domain} \\
      consumer next ${nats.stream} ${first.durableName} --count 10
  With the JavaScript client (@nats-io/transport-node, @nats-io/jetstream):
    const nc = await connect({ servers: '${nats.url}', inboxPrefix: '${nats.inboxPrefix}',
      authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) });
    const consumer = await jetstream(nc, { domain: '${nats.domain}' }).consumers.get('${nats.stream}', '${first.durableName}');
    for await (const message of await consumer.consume()) { handle(message.json()); message.ack(); }
  Anything else (publishing, other subjects, other consumers) is refused by the server.

HTTP (the gateway)
  API key:     ${made.apiKey.key}
               (id ${made.apiKey.id}; secret, shown once; role partner)
  Events as Server-Sent Events, from the first one, resuming after the last id received:
    curl -N -H 'Authorization: Bearer ${made.apiKey.key}' ${made.gatewayUrl}/v1/events
  Or signed webhooks:
    curl -H 'Authorization: Bearer ${made.apiKey.key}' -H 'Content-Type: application/json' \\
      -d '{"url":"https://partner.example.org/aid-events"}' ${made.gatewayUrl}/v1/webhooks
  The contract of every event: ${made.gatewayUrl}/asyncapi.json
`;
}

// Run as a script; imported (by its tests), it only lends parseRequest.
if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`partner:add: ${message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ''}`);
    process.exit(1);
  });
}
