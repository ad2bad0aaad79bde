import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { healthSubject, type HealthReply, ServiceContext } from '@aid/messaging';
import { HealthCheckService, type HealthReport } from './health-check.service';

@Controller()
export class HealthController {
  constructor(
    private readonly healthCheck: HealthCheckService,
    private readonly service: ServiceContext,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** 200 when NATS, PostgreSQL and every service answer; 503 with the same report otherwise. */
  @Get('health')
  async health(@Res({ passthrough: true }) response: unknown): Promise<HealthReport> {
    const report = await this.healthCheck.report();
    if (report.status !== 'ok') this.adapterHost.httpAdapter.status(response, HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  @MessagePattern(healthSubject('gateway'))
  liveness(): HealthReply {
    return this.service.health();
  }
}
