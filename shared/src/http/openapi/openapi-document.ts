/**
 * An OpenAPI 3.1 document made from the zod schemas a service validates with and answers by, with
 * zod 4's own `z.toJSONSchema` (JSON Schema 2020-12, the dialect of OpenAPI 3.1): nothing of a body
 * is written twice. A route table says what zod cannot know: paths, statuses, which problems.
 */
import { z } from 'zod';
import { SharedErrors, type WarrenErrorClass } from '../../errors.ts';
import { PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { problemSchemaOf } from './problem-schemas.ts';

/** The methods Warren's routes use, as OpenAPI spells them. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A JSON Schema or OpenAPI object, as the document holds it. */
export type JsonObject = Record<string, unknown>;

/** A success answer of a route. */
export interface OpenApiAnswer {
  readonly description: string;
  /** Its JSON body: one of the document's named {@link OpenApiSpec.schemas}. None for an empty answer. */
  readonly body?: z.ZodType;
  /** A body that is not JSON (`/metrics`): its media type; it is described as a string. */
  readonly text?: string;
}

/** One route of the document. */
export interface OpenApiRoute {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** As express writes it: `/api/sessions/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Takes `Authorization: Bearer <access token>`. */
  readonly bearer?: boolean;
  /** What the route validates its query with (an object of strings). */
  readonly query?: z.ZodObject;
  /** What the route validates its JSON body with. */
  readonly body?: z.ZodType;
  /** Success statuses and their answers. */
  readonly answers: Readonly<Record<number, OpenApiAnswer>>;
  /** Problems of this route beyond those {@link problemsOf} adds by itself. */
  readonly problems?: readonly WarrenErrorClass[];
}

/** What a service's document is made of. */
export interface OpenApiSpec {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  /** Named answer shapes (components); every answer body must be one of them, by identity. */
  readonly schemas: Readonly<Record<string, z.ZodType>>;
  /** The schema of each `:name` a path may hold. */
  readonly pathParams: Readonly<Record<string, z.ZodType>>;
  /** Problems every bearer route may answer beyond `UNAUTHORIZED` (how this service checks tokens). */
  readonly bearerProblems?: readonly WarrenErrorClass[];
  readonly routes: readonly OpenApiRoute[];
}

/** An OpenAPI 3.1 document, as served. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Record<string, Record<string, JsonObject>>;
  readonly components: { readonly schemas: Record<string, JsonObject>; readonly securitySchemes: JsonObject };
}

const DIALECT = 'draft-2020-12';
const componentRef = (name: string): string => `#/components/schemas/${name}`;
/** The component name of an error code's problem document. */
export const problemComponent = (code: string): string => `Problem.${code}`;

/** OpenAPI's path template of an express path: `/sessions/:id` → `/sessions/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replaceAll(/:(\w+)/g, '{$1}');
}

/**
 * Every problem a route may answer: its own, the body's (invalid, not JSON, too large, not UTF-8),
 * the query's (invalid), a bearer route's (`UNAUTHORIZED` and the service's `bearerProblems`), and
 * `INTERNAL`, which any route may answer.
 */
export function problemsOf(route: OpenApiRoute, spec: Pick<OpenApiSpec, 'bearerProblems'>): WarrenErrorClass[] {
  const all = [
    ...(route.body ? [SharedErrors.invalidRequest, SharedErrors.invalidJson, SharedErrors.bodyTooLarge] : []),
    ...(route.body ? [SharedErrors.unsupportedMediaType] : []),
    ...(route.query ? [SharedErrors.invalidRequest] : []),
    ...(route.bearer ? [SharedErrors.unauthorized, ...(spec.bearerProblems ?? [])] : []),
    ...(route.problems ?? []),
    SharedErrors.internal,
  ];
  return [...new Map(all.map((error) => [error.code, error])).values()];
}

/** A request part (body, query) as JSON Schema: what a client must send (zod's `input` side). */
function requestSchema(schema: z.ZodType, where: string): JsonObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: DIALECT, io: 'input' }) as JsonObject;
  // A `$defs` would be resolved against the document's root, where it is not.
  if ('$defs' in json) throw new Error(`openApiDocument: ${where} has schemas with an id; give it none`);
  return json;
}

