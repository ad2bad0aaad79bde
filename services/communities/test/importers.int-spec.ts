import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  COMMUNITIES_SUBJECTS,
  type CommunityStatusOnDate,
  type Page,
  communityIdForKatottg,
} from '@aid/contracts';
import { PostgresEventStore } from '@aid/event-store';
import {
  bootstrapService,
  createLogger,
  loadConfig,
  NatsRequester,
  type RunningService,
} from '@aid/messaging';
import {
  createTestDatabase,
  REGISTER_TYPESCRIPT,
  startNatsServer,
  type TestDatabase,
  type TestNatsServer,
} from '@aid/testing';
import { CommunitiesModule } from '../src/app.module';
import { runImportHostilities } from '../src/cli/import-hostilities';
import { runImportKatottg } from '../src/cli/import-katottg';
import { type CommunitySummary } from '../src/community/community.queries';
import { type HostilitiesImportReport } from '../src/importers/hostilities-import';
import { type KatottgImportReport } from '../src/importers/katottg-import';
import { eventually } from './support/eventually';
import { CODIFIER_FILE, HOSTILITIES_FILE, KATOTTG } from './support/official-files';

const DERHACHI = communityIdForKatottg(KATOTTG.derhachi);
const SERVICE_ACTOR = { id: 'test', role: 'service' } as const;

/** What a command printed, and its exit code. */
interface Run {
  code: number;
  out: string[];
  err: string[];
}

