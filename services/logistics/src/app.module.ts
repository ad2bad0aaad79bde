import { Module } from '@nestjs/common';
import { EventSourcingModule } from '@aid/messaging';
import { LogisticsAuditModule } from './audit/audit.module';
import { HealthController } from './health/health.controller';
import { LogisticsQueriesController } from './queries/logistics-queries.controller';
import { LogisticsQueries } from './queries/logistics-queries.service';
import { ShipmentsReadModel } from './read-model/shipments-read-model.service';
import { ReferencesService } from './references/references.service';
import { ShipmentCommandsController } from './shipment/shipment-commands.controller';
import { ShipmentCommands } from './shipment/shipment-commands.service';

@Module({
  imports: [EventSourcingModule.forService({ relayStreamPrefixes: ['shipment-'] }), LogisticsAuditModule],
  controllers: [HealthController, ShipmentCommandsController, LogisticsQueriesController],
  providers: [ReferencesService, ShipmentsReadModel, ShipmentCommands, LogisticsQueries],
})
export class LogisticsModule {}
