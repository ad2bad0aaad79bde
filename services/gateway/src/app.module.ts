import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuditModule } from './audit/audit.module';
import { ApiKeyGuard } from './auth';
import { GatewayInfrastructureModule } from './gateway-infrastructure.module';
import { GATEWAY_SETTINGS, type GatewaySettings } from './gateway-settings';
import { HealthController } from './health/health.controller';
import { MetricsModule } from './metrics/metrics.module';
import { PartnerFeedModule } from './partner-feed/partner-feed.module';
import { ResourcesModule } from './resources/resources.module';
import { RateLimitGuard, rateLimitOptions } from './throttling/rate-limit';

@Module({
  imports: [
    GatewayInfrastructureModule,
    MetricsModule,
    DiscoveryModule,
    // Terminus reports a failing check in the 503 answer itself; its own error log would repeat it.
    TerminusModule.forRoot({ logger: false }),
    ThrottlerModule.forRootAsync({
      inject: [GATEWAY_SETTINGS],
      useFactory: (settings: GatewaySettings) => rateLimitOptions(settings),
    }),
    ResourcesModule,
    PartnerFeedModule,
    AuditModule,
  ],
  controllers: [HealthController],
  providers: [
    // In this order: the key is known before the rate limit counts against it.
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class GatewayModule {}
