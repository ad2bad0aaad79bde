import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { PostgresEventStore } from '@aid/event-store';
import { bootstrapService, createLogger, loadConfig, type RunningService } from '@aid/messaging';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@aid/testing';
import { appendHistory } from '../../../bench/audit/history';
import { ApiKeyStore } from '../src/auth';
import { gatewayService } from '../src/gateway.service';

jest.setTimeout(120_000);

const EVENTS = 100_000;
const MB = 1024 * 1024;

/** A full garbage collection on demand, so that heap samples measure what is alive, not what awaits collection. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('GET /v1/audit/export of 100,000 events', () => {
  let database: TestDatabase;
  let nats: TestNatsServer;
  let gateway: RunningService;
  let auditorKey: string;

  beforeAll(async () => {
    database = await createTestDatabase('audit_export');
    nats = await startNatsServer();
    const store = new PostgresEventStore({ connectionString: database.url });
    await store.migrate();
    await appendHistory(store, EVENTS);
    await store.close();
    gateway = await bootstrapService({
      ...gatewayService,
      config: { ...loadConfig({}), databaseUrl: database.url, natsUrl: nats.url, port: 0 },
      logger: createLogger('gateway', 'warn'),
    });
    auditorKey = (await gateway.app.get(ApiKeyStore).create({ name: 'export test', role: 'auditor' })).key;
  });

  afterAll(async () => {
    await gateway?.close();
    await nats?.stop();
    await database?.drop();
  });

  it('streams with flat memory: the live heap never grows by a fraction of the file', async () => {
    const gc = collectGarbage();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peakGrowth = 0;
    let bytes = 0;
    let sinceSample = 0;
    let tail = '';
    // Every line but the last (the manifest) goes into the digest, as `head -n -1 | sha256sum` would.
    let lastLine: string | undefined;
    const digest = createHash('sha256');

    const response = await fetch(`${gateway.httpUrl}/v1/audit/export`, {
      headers: { authorization: `Bearer ${auditorKey}` },
    });
    expect(response.status).toBe(200);
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      bytes += (chunk as Uint8Array).byteLength;
      sinceSample += (chunk as Uint8Array).byteLength;
      const lines = (tail + text).split('\n');
      tail = lines.pop()!;
      for (const line of lines) {
        if (lastLine !== undefined) digest.update(`${lastLine}\n`);
        lastLine = line;
      }
      if (sinceSample >= 4 * MB) {
        sinceSample = 0;
        gc();
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - baseline);
      }
    }
    expect(tail).toBe('');

    const { manifest } = JSON.parse(lastLine!) as { manifest: { events: number; sha256: string } };
    expect(manifest.events).toBeGreaterThanOrEqual(EVENTS);
    expect(digest.digest('hex')).toBe(manifest.sha256);

    // An export built in memory would hold the whole file (and the events it came from) at once.
    expect(bytes).toBeGreaterThan(50 * MB);
    expect(peakGrowth).toBeLessThan(20 * MB);
    console.info(
      `export of ${manifest.events} events: ${(bytes / MB).toFixed(1)} MB streamed, live heap grew at most ${(peakGrowth / MB).toFixed(1)} MB`,
    );
  });
});
