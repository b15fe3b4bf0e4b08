// `npm run migrate -w @warren/persister`: the history schema, ahead of a deployment (the persister also migrates it at start).
import { HISTORY_SCHEMA, historyMigrations } from '@warren/shared/history';
import { runMigrations } from '@warren/shared/service';

await runMigrations('persister', [{ schema: HISTORY_SCHEMA, migrations: historyMigrations }], process.env);
