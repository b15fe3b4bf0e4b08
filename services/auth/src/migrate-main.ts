// `npm run migrate -w @warren/auth`: auth's schema, ahead of a deployment (auth also migrates it at start).
import { runMigrations } from '@warren/shared/service';
import { AUTH_SCHEMA, migrations } from './migrations/index.ts';

await runMigrations('auth', [{ schema: AUTH_SCHEMA, migrations }], process.env);
