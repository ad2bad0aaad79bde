import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LOGISTICS_SUBJECTS, type Page, type QueryRequest } from '@aid/contracts';
import { LogisticsQueries } from './logistics-queries.service';
import type { ShipmentView, ShortfallView, TonnageAnswer } from './views';

@Controller()
export class LogisticsQueriesController {
  constructor(private readonly queries: LogisticsQueries) {}

  @MessagePattern(LOGISTICS_SUBJECTS.queryShipment)
  shipment(@Payload() request: QueryRequest): Promise<ShipmentView> {
    return this.queries.shipment(request);
  }

  @MessagePattern(LOGISTICS_SUBJECTS.queryShipments)
  shipments(@Payload() request: QueryRequest): Promise<Page<ShipmentView>> {
    return this.queries.shipments(request);
  }

  @MessagePattern(LOGISTICS_SUBJECTS.queryTonnage)
  tonnage(@Payload() request: QueryRequest): Promise<TonnageAnswer> {
    return this.queries.tonnage(request);
  }

  @MessagePattern(LOGISTICS_SUBJECTS.queryShortfalls)
  shortfalls(@Payload() request: QueryRequest): Promise<Page<ShortfallView>> {
    return this.queries.shortfalls(request);
  }
}
