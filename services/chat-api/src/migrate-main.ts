// `npm run migrate -w @warren/chat-api`: the schemas chat-api migrates at start, ahead of a deployment.
import { HISTORY_SCHEMA, historyMigrations } from '@warren/shared/history';
import { runMigrations } from '@warren/shared/service';
import { CHAT_SCHEMA, migrations } from './stores/migrations/index.ts';

await runMigrations(
  'chat-api',
  [
    { schema: CHAT_SCHEMA, migrations },
    { schema: HISTORY_SCHEMA, migrations: historyMigrations },
  ],
  process.env,
);
