import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGISTER_TYPESCRIPT, type RunningSystem, startSystem, SYSTEM_SERVICES } from '@aid/testing';

/*
 * startSystem itself: the four services as separate processes, the gateway's GET /health as the
 * sign that they answer, and a service stopped and started again the way an operator would.
 */

// Processes start slowly on a busy 2-core machine; Jest's 5 s default is not enough there.
jest.setTimeout(30_000);

interface HealthReport {
  status: 'ok' | 'down';
  checks: { services: Record<string, { status: string }> };
}

async function health(system: RunningSystem): Promise<{ status: number; report: HealthReport }> {
  const response = await fetch(`${system.baseUrl}/health`);
  return { status: response.status, report: (await response.json()) as HealthReport };
}

const HEALTHCHECK_SCRIPT = join(__dirname, '..', '..', 'scripts', 'healthcheck.ts');

/** The container health check of docker-compose.yml, run the way Docker runs it. */
function healthcheck(system: RunningSystem, service: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['-r', REGISTER_TYPESCRIPT, HEALTHCHECK_SCRIPT, service], {
    env: { ...process.env, NATS_URL: system.natsUrl, PORT: new URL(system.baseUrl).port },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('startSystem', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem();
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('runs each service in a process of its own and answers GET /health with 200', async () => {
    const pids = SYSTEM_SERVICES.map((name) => system.pid(name));

    expect(new Set(pids).size).toBe(4);
    for (const pid of pids) {
      expect(pid).not.toBe(process.pid);
      expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^VmRSS:\s+\d+ kB$/m);
    }
    expect((await health(system)).status).toBe(200);
  });

  it('accepts its admin key and refuses a made-up one', async () => {
    const as = (key: string) =>
      fetch(`${system.baseUrl}/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } });

    expect((await as(system.adminKey)).status).toBe(200);
    expect((await as('aid_not-a-key-of-this-system')).status).toBe(401);
  });

  it('passes the container health check of each service', () => {
    for (const service of SYSTEM_SERVICES)
      expect(healthcheck(system, service)).toEqual({ status: 0, stderr: '' });
  }, 30_000);

  it('reports a stopped service as down, and up again once it is restarted', async () => {
    await system.stopService('logistics');

    const down = await health(system);
    expect(down.status).toBe(503);
    expect(down.report.checks.services.logistics.status).toBe('down');
    expect(system.pid('logistics')).toBeUndefined();
    const check = healthcheck(system, 'logistics');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("unhealthy: no responders: 'logistics.query.health'");

    await system.startService('logistics');

    const up = await health(system);
    expect(up.status).toBe(200);
    expect(system.logs('logistics').some((line) => line.includes('"msg":"logistics started"'))).toBe(true);
  }, 60_000);
});
