import { Agent, request } from 'node:http';

/*
 * The load: concurrent coordinators, each running shipments through plan -> dispatch -> receive
 * over HTTP, one request at a time on a kept-alive connection of its own (what autocannon does,
 * plus the chaining each cycle needs: dispatch and receive name the shipment the plan created).
 */

export const COMMANDS = ['plan', 'dispatch', 'receive'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface Answer {
  status: number;
  body: string;
}

/** POSTs JSON over kept-alive connections, one socket per concurrent caller. */
export class HttpCaller {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly key: string,
    connections: number,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  post(path: string, body: unknown, idempotencyKey?: string): Promise<Answer> {
    const payload = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${this.key}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: this.url.hostname, port: this.url.port, path, method: 'POST', headers, agent: this.agent },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface CycleBodies {
  plan: object;
  dispatch: () => object;
  receive: object;
}

/** What the callers saw: latencies (ms) by command, answers by status, and the replies sampled for lag. */
export class LoadRecord {
  readonly latencies: Record<CommandName, number[]> = { plan: [], dispatch: [], receive: [] };
  readonly statuses = new Map<number | string, number>();
  commands = 0;

  count(status: number | string): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }
}

export interface LagSample {
  shipmentId: string;
  revision: number;
  answeredAt: number;
}

/**
 * Runs `callers` coordinators until `until` (performance.now() ms): each cycle plans a shipment,
 * dispatches it and receives it. Every `sampleEvery`-th dispatch and receive is handed to onSample
 * for the lag measurement. A refused command ends its cycle (and is counted by status).
 */
export async function runCoordinators(options: {
  caller: HttpCaller;
  callers: number;
  until: number;
  bodies: CycleBodies;
  record: LoadRecord;
  idempotencyKeys: boolean;
  sampleEvery?: number;
  onSample?: (sample: LagSample) => void;
}): Promise<void> {
  const { caller, bodies, record } = options;
  let sequence = 0;
  const send = async (
    command: CommandName,
    path: string,
    body: object,
    key: string,
  ): Promise<{ id: string; revision: number } | null> => {
    const startedAt = performance.now();
    let answer: Answer;
    try {
      answer = await caller.post(path, body, options.idempotencyKeys ? key : undefined);
    } catch (error) {
      record.count(error instanceof Error ? error.message : String(error));
      return null;
    }
    const answeredAt = performance.now();
    record.count(answer.status);
    if (answer.status !== 200 && answer.status !== 201) return null;
    record.latencies[command].push(answeredAt - startedAt);
    record.commands += 1;
    const reply = JSON.parse(answer.body) as { id: string; revision: number };
    sequence += 1;
    if (command !== 'plan' && options.onSample && sequence % (options.sampleEvery ?? 10) === 0) {
      options.onSample({ shipmentId: reply.id, revision: reply.revision, answeredAt });
    }
    return reply;
  };

  const coordinator = async (index: number) => {
    for (let cycle = 0; performance.now() < options.until; cycle++) {
      const key = `bench-${process.pid}-${index}-${cycle}-${Date.now()}`;
      const planned = await send('plan', '/v1/shipments', bodies.plan, `${key}-plan`);
      if (!planned) continue;
      const path = `/v1/shipments/${planned.id}`;
      if (!(await send('dispatch', `${path}/dispatch`, bodies.dispatch(), `${key}-dispatch`))) continue;
      await send('receive', `${path}/receipt`, bodies.receive, `${key}-receive`);
    }
  };
  await Promise.all(Array.from({ length: options.callers }, (_, index) => coordinator(index)));
}
