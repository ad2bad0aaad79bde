import { openOurStore } from './ours-store';
import { serveBenchCommands } from './worker';

serveBenchCommands(openOurStore);
