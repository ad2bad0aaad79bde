import { Module } from '@nestjs/common';
import { NatsRequester, ServiceContext } from '@aid/messaging';
import { HealthCheckService } from './health/health-check.service';
import { HealthController } from './health/health.controller';

@Module({
  controllers: [HealthController],
  providers: [
    {
      provide: NatsRequester,
      inject: [ServiceContext],
      useFactory: (service: ServiceContext) =>
        new NatsRequester({ natsUrl: service.config.natsUrl, name: 'gateway' }),
    },
    HealthCheckService,
  ],
})
export class GatewayModule {}
