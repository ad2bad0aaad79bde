import { openEmmettStore } from './emmett-store';
import { serveBenchCommands } from './worker';

serveBenchCommands(openEmmettStore);
