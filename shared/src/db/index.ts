export { checkDatabase, createDatabase, type DatabaseOptions, type Knex, pingDatabase } from './database.ts';
export { type Migration, migrate } from './migrations.ts';
export { databaseSchemas } from './schemas.ts';
export { TableStore } from './table-store.ts';
export { isUniqueViolation } from './unique-violation.ts';