/** The query's fields as OpenAPI parameters, each with its own schema. */
function queryParameters(query: z.ZodObject, where: string): JsonObject[] {
  const json = requestSchema(query, where) as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: 'query',
      required: json.required?.includes(name) ?? false,
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function pathParameters(route: OpenApiRoute, spec: OpenApiSpec): JsonObject[] {
  return [...route.path.matchAll(/:(\w+)/g)].map(([, name = '']) => {
    const schema = spec.pathParams[name];
    if (schema === undefined) throw new Error(`openApiDocument: no schema for :${name} of ${route.path}`);
    const { description, ...rest } = requestSchema(schema, `:${name}`);
    return { name, in: 'path', required: true, ...(description === undefined ? {} : { description }), schema: rest };
  });
}

/** The headers a problem status comes with. */
function problemHeaders(status: number): JsonObject | undefined {
  if (status === 401) {
    return {
      'WWW-Authenticate': {
        description: 'RFC 6750: `Bearer`, with `error="invalid_token"` for a bad token.',
        schema: { type: 'string' },
      },
    };
  }
  if (status === 429 || status === 503) {
    return {
      'Retry-After': { description: 'Seconds to wait before trying again, when known.', schema: { type: 'integer' } },
    };
  }
  return undefined;
}

/**
 * The OpenAPI 3.1 document of `spec`: every route with its parameters, body, answers and the
 * problem documents of each error status (one component per error code, so an answer with a code
 * the route does not list does not fit).
 * @throws Error when an answer's body is not a named schema, a path parameter has no schema, or a
 * request schema carries an id.
 */
export function openApiDocument(spec: OpenApiSpec): OpenApiDocument {
  const names = new Map<z.ZodType, string>();
  const registry = z.registry<{ id: string }>();
  const register = (name: string, schema: z.ZodType): void => {
    names.set(schema, name);
    registry.add(schema, { id: name });
  };
  for (const [name, schema] of Object.entries(spec.schemas)) register(name, schema);
  const problemCodes = new Set(spec.routes.flatMap((route) => problemsOf(route, spec)));
  for (const error of [...problemCodes].sort((a, b) => a.code.localeCompare(b.code))) {
    register(problemComponent(error.code), problemSchemaOf(error));
  }
  const refOf = (schema: z.ZodType, where: string): JsonObject => {
    const name = names.get(schema);
    if (name === undefined) throw new Error(`openApiDocument: the answer of ${where} is not one of the named schemas`);
    return { $ref: componentRef(name) };
  };

  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of spec.routes) {
    const where = `${route.method.toUpperCase()} ${route.path}`;
    const responses: Record<string, JsonObject> = {};
    for (const [status, answer] of Object.entries(route.answers)) {
      const content = answer.body
        ? { 'application/json': { schema: refOf(answer.body, where) } }
        : answer.text
          ? { [answer.text]: { schema: { type: 'string' } } }
          : undefined;
      responses[status] = { description: answer.description, ...(content ? { content } : {}) };
    }
    const byStatus = new Map<number, WarrenErrorClass[]>();
    for (const error of problemsOf(route, spec))
      byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
    for (const [status, errors] of [...byStatus].sort(([a], [b]) => a - b)) {
      const refs = errors.map((error) => ({ $ref: componentRef(problemComponent(error.code)) }));
      const headers = problemHeaders(status);
      responses[String(status)] = {
        description: `A problem: ${errors.map((error) => error.code).join(', ')}.`,
        ...(headers ? { headers } : {}),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: refs.length === 1 ? refs[0] : { oneOf: refs } } },
      };
    }
    const parameters = [
      ...pathParameters(route, spec),
      ...(route.query ? queryParameters(route.query, `the query of ${where}`) : []),
    ];
    const operation: JsonObject = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security: route.bearer ? [{ bearer: [] }] : [],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: requestSchema(route.body, `the body of ${where}`) } },
            },
          }
        : {}),
      responses,
    };
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation };
  }

  const { schemas } = z.toJSONSchema(registry, { target: DIALECT, io: 'output', uri: componentRef });
  const components: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const { $schema: _dialect, $id: _id, ...json } = schema as JsonObject;
    components[name] = json;
  }
  if ('__shared' in components) throw new Error('openApiDocument: a schema has an id of its own; give it none');
  return {
    openapi: '3.1.0',
    info: { title: spec.title, version: spec.version, description: spec.description },
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
