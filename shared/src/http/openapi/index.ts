export { exactly, messageSchema, userRefSchema, userSchema } from './contract-answers.ts';
export {
  type HttpMethod,
  type JsonObject,
  type OpenApiAnswer,
  type OpenApiDocument,
  type OpenApiRoute,
  type OpenApiSpec,
  openApiDocument,
  openApiPath,
  problemComponent,
  problemsOf,
} from './openapi-document.ts';
export { fieldErrorSchema, problemSchema, problemSchemaOf } from './problem-schemas.ts';
export {
  healthSchema,
  openApiDocumentSchema,
  readinessSchema,
  serveOpenApi,
  serviceRoutes,
} from './service-routes.ts';
