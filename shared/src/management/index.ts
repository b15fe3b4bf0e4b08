export { ManagementApiError, ManagementClient, type ManagementConnection } from './management-client.ts';
