/** The services `npm start` runs, in start order, with their default ports (OPERATIONS.md). */
export const services = [{ name: 'auth', entry: 'services/auth/src/main.ts', port: 3001 }] as const;
