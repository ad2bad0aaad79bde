import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { Pool } from 'pg';
import { ensureEventsStream, partnerConsumers } from '@aid/relay';
import { createTestDatabase, NATS_SERVER_BINARY, REGISTER_TYPESCRIPT, type TestDatabase } from '@aid/testing';
import { eventually } from '../../../libs/projections/test/support/helpers';
import {
  connectAsPartner,
  pullAll,
  startSecuredNatsServer,
  type PartnerConnection,
  type SecuredNatsServer,
} from '../../../libs/relay/test/support/partner-nats';
import { ApiKeyStore } from '../src/auth';

// Each run of the script is a Node process compiling TypeScript on the fly: seconds on a busy machine.
jest.setTimeout(60_000);

const SCRIPT = path.resolve(__dirname, '../../../scripts/partner-add.ts');

interface Made {
  account: string;
  nats: {
    url: string;
    seed: string;
    nkey: string;
    consumers: Array<{ communityId: string; durableName: string }>;
  };
  apiKey: { id: string; key: string };
}

describe('npm run partner:add', () => {
  const [ochakiv, mykolaiv, lviv] = [randomUUID(), randomUUID(), randomUUID()];
  let database: TestDatabase;
  let server: SecuredNatsServer;
  let services: NatsConnection;
  let pool: Pool;
  const partners: PartnerConnection[] = [];
  const partnersConf = () => path.join(server.configDir, 'partners.conf');

  /** Runs the script; the services user's password comes in NATS_SERVICES_PASSWORD unless `env` says otherwise. */
  async function partnerAdd(
    args: string[],
    env: Record<string, string> = { NATS_URL: server.url, NATS_SERVICES_PASSWORD: server.servicesPassword },
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['-r', REGISTER_TYPESCRIPT, SCRIPT, '--nats-config', partnersConf(), ...args],
        {
          env: { ...process.env, DATABASE_URL: database.url, NATS_SERVER_BINARY, LOG_LEVEL: 'warn', ...env },
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase('partneradd');
    server = await startSecuredNatsServer();
    services = await server.connectAsServices();
    pool = new Pool({ connectionString: database.url, max: 1 });
    // Events already in the stream before the partner comes: its consumers start at the first.
    await ensureEventsStream(services);
    const js = jetstream(services);
    for (const community of [ochakiv, mykolaiv, lviv]) {
      await js.publish(`aid.communities.CommunityRegistered.${community}`, JSON.stringify({ id: community }));
    }
  });

  afterAll(async () => {
    for (const partner of partners) await partner.close();
    await services?.close();
    await pool?.end();
    await server?.stop();
    await database?.drop();
  });

  it("makes the partner's NATS user, consumers and API key, reloads the server, and the partner reads its events", async () => {
    // As docker compose gives it: the services user's credentials in NATS_URL.
    const withCredentials = server.url.replace('nats://', `nats://services:${server.servicesPassword}@`);
    const { code, stdout, stderr } = await partnerAdd(
      [
        '--name',
        'IRC',
        '--communities',
        `${ochakiv},${mykolaiv}`,
        '--reload',
        '--pid',
        String(server.pid),
        '--json',
      ],
      { NATS_URL: withCredentials },
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const made = JSON.parse(stdout) as Made;
    expect(made.account).toBe('PARTNERS');
    expect(made.nats.url).toBe(server.url);
    expect(made.nats.consumers.map((consumer) => consumer.communityId)).toEqual([ochakiv, mykolaiv]);
    expect(readFileSync(partnersConf(), 'utf8')).toContain(made.nats.nkey);
    expect(readFileSync(partnersConf(), 'utf8')).not.toContain(made.nats.seed);

    // The reload takes effect within moments; until then the server does not know the user.
    const irc = await eventually('the reloaded server to let the partner in', () =>
      connectAsPartner(server.url, made.nats.seed, 'IRC').catch(() => undefined),
    );
    partners.push(irc);
    const [ofOchakiv, ofMykolaiv] = await Promise.all(
      made.nats.consumers.map((consumer) => pullAll(irc.nc, consumer.durableName)),
    );
    expect(ofOchakiv.map((event) => event.subject)).toEqual([
      `aid.communities.CommunityRegistered.${ochakiv}`,
    ]);
    expect(ofMykolaiv.map((event) => event.subject)).toEqual([
      `aid.communities.CommunityRegistered.${mykolaiv}`,
    ]);

    const principal = await new ApiKeyStore(pool).authenticate(made.apiKey.key);
    expect(principal).toMatchObject({
      id: made.apiKey.id,
      name: 'IRC',
      role: 'partner',
      communityIds: [ochakiv, mykolaiv],
    });
  });

  it('prints how to connect, over NATS and HTTP', async () => {
    const { code, stdout } = await partnerAdd(['--name', 'U-LEAD', '--communities', lviv]);
    expect(code).toBe(0);
    const seed = /NKey seed: +(SU[A-Z0-9]+)/.exec(stdout)?.[1];
    const apiKey = /API key: +(\S+)/.exec(stdout)?.[1];
    expect(seed).toBeDefined();
    expect(await new ApiKeyStore(pool).authenticate(apiKey!)).toMatchObject({
      role: 'partner',
      communityIds: [lviv],
    });
    expect(stdout).toContain(`partner-u-lead-${lviv}   aid.*.*.${lviv}`);
    expect(stdout).toContain('--inbox-prefix _INBOX_U_LEAD --js-domain aid');
    expect(stdout).toContain(`consumer next AID_EVENTS partner-u-lead-${lviv} --count 10`);
    expect(stdout).toContain('Reload nats-server to let it in');
    expect(stdout).toContain(`Authorization: Bearer ${apiKey}`);
  });

  it('refuses bad input and a partner already there with exit code 1, changing nothing', async () => {
    const before = readFileSync(partnersConf(), 'utf8');
    const keysBefore = (await new ApiKeyStore(pool).list()).length;

    const invalid = await partnerAdd([
      '--name',
      'I R C',
      '--communities',
      `${ochakiv},not-a-uuid,${ochakiv}`,
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('--name must be 1 to 40 letters');
    expect(invalid.stderr).toContain('--communities must be UUIDs; not: not-a-uuid');
    expect(invalid.stderr).toContain('--communities names a community twice');
    expect(invalid.stderr).toContain('usage: npm run partner:add');

    const again = await partnerAdd(['--name', 'irc', '--communities', lviv]);
    expect([again.code, again.stderr]).toEqual([
      1,
      expect.stringContaining('partner IRC is already in the NATS configuration'),
    ]);

    expect(readFileSync(partnersConf(), 'utf8')).toBe(before);
    expect((await new ApiKeyStore(pool).list()).length).toBe(keysBefore);
  });

  it("recreates a partner's lost consumers with --consumers-only, keeping its NATS user and API key", async () => {
    const conf = readFileSync(partnersConf(), 'utf8');
    const keysBefore = (await new ApiKeyStore(pool).list()).length;
    const jsm = await jetstreamManager(services);
    // As after AID_EVENTS was replaced: the partner's durables are gone with the old stream.
    const durables = partnerConsumers({ name: 'IRC', communityIds: [ochakiv, mykolaiv] });
    for (const { durableName } of durables) await jsm.consumers.delete('AID_EVENTS', durableName);

    const unknown = await partnerAdd(['--name', 'UNHCR', '--communities', ochakiv, '--consumers-only']);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('partner UNHCR is not in')]);

    const { code, stdout, stderr } = await partnerAdd([
      '--name',
      'irc',
      '--communities',
      `${ochakiv},${mykolaiv}`,
      '--consumers-only',
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const { durableName, filterSubject } of durables) {
      expect(stdout).toContain(durableName);
      const info = await jsm.consumers.info('AID_EVENTS', durableName);
      expect(info.config.filter_subject).toBe(filterSubject);
      // From the first event again: the partner reads its communities' history anew.
      expect(info.num_pending).toBe(1);
    }
    expect(readFileSync(partnersConf(), 'utf8')).toBe(conf);
    expect((await new ApiKeyStore(pool).list()).length).toBe(keysBefore);
  });
});
