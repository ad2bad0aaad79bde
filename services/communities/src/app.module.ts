import { Module } from '@nestjs/common';
import { EventSourcingModule } from '@aid/messaging';
import { HealthController } from './health/health.controller';

@Module({
  imports: [EventSourcingModule.forService({ relayStreamPrefixes: ['community-', 'organisation-'] })],
  controllers: [HealthController],
})
export class CommunitiesModule {}
