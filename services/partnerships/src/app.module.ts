import { Module } from '@nestjs/common';
import { EventSourcingModule } from '@aid/messaging';
import { PartnershipsAuditModule } from './audit/audit.module';
import { HealthController } from './health/health.controller';
import { PartiesReadModel } from './parties/parties.read-model';
import { PartnershipCommands } from './partnership/partnership.commands';
import { PartnershipController } from './partnership/partnership.controller';
import { PartnershipQueries } from './partnership/partnership.queries';
import { PartnershipsReadModel } from './partnership/partnerships.read-model';

@Module({
  imports: [
    EventSourcingModule.forService({ relayStreamPrefixes: ['partnership-'] }),
    PartnershipsAuditModule,
  ],
  controllers: [HealthController, PartnershipController],
  providers: [PartiesReadModel, PartnershipsReadModel, PartnershipCommands, PartnershipQueries],
})
export class PartnershipsModule {}
