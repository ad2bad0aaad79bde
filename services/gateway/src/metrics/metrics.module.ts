import { Global, Module } from '@nestjs/common';
import { GatewayMetrics } from './gateway-metrics';
import { MetricsController } from './metrics.controller';

/** GET /metrics, and the metrics every other part of the gateway counts into. */
@Global()
@Module({ controllers: [MetricsController], providers: [GatewayMetrics], exports: [GatewayMetrics] })
export class MetricsModule {}
