import { runService } from '@aid/messaging';
import { gatewayService } from './gateway.service';

runService(gatewayService);
