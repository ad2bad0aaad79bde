import { runService } from '@aid/messaging';
import { LogisticsModule } from './app.module';

runService({ name: 'logistics', module: LogisticsModule });
