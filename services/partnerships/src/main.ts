import { runService } from '@aid/messaging';
import { PartnershipsModule } from './app.module';

runService({ name: 'partnerships', module: PartnershipsModule });
