/**
 * The parameters of the logistics queries live in @aid/contracts (the gateway validates the query
 * string with the same classes); re-exported here under the names the service uses.
 */
export {
  PagedFilterParams,
  ShipmentFilterParams,
  ShipmentQueryParams,
  ShipmentsQueryParams,
  ShortfallsQueryParams,
  TonnageQueryParams,
  SHIPMENTS_DEFAULT_PAGE_SIZE as DEFAULT_PAGE_SIZE,
  SHIPMENTS_MAX_PAGE_SIZE as MAX_PAGE_SIZE,
} from '@aid/contracts';
