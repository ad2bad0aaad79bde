import { Module } from '@nestjs/common';
import { COMMUNITY_STREAM_PREFIX, ORGANISATION_STREAM_PREFIX } from '@aid/contracts';
import { EventSourcingModule } from '@aid/messaging';
import { CommunitiesAuditModule } from './audit/audit.module';
import { CommunityCommands } from './community/community.commands';
import { CommunityController } from './community/community.controller';
import { CommunityQueries } from './community/community.queries';
import { HealthController } from './health/health.controller';
import { OrganisationCommands } from './organisation/organisation.commands';
import { OrganisationController } from './organisation/organisation.controller';
import { OrganisationQueries } from './organisation/organisation.queries';
import { RegistryReadModel } from './read-model/registry-read-model';

@Module({
  imports: [
    EventSourcingModule.forService({
      relayStreamPrefixes: [COMMUNITY_STREAM_PREFIX, ORGANISATION_STREAM_PREFIX],
    }),
    CommunitiesAuditModule,
  ],
  controllers: [HealthController, CommunityController, OrganisationController],
  providers: [
    RegistryReadModel,
    CommunityCommands,
    CommunityQueries,
    OrganisationCommands,
    OrganisationQueries,
  ],
})
export class CommunitiesModule {}
