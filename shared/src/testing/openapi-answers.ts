import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { type OpenApiDocument, openApiPath } from '../http/index.ts';

/** An answer as a test sees it: status, headers and body (JSON parsed, other text as is, undefined when empty). */
export interface CheckedAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field.
  body: any;
}

/** What to send besides method and path. */
export interface CallOptions {
  readonly token?: string;
  /** JSON-encoded unless a string. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The base URI the document is known by to the JSON Schema validator, so its `#/components/…` refs resolve. */
const DOCUMENT_ID = 'urn:warren:openapi';

const escapePointer = (segment: string): string => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Holds a service's real answers against its OpenAPI document: every call made through
 * {@link call} must answer a status the document lists for its route, with a body its schema for
 * that status and media type accepts (ajv, JSON Schema 2020-12, formats checked), and is counted,
 * so a test can show that it exercised every documented route.
 */
export class OpenApiAnswers {
  readonly #document: OpenApiDocument;
  readonly #baseUrl: () => string;
  readonly #ajv: Ajv2020;
  /** `METHOD /template` of each route answered so far. */
  readonly exercised = new Set<string>();

  private constructor(document: OpenApiDocument, baseUrl: () => string) {
    this.#document = document;
    this.#baseUrl = baseUrl;
    // Not strict: the document's own members (`openapi`, `paths`, …) are no JSON Schema keywords.
    this.#ajv = new Ajv2020({ strictSchema: false, allErrors: true });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  }

  /**
   * Checks `document` against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator), then
   * holds the answers of the service at `baseUrl` against it.
   * @throws Error listing what makes the document invalid.
   */
  static async of(document: unknown, baseUrl: () => string): Promise<OpenApiAnswers> {
    const result = await new Validator().validate(document as Record<string, unknown>);
    if (!result.valid) throw new Error(`invalid OpenAPI document: ${JSON.stringify(result.errors, null, 2)}`);
    return new OpenApiAnswers(document as OpenApiDocument, baseUrl);
  }

  /** `METHOD /template` of every route the document lists. */
  documented(): Set<string> {
    return new Set(
      Object.entries(this.#document.paths).flatMap(([template, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${template}`),
      ),
    );
  }

  /** Calls the service and checks the answer against the document before returning it. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<CheckedAnswer> {
    const { token, body, headers = {} } = options;
    const response = await fetch(`${this.#baseUrl()}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const answer: CheckedAnswer = {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : mediaType.endsWith('json') ? JSON.parse(text) : text,
    };
    this.check(method, path, answer, mediaType);
    return answer;
  }

  /**
   * Checks one answer of `METHOD path` against the document.
   * @throws Error when the route, its status or its media type is not documented, or the body does not fit.
   */
  check(method: string, path: string, answer: CheckedAnswer, mediaType: string): void {
    const template = this.#templateOf(path);
    const where = `${method} ${path} (${template ?? 'no documented route'}) answered ${answer.status}`;
    const operation = template === undefined ? undefined : this.#document.paths[template]?.[method.toLowerCase()];
    if (template === undefined || operation === undefined) throw new Error(`${where}: the route is not documented`);
    const responses = operation.responses as Record<string, { content?: Record<string, unknown> }>;
    const documented = responses[String(answer.status)];
    if (documented === undefined) {
      throw new Error(`${where}: the status is not documented; body ${JSON.stringify(answer.body)}`);
    }
    if (documented.content === undefined) {
      if (answer.body !== undefined) throw new Error(`${where}: documented without a body, answered ${answer.body}`);
    } else {
      if (!(mediaType in documented.content)) {
        throw new Error(
          `${where}: media type ${mediaType} is not one of ${Object.keys(documented.content).join(', ')}`,
        );
      }
      const pointer = [
        'paths',
        template,
        method.toLowerCase(),
        'responses',
        String(answer.status),
        'content',
        mediaType,
      ]
        .map(escapePointer)
        .join('/');
      const validate = this.#ajv.getSchema(`${DOCUMENT_ID}#/${pointer}/schema`);
      if (validate === undefined) throw new Error(`${where}: no schema at ${pointer}`);
      if (!validate(answer.body)) {
        throw new Error(
          `${where}: the body does not fit the document: ${this.#ajv.errorsText(validate.errors)}\n${JSON.stringify(answer.body, null, 2)}`,
        );
      }
    }
    this.exercised.add(`${method.toUpperCase()} ${template}`);
  }

  /** The documented template of a concrete path; literal segments win over parameters, as the routers order them. */
  #templateOf(path: string): string | undefined {
    const segments = (path.split('?')[0] ?? '').split('/');
    let best: { template: string; literals: number } | undefined;
    for (const template of Object.keys(this.#document.paths)) {
      const parts = template.split('/');
      if (parts.length !== segments.length) continue;
      const fits = parts.every((part, i) => part.startsWith('{') || part === segments[i]);
      const literals = parts.filter((part) => !part.startsWith('{')).length;
      if (fits && (best === undefined || literals > best.literals)) best = { template, literals };
    }
    return best?.template;
  }
}

/** An express router as far as {@link routesOf} reads it. */
interface RouterStack {
  readonly stack: readonly unknown[];
}

/**
 * `METHOD /template` of every route an express router (and the routers it uses, mounted without a
 * path) handles under `prefix`: what its document must list, so a route added without it fails.
 */
export function routesOf(router: RouterStack, prefix: string): string[] {
  return router.stack.flatMap((layer) => {
    const { route, handle } = layer as {
      route?: { path: string; methods: Record<string, boolean> };
      handle?: Partial<RouterStack>;
    };
    if (route) {
      return Object.keys(route.methods)
        .filter((method) => method !== '_all')
        .map((method) => `${method.toUpperCase()} ${openApiPath(`${prefix}${route.path}`)}`);
    }
    return handle?.stack ? routesOf(handle as RouterStack, prefix) : [];
  });
}
