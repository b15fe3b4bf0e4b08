export { errorMiddleware, notFoundMiddleware, sendProblem, toWarrenError } from './error-middleware.ts';
export { createHttpApp, type HttpAppOptions, type ReadinessCheck } from './http-app.ts';
export { type RunningServer, startHttpServer } from './http-server.ts';
export { createRegistry, httpMetricsMiddleware } from './metrics.ts';
export {
  exactly,
  fieldErrorSchema,
  type HttpMethod,
  healthSchema,
  type JsonObject,
  messageSchema,
  type OpenApiAnswer,
  type OpenApiDocument,
  type OpenApiRoute,
  type OpenApiSpec,
  openApiDocument,
  openApiDocumentSchema,
  openApiPath,
  problemComponent,
  problemSchema,
  problemSchemaOf,
  problemsOf,
  readinessSchema,
  serveOpenApi,
  serviceRoutes,
  userRefSchema,
  userSchema,
} from './openapi/index.ts';
export { PROBLEM_CONTENT_TYPE, type Problem, problemType } from './problem.ts';
export { validate } from './validate.ts';
