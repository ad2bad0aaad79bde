import { SHIPMENT_STREAM_PREFIX } from '@aid/contracts';
import type { StreamFolders } from '@aid/projections';
import { shipmentDecider } from '../shipment/shipment.decider';

/**
 * How the audit folds this service's streams (their state at a past moment):
 * the very decider the shipment commands go through.
 */
export const LOGISTICS_STREAM_FOLDERS: StreamFolders = [[SHIPMENT_STREAM_PREFIX, shipmentDecider]];
