import { runService } from '@warren/shared/service';
import { startAuthService } from './auth-service.ts';
import { loadConfig } from './config.ts';

await runService({ name: 'auth', loadConfig, start: startAuthService }, process.env);
