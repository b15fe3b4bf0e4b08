/**
 * The services `npm start` runs, in start order, with their default ports (OPERATIONS.md): chat-api
 * migrates the schemas the persister writes into, so it comes before the persister.
 */
export const services = [
  { name: 'auth', entry: 'services/auth/src/main.ts', port: 3001 },
  { name: 'chat-api', entry: 'services/chat-api/src/main.ts', port: 3002 },
  { name: 'persister', entry: 'services/persister/src/main.ts', port: 3004 },
  { name: 'ws-gateway', entry: 'services/ws-gateway/src/main.ts', port: 3003 },
] as const;

/**
 * The web client's one origin under `npm start`: Vite's preview server of the built client, proxying
 * `/auth`, `/api` and `/ws` to the services above.
 */
export const web = { name: 'web', port: 8080 } as const;

/** The variable that moves one service's port under `npm start` (each service itself reads PORT). */
export const portVariableOf = (service: { name: string }): string =>
  `${service.name.toUpperCase().replaceAll('-', '_')}_PORT`;
