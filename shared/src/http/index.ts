export { errorMiddleware, notFoundMiddleware, sendProblem, toWarrenError } from './error-middleware.ts';
export { createHttpApp, type HttpAppOptions, type ReadinessCheck } from './http-app.ts';
export { type RunningServer, startHttpServer } from './http-server.ts';
export { createRegistry, httpMetricsMiddleware } from './metrics.ts';
export { PROBLEM_CONTENT_TYPE, type Problem, problemType } from './problem.ts';
export { validate } from './validate.ts';
