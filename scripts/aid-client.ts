/**
 * A small client of Aid ledger's HTTP API (the contract of DESIGN.md), for the demo, the system
 * benchmark and the end-to-end tests: bearer key, Idempotency-Key and If-Match on writes, errors
 * as AidApiError with the gateway's {statusCode, error, message, details}.
 */

export interface WriteAnswer {
  id: string;
  revision: number;
  position: number | null;
}

export interface WriteResult extends WriteAnswer {
  status: number;
  /** The gateway answered from its Idempotency-Key record: this request appended nothing. */
  replayed: boolean;
}

export interface WriteOptions {
  idempotencyKey?: string;
  ifMatch?: number;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

export class AidApiError extends Error {
  override readonly name = 'AidApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: ErrorBody | string,
  ) {
    super(
      `${method} ${path} answered ${status}: ${typeof body === 'string' ? body : `${body.message}${body.details ? ` ${JSON.stringify(body.details)}` : ''}`}`,
    );
  }
}

const REQUEST_TIMEOUT_MS = 15_000;

export class AidClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
  ) {}

  /** The same server with another API key. */
  as(key: string): AidClient {
    return new AidClient(this.baseUrl, key);
  }

  /** A command: {id, revision, position}, and whether the gateway replayed an earlier answer. */
  async write(path: string, body: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    const { status, body: answer, headers } = await this.post<WriteAnswer>(path, body, options);
    return { ...answer, status, replayed: headers.get('idempotent-replayed') === 'true' };
  }

  async post<T>(
    path: string,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    const response = await this.send('POST', path, headers, JSON.stringify(body));
    return {
      status: response.status,
      body: (await this.parse('POST', path, response)) as T,
      headers: response.headers,
    };
  }

  async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const url = withQuery(path, query);
    const response = await this.send('GET', url, {});
    return (await this.parse('GET', url, response)) as T;
  }

  async delete(path: string): Promise<void> {
    const response = await this.send('DELETE', path, {});
    await this.parse('DELETE', path, response);
  }

  private async send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.key}`, ...headers },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const reason =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
      throw new Error(
        `${method} ${this.baseUrl}${path} failed: ${reason}. Is Aid ledger running (npm start)?`,
        {
          cause: error,
        },
      );
    }
  }

  private async parse(method: string, path: string, response: Response): Promise<unknown> {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    if (!response.ok) throw new AidApiError(method, path, response.status, body as ErrorBody | string);
    return body;
  }
}

function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const entries = Object.entries(query).filter(
    (entry): entry is [string, string | number] => entry[1] !== undefined,
  );
  if (entries.length === 0) return path;
  return `${path}?${new URLSearchParams(entries.map(([name, value]): [string, string] => [name, String(value)])).toString()}`;
}
