import { connect } from '@nats-io/transport-node';
import { POSTGRES_ADMIN_URL, TEST_NATS_URL, withAdmin } from './databases';

/**
 * Integration tests need the machine's PostgreSQL and NATS. Fail at once, saying which one is
 * missing and how to start it, instead of letting every test time out.
 */
export default async function globalSetup(): Promise<void> {
  try {
    await withAdmin(async (client) => {
      const stale = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'aid\\_test\\_%'`,
      );
      // Another run may be using a young database; only sweep those a crashed run left long ago.
      const anHourAgo = Date.now() - 3_600_000;
      for (const { datname } of stale.rows) {
        const createdAt = parseInt(datname.split('_').at(-2) ?? '', 36);
        if (createdAt < anHourAgo) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    });
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${String(error)}). Start it with: ` +
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      { cause: error },
    );
  }
  try {
    const nc = await connect({ servers: TEST_NATS_URL, timeout: 3000 });
    await nc.close();
  } catch (error) {
    throw new Error(
      `NATS is not reachable at ${TEST_NATS_URL} (${String(error)}). Start it with: ` +
        'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
      { cause: error },
    );
  }
}
