import { Controller, Get, Header, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth';
import { GatewayMetrics } from './gateway-metrics';

@ApiTags('health')
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Prometheus text: request latency, commands by outcome, projection and relay lag, process metrics. */
  @Public()
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiResponse({ status: 200, description: 'Prometheus exposition format' })
  async scrape(@Res({ passthrough: true }) response: unknown): Promise<string> {
    this.adapterHost.httpAdapter.setHeader(response, 'Content-Type', this.metrics.contentType);
    return this.metrics.exposition();
  }
}
