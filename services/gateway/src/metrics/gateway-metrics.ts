import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type Pool } from 'pg';
import { type EventStore } from '@aid/event-store';
import { EVENT_STORE, ServiceContext } from '@aid/messaging';
import { GATEWAY_POOL } from '../gateway-infrastructure.module';
import { followerLags } from './follower-lag';

/** What a command forwarded to a service came to, as counted in aid_commands_total. */
export type CommandOutcome =
  | 'appended'
  | 'unchanged'
  | 'replayed'
  | 'refused'
  | 'conflict'
  | 'precondition-failed'
  | 'not-found'
  | 'unavailable'
  | 'failed';

/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one, so two
 * gateways in one process, as in the tests, do not collide).
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'aid_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, and how long they took',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly commands = new Counter({
    name: 'aid_commands_total',
    help: 'Commands the gateway forwarded to the services, by command and outcome',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly projectionLagSeconds = new Gauge({
    name: 'aid_projection_lag_seconds',
    help: 'Age of the oldest event a projection has not applied yet (0: caught up)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  private readonly projectionLagPositions = new Gauge({
    name: 'aid_projection_lag_positions',
    help: "Global positions between a projection's checkpoint and the newest event it follows",
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  private readonly relayLagSeconds = new Gauge({
    name: 'aid_relay_lag_seconds',
    help: 'Age of the oldest event a relay has not published to JetStream yet (0: caught up)',
    labelNames: ['relay'] as const,
    registers: [this.registry],
  });

  private readonly relayLagPositions = new Gauge({
    name: 'aid_relay_lag_positions',
    help: "Global positions between a relay's checkpoint and the newest event it publishes",
    labelNames: ['relay'] as const,
    registers: [this.registry],
  });

  constructor(
    @Inject(GATEWAY_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly service: ServiceContext,
  ) {
    collectDefaultMetrics({ register: this.registry });
  }

  countCommand(subject: string, outcome: CommandOutcome): void {
    // logistics.cmd.dispatch-shipment -> dispatch-shipment: a handful of values, never an id.
    this.commands.inc({ command: subject.slice(subject.lastIndexOf('.') + 1), outcome });
  }

  /** The exposition text, with the follower lags read now. */
  async exposition(): Promise<string> {
    await this.refreshFollowerLags();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async refreshFollowerLags(): Promise<void> {
    for (const gauge of [
      this.projectionLagSeconds,
      this.projectionLagPositions,
      this.relayLagSeconds,
      this.relayLagPositions,
    ]) {
      gauge.reset();
    }
    let lags: Awaited<ReturnType<typeof followerLags>>;
    try {
      lags = await followerLags(this.pool, this.store);
    } catch (error) {
      // The other metrics are still worth a scrape; the lag series are left out of this one.
      this.service.logger.warn({ err: error }, 'projection and relay lag could not be read');
      return;
    }
    for (const lag of lags) {
      if (lag.kind === 'relay') {
        this.relayLagSeconds.set({ relay: lag.name }, lag.seconds);
        this.relayLagPositions.set({ relay: lag.name }, lag.positions);
      } else {
        this.projectionLagSeconds.set({ projection: lag.name }, lag.seconds);
        this.projectionLagPositions.set({ projection: lag.name }, lag.positions);
      }
    }
  }
}
