import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  LOGISTICS_SUBJECTS,
  type Page,
  PlanShipment,
  ShipmentsQueryParams,
  ShortfallsQueryParams,
  TonnageQueryParams,
} from '@aid/contracts';
import { Roles } from '../auth';
import { Backend, type WriteAnswer } from '../backend/backend';
import { type GatewayRequest } from '../http/gateway-request';
import { UuidParamPipe } from '../http/validation.pipes';
import {
  CancelShipmentBody,
  CorrectReceiptBody,
  DispatchShipmentBody,
  ReceiveShipmentBody,
  RecordDiscrepancyBody,
} from './bodies';
import { READERS } from './roles';
import { CommandRoute, CreateRoute, ListRoute, ResourceRoute } from './route-decorators';

/** Shipments: planned -> sent -> received (or cancelled). The service scopes a partner key's reads. */
@ApiTags('shipments')
@ApiBearerAuth()
@Controller('v1/shipments')
export class ShipmentsController {
  constructor(private readonly backend: Backend) {}

  @Roles('coordinator')
  @CreateRoute()
  plan(@Body() body: PlanShipment, @Req() request: GatewayRequest): Promise<WriteAnswer> {
    return this.backend.create(LOGISTICS_SUBJECTS.planShipment, body, request);
  }

  @Roles('coordinator')
  @CommandRoute(':id/dispatch')
  dispatch(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: DispatchShipmentBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(LOGISTICS_SUBJECTS.dispatchShipment, id, body, request);
  }

  @Roles('coordinator')
  @CommandRoute(':id/receipt')
  receive(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: ReceiveShipmentBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(LOGISTICS_SUBJECTS.receiveShipment, id, body, request);
  }

  @Roles('coordinator')
  @CommandRoute(':id/cancellation')
  cancel(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: CancelShipmentBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(LOGISTICS_SUBJECTS.cancelShipment, id, body, request);
  }

  /** Goods of a received shipment found lost or expired later. */
  @Roles('coordinator')
  @CommandRoute(':id/discrepancies')
  recordDiscrepancy(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: RecordDiscrepancyBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(LOGISTICS_SUBJECTS.recordDiscrepancy, id, body, request);
  }

  /** New receipt figures for some items: a correction is a new event, never an edit. */
  @Roles('coordinator')
  @CommandRoute(':id/receipt-corrections')
  correctReceipt(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: CorrectReceiptBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(LOGISTICS_SUBJECTS.correctReceipt, id, body, request);
  }

  @Roles(...READERS)
  @ListRoute()
  list(@Query() query: ShipmentsQueryParams, @Req() request: GatewayRequest): Promise<Page<unknown>> {
    return this.backend.query(LOGISTICS_SUBJECTS.queryShipments, query, request);
  }

  @Roles(...READERS)
  @ResourceRoute(':id')
  get(@Param('id', UuidParamPipe) id: string, @Req() request: GatewayRequest): Promise<unknown> {
    return this.backend.read(LOGISTICS_SUBJECTS.queryShipment, { id }, request);
  }
}

/** Tonnage and the receipts that fell short: read models of the logistics service. */
@ApiTags('tonnage')
@ApiBearerAuth()
@Controller('v1')
export class TonnageController {
  constructor(private readonly backend: Backend) {}

  /** Rows of {key, label, shipments, dispatchedKg, receivedKg, inTransitKg, shortfallKg}, and totals. */
  @Roles(...READERS)
  @ListRoute('tonnage')
  tonnage(@Query() query: TonnageQueryParams, @Req() request: GatewayRequest): Promise<unknown> {
    return this.backend.query(LOGISTICS_SUBJECTS.queryTonnage, query, request);
  }

  /** Received shipments with at least one item short, newest first. */
  @Roles(...READERS)
  @ListRoute('shortfalls')
  shortfalls(@Query() query: ShortfallsQueryParams, @Req() request: GatewayRequest): Promise<Page<unknown>> {
    return this.backend.query(LOGISTICS_SUBJECTS.queryShortfalls, query, request);
  }
}
