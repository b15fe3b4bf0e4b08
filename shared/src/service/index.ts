export { ResourceStack } from './resource-stack.ts';
export { runMigrations } from './run-migrations.ts';
export { type RunnableConfig, runService, type ServiceEntry } from './run-service.ts';
export type {
  RunningService,
  SchemaMigrations,
  ServiceConfig,
  ServiceDatabase,
  ServiceKit,
  ServiceKitOf,
  ServiceParts,
  ServiceSpec,
} from './service-spec.ts';
export { installShutdown, type ShutdownOptions, type ShutdownStep } from './shutdown.ts';
export { startService } from './start-service.ts';
