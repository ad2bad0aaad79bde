import { runService } from '@aid/messaging';
import { CommunitiesModule } from './app.module';

runService({ name: 'communities', module: CommunitiesModule });