describe('the importers on the official files', () => {
  let nats: TestNatsServer;
  let database: TestDatabase;
  let service: RunningService;
  let requester: NatsRequester;
  let store: PostgresEventStore;
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  const run = async (command: typeof runImportKatottg, args: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await command(args, { out: (line) => out.push(line), err: (line) => err.push(line) }, env);
    return { code, out, err };
  };
  const importKatottg = (file = CODIFIER_FILE) => run(runImportKatottg, [file, '--json']);
  const importHostilities = (file = HOSTILITIES_FILE) =>
    run(runImportHostilities, [file, '--katottg', CODIFIER_FILE, '--json']);
  const reportOf = <T>(result: Run): T => {
    expect(result).toMatchObject({ code: 0, err: [] });
    return JSON.parse(result.out[0]) as T;
  };
  const eventCount = async () => (await store.readAll()).length;
  const statusOn = (communityId: string, date: string) =>
    requester.request<CommunityStatusOnDate>(COMMUNITIES_SUBJECTS.getStatusOn, {
      params: { communityId, date },
      meta: { actor: SERVICE_ACTOR },
    });
  const listCommunities = (params: Record<string, unknown>) =>
    requester.request<Page<CommunitySummary>>(COMMUNITIES_SUBJECTS.listCommunities, {
      params,
      meta: { actor: SERVICE_ACTOR },
    });
  const allCommunities = async (): Promise<CommunitySummary[]> => {
    const items: CommunitySummary[] = [];
    let after: string | undefined;
    do {
      const page = await listCommunities({ limit: 500, ...(after && { after }) });
      items.push(...page.items);
      after = page.next;
    } while (after !== undefined);
    return items;
  };

  beforeAll(async () => {
    [database, nats] = await Promise.all([createTestDatabase('importers'), startNatsServer()]);
    env = { DATABASE_URL: database.url };
    service = await bootstrapService({
      name: 'communities',
      module: CommunitiesModule,
      config: { ...loadConfig({}), databaseUrl: database.url, natsUrl: nats.url },
      logger: createLogger('communities', 'warn'),
    });
    requester = new NatsRequester({ natsUrl: nats.url, defaultTimeoutMs: 10_000 });
    store = new PostgresEventStore({ connectionString: database.url });
    scratch = mkdtempSync(join(tmpdir(), 'aid-importers-'));
  });

  afterAll(async () => {
    await requester?.close();
    await service?.close();
    await store?.close();
    await nats?.stop();
    await database?.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe('refusals, before anything is imported', () => {
    it('rejects a malformed codifier with the line and the reason, appending nothing', async () => {
      const lines = readFileSync(CODIFIER_FILE, 'utf8').split('\n').slice(0, 5);
      lines[3] = lines[3].replace(/;H;|;P;|;M;|;X;|;C;/, ';Z;');
      const file = join(scratch, 'katottg-malformed.csv');
      writeFileSync(file, lines.join('\n'));

      const result = await importKatottg(file);

      expect(result.code).toBe(1);
      expect(result.out).toEqual([]);
      expect(result.err.join('\n')).toContain(`${file}:4: unknown category "Z"`);
      expect(result.err.join('\n')).toContain('nothing was imported');
      expect(await eventCount()).toBe(0);
    });

    it('rejects a malformed list with the line and the reason, appending nothing', async () => {
      const file = join(scratch, 'hostilities-malformed.csv');
      writeFileSync(
        file,
        [
          'category,code,name,start,end',
          `occupied,${KATOTTG.slatyne},с-ще Слатине,2022-02-24,2022-04-22`,
          `occupied,${KATOTTG.prudianka},с-ще Прудянка,2022-04-22,2022-02-24`,
        ].join('\n'),
      );

      const result = await importHostilities(file);

      expect(result.code).toBe(1);
      expect(result.err.join('\n')).toContain(`${file}:3: end 2022-02-24 is before start 2022-04-22`);
      expect(await eventCount()).toBe(0);
    });

    it('exits with a non-zero code from the command line too', async () => {
      const file = join(scratch, 'katottg-short-row.csv');
      writeFileSync(file, 'header;;;;;;\nUA63000000000041885;;;;O;Харківська\n');
      const cli = resolve(__dirname, '../src/cli/import-katottg.ts');

      const child = spawn(process.execPath, ['-r', REGISTER_TYPESCRIPT, cli, file], {
        env: { ...process.env, DATABASE_URL: database.url },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((done) => child.once('exit', done));

      expect(code).toBe(1);
      expect(stderr).toContain(`${file}:2: expected 7 columns separated by ';', found 6`);
      expect(await eventCount()).toBe(0);
    });

    it('refuses the list before the codifier is imported, naming the command to run first', async () => {
      const result = await importHostilities();

      expect(result.code).toBe(1);
      expect(result.err.join('\n')).toMatch(/747 communities the list concerns are not registered/);
      expect(result.err.join('\n')).toContain('npm run import:katottg');
      expect(await eventCount()).toBe(0);
    });

    it('explains its usage when the codifier option is missing', async () => {
      const result = await run(runImportHostilities, [HOSTILITIES_FILE]);
      expect(result.code).toBe(2);
      expect(result.err.join('\n')).toContain('--katottg <codifier.csv>');
    });
  });

  describe('the codifier of 2025-05-16', () => {
    let report: KatottgImportReport;

    beforeAll(async () => {
      report = reportOf<KatottgImportReport>(await importKatottg());
    }, 120_000);

    it('registers 1,774 communities: 1,772 hromadas (1,469 outside Crimea), Kyiv and Sevastopol', async () => {
      expect(report).toMatchObject({
        communities: 1_774,
        hromadas: 1_772,
        hromadasOutsideCrimea: 1_469,
        registered: 1_774,
        alreadyImported: 0,
        registeredOtherwise: [],
        settlements: 29_703,
        eventsAppended: 1_774,
      });
      expect(report.citiesWithSpecialStatus.map((city) => city.name)).toEqual(['Київ', 'Севастополь']);
      expect(report.durationMs).toBeLessThan(60_000);
      expect(await eventCount()).toBe(1_774);
    });

    it('reports the settlements that lie in no community', () => {
      expect(report.outsideCommunities.map((unit) => unit.name)).toEqual(['Прип’ять', 'Чорнобиль']);
    });

    it('makes every community queryable over NATS, by oblast and by name in either language', async () => {
      const communities = await eventually(async () => {
        const all = await allCommunities();
        expect(all).toHaveLength(1_774);
        return all;
      }, 60_000);
      const citiesWithSpecialStatus = ['UA80000000000093317', 'UA85000000000065278'];
      const hromadas = communities.filter((c) => !citiesWithSpecialStatus.includes(c.katottg!));
      expect(hromadas).toHaveLength(1_772);
      expect(hromadas.filter((c) => c.oblast !== 'UA-43')).toHaveLength(1_469);

      const kharkiv = await listCommunities({ oblast: 'UA-63', limit: 500 });
      expect(kharkiv.items).toHaveLength(56);
      expect(kharkiv.items.map((c) => c.name.uk)).toContain('Дергачівська');
      const found = await listCommunities({ q: 'Derhachi' });
      expect(found.items).toEqual([
        expect.objectContaining({ id: DERHACHI, katottg: KATOTTG.derhachi, status: null }),
      ]);
    });
  });

  describe('the list of 2025-05-07', () => {
    let report: HostilitiesImportReport;

    beforeAll(async () => {
      report = reportOf<HostilitiesImportReport>(await importHostilities());
    }, 120_000);

    it('records the 3,193 rows as 3,584 periods of 747 communities', async () => {
      expect(report).toMatchObject({
        rows: 3_193,
        periods: 3_584,
        partialPeriods: 2_724,
        communities: 747,
        recorded: 3_584,
        alreadyRecorded: 0,
        eventsAppended: 3_584,
      });
      expect(report.durationMs).toBeLessThan(60_000);
      expect(await eventCount()).toBe(1_774 + 3_584);
    });

    it('skips Pripyat and Chornobyl, which lie in no community, and says so', () => {
      expect(report.skipped).toEqual([
        expect.objectContaining({
          line: 2466,
          name: 'м. Прип’ять',
          reason: expect.stringMatching(/no territorial community/),
        }),
        expect.objectContaining({ line: 2467, name: 'м. Чорнобиль' }),
      ]);
    });

    it('reads Derhachi under active hostilities on 2022-05-01, some settlements occupied', async () => {
      // Each settlement's period is its own event, so the area grows while the projection catches
      // up: only the whole answer tells that it has.
      await eventually(async () => {
        const status = await statusOn(DERHACHI, '2022-05-01');
        expect(status.wholeCommunity).toEqual(['active-hostilities']);
        expect(status.partial).toHaveLength(2);
        const [occupied, active] = status.partial;
        expect(occupied.category).toBe('occupied');
        expect(occupied.areaKatottg).toHaveLength(20);
        expect(occupied.areaKatottg).toContain(KATOTTG.kozachaLopan);
        expect(occupied.areaKatottg).not.toContain(KATOTTG.slatyne);
        expect(active.category).toBe('active-hostilities');
        expect(active.areaKatottg).toEqual(expect.arrayContaining([KATOTTG.slatyne, KATOTTG.prudianka]));
      }, 60_000);
    });

    it('reads Derhachi as a territory of possible hostilities on 2025-03-25, the day of the visit', async () => {
      await eventually(async () => {
        expect(await statusOn(DERHACHI, '2025-03-25')).toEqual({
          date: '2025-03-25',
          frontline: null,
          wholeCommunity: ['possible-hostilities'],
          partial: [],
        });
      }, 60_000);
    });
  });

  describe('a second run', () => {
    it('of each importer appends nothing and says everything was there already', async () => {
      const before = await eventCount();

      const codifier = reportOf<KatottgImportReport>(await importKatottg());
      const list = reportOf<HostilitiesImportReport>(await importHostilities());

      expect(codifier).toMatchObject({ registered: 0, alreadyImported: 1_774, eventsAppended: 0 });
      expect(list).toMatchObject({ recorded: 0, alreadyRecorded: 3_584, eventsAppended: 0 });
      expect(await eventCount()).toBe(before);
    }, 120_000);

    it('reports in words without --json', async () => {
      const result = await run(runImportKatottg, [CODIFIER_FILE]);
      expect(result.code).toBe(0);
      expect(result.out).toEqual(
        expect.arrayContaining([
          expect.stringContaining('1,772 hromadas (1,469 outside Crimea)'),
          '  registered: 0',
          '  already present: 1,774 (1,774 by an earlier import, 0 registered otherwise)',
          expect.stringMatching(/outside any community: line \d+ UA32000000010085013 Прип’ять/),
        ]),
      );
    }, 60_000);
  });
});
