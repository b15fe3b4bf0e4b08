/** The services `npm start` runs, in start order, with their default ports (OPERATIONS.md). */
export const services = [{ name: 'auth', entry: 'services/auth/src/main.ts', port: 3001 }] as const;

/** The variable that moves one service's port under `npm start` (each service itself reads PORT). */
export const portVariableOf = (service: { name: string }): string =>
  `${service.name.toUpperCase().replaceAll('-', '_')}_PORT`;
