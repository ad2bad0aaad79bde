import { type OnApplicationShutdown } from '@nestjs/common';
import { ClientNats, NatsRecordBuilder } from '@nestjs/microservices';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { natsConnectionOptions, redactUrl } from './config';
import { CORRELATION_ID_HEADER, currentCorrelationId, newCorrelationId } from './correlation';
import { errorFromReply, ServiceUnavailableError } from './errors';

export interface NatsRequesterOptions {
  /** NATS_URL: one URL or several separated by commas. */
  natsUrl: string;
  /** Shown in the NATS server's connection list. */
  name?: string;
  defaultTimeoutMs?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Defaults to the current correlation id, or a fresh one outside any request. */
  correlationId?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Sends NATS requests to the services' MessagePattern handlers (Nest's wire format) and
 * awaits the reply. A refusal comes back as the typed DomainError (ValidationError,
 * NotFoundError, ...); no reply in time, or no NATS, as ServiceUnavailableError; any other
 * failure of the service as RemoteServiceError.
 */
export class NatsRequester implements OnApplicationShutdown {
  private readonly client: ClientNats;
  private readonly natsUrl: string;
  private readonly defaultTimeoutMs: number;

  constructor(options: NatsRequesterOptions) {
    this.natsUrl = options.natsUrl;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = new ClientNats({
      ...natsConnectionOptions(options.natsUrl),
      name: options.name,
      timeout: 3000,
      // A long-lived client keeps trying to reconnect after a NATS restart instead of giving up.
      maxReconnectAttempts: -1,
    });
  }

  async request<TReply>(
    subject: string,
    payload: unknown = {},
    options: RequestOptions = {},
  ): Promise<TReply> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    await this.connect(subject);
    const messageHeaders = headers();
    messageHeaders.set(
      CORRELATION_ID_HEADER,
      options.correlationId ?? currentCorrelationId() ?? newCorrelationId(),
    );
    const record = new NatsRecordBuilder(payload).setHeaders(messageHeaders).build();
    try {
      return await firstValueFrom(
        this.client.send<TReply>(subject, record).pipe(timeout({ first: timeoutMs })),
      );
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new ServiceUnavailableError(subject, `no reply to ${subject} within ${timeoutMs} ms`);
      }
      // Replies arrive as plain JSON; an Error instance was raised locally, by the connection.
      if (error instanceof Error) throw new ServiceUnavailableError(subject, `${subject}: ${error.message}`);
      throw errorFromReply(subject, error);
    }
  }

  /** Round trip to the NATS server in milliseconds; rejects when it does not answer in time. */
  async ping(timeoutMs = this.defaultTimeoutMs): Promise<number> {
    await this.connect('PING');
    const connection = this.client.unwrap<NatsConnection>();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`NATS did not answer a ping within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([connection.rtt(), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Nest calls this when the requester is a provider of an application that shuts down. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async connect(subject: string): Promise<void> {
    try {
      await this.client.connect();
    } catch (error) {
      throw new ServiceUnavailableError(
        subject,
        `NATS is not reachable at ${redactUrl(this.natsUrl)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
