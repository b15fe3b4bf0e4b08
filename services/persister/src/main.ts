import { runService } from '@warren/shared/service';
import { loadConfig } from './config.ts';
import { startPersisterService } from './persister-service.ts';

await runService({ name: 'persister', loadConfig, start: startPersisterService }, process.env);
