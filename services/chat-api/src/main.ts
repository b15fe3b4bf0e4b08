import { runService } from '@warren/shared/service';
import { startChatApiService } from './chat-api-service.ts';
import { loadConfig } from './config.ts';

await runService({ name: 'chat-api', loadConfig, start: startChatApiService }, process.env);
