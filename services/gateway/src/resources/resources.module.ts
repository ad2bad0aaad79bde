import { Module } from '@nestjs/common';
import { Backend } from '../backend/backend';
import { ApiKeysController } from './api-keys.controller';
import { CommunitiesController } from './communities.controller';
import { OrganisationsController } from './organisations.controller';
import { PartnershipsController } from './partnerships.controller';
import { ShipmentsController, TonnageController } from './shipments.controller';

/** The REST resources of DESIGN.md's HTTP table, each forwarding to its owning service over NATS. */
@Module({
  controllers: [
    CommunitiesController,
    OrganisationsController,
    PartnershipsController,
    ShipmentsController,
    TonnageController,
    ApiKeysController,
  ],
  providers: [Backend],
})
export class ResourcesModule {}
