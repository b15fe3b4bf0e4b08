import { expect } from 'chai';
import { Router } from 'express';
import { createDatabase, type Knex } from '../../src/db/index.ts';
import { SharedErrors, WarrenError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/index.ts';
import { eventually } from '../../src/testing/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { serve, type TestApp } from './serve.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Fetches and reads the answer as JSON, asserting it is a problem document. */
async function problemOf(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
  const text = await response.text();
  expect(text).to.not.match(/<html|\bat .*\.ts:\d+/i);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('createHttpApp', () => {
  describe('routes and errors', () => {
    let app: TestApp;
    let databasePort: number;
    let db: Knex;
    before(async () => {
      databasePort = await closedPort();
      db = createDatabase({
        url: `postgres://postgres:pw@127.0.0.1:${databasePort}/warren`,
        logger: createLogger({ service: 'test', level: 'silent' }),
      });
      app = await serve((express) => {
        express.post('/echo', (req, res) => {
          res.json({ body: req.body as unknown });
        });
        express.get('/conflict', () => {
          throw new WarrenError('SOME_CONFLICT', 409, 'Conflict', 'it clashes', {
            errors: [{ field: 'name', message: 'taken' }],
            headers: { 'Retry-After': '7' },
          });
        });
        express.get('/async-warren', async () => {
          await Promise.resolve();
          throw new SharedErrors.rateLimited('slow down', { headers: { 'Retry-After': '2' } });
        });
        express.get('/boom', () => {
          throw new Error('select * from users: password column leaked');
        });
        express.get('/db', async (_req, res) => {
          res.json(await db.raw('select 1'));
        });
        express.get('/ip', (req, res) => {
          res.json({ ip: req.ip });
        });
      });
    });
    after(async () => {
      await app.server.close();
      await db.destroy();
    });

    /** POSTs `body` to the route answering with the body it parsed. */
    const echo = (body: string, contentType = 'application/json') =>
      fetch(`${app.url}/echo`, { method: 'POST', headers: { 'content-type': contentType }, body });

    it('answers an unknown route with a 404 problem', async () => {
      const response = await fetch(`${app.url}/nowhere?x=1`);
      expect(response.status).to.equal(404);
      expect(await problemOf(response)).to.deep.equal({
        type: 'urn:warren:problem:not-found',
        title: 'Not found',
        status: 404,
        detail: 'no route for GET /nowhere',
        code: 'NOT_FOUND',
      });
    });

    it('parses JSON bodies', async () => {
      const response = await echo(JSON.stringify({ hello: ['world'] }));
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ body: { hello: ['world'] } });
    });

    it('answers a body that is not JSON with a 400 problem', async () => {
      const response = await echo('{"hello": ');
      expect(response.status).to.equal(400);
      expect(await problemOf(response)).to.include({ status: 400, code: 'INVALID_JSON' });
    });

    it('takes only objects and arrays as JSON bodies', async () => {
      const response = await echo('"just a string"');
      expect(response.status).to.equal(400);
      expect(await problemOf(response)).to.include({ code: 'INVALID_JSON' });
    });

    it('answers a body over 1 MiB with a 413 problem', async () => {
      const response = await echo(JSON.stringify({ text: 'x'.repeat(1024 * 1024) }));
      expect(response.status).to.equal(413);
      expect(await problemOf(response)).to.include({ status: 413, code: 'BODY_TOO_LARGE' });
    });

    it('takes a body of just under 1 MiB', async () => {
      const text = 'x'.repeat(1024 * 1024 - 20);
      const response = await echo(JSON.stringify({ text }));
      expect(response.status).to.equal(200);
      expect(((await response.json()) as { body: { text: string } }).body.text).to.have.length(text.length);
    });

    it('answers a JSON body in a charset other than UTF-8 with a 415 problem', async () => {
      const response = await echo('{}', 'application/json; charset=latin1');
      expect(response.status).to.equal(415);
      expect(await problemOf(response)).to.include({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('answers a thrown WarrenError with its status, code, field errors and headers', async () => {
      const response = await fetch(`${app.url}/conflict`);
      expect(response.status).to.equal(409);
      expect(response.headers.get('retry-after')).to.equal('7');
      expect(await problemOf(response)).to.deep.equal({
        type: 'urn:warren:problem:some-conflict',
        title: 'Conflict',
        status: 409,
        detail: 'it clashes',
        code: 'SOME_CONFLICT',
        errors: [{ field: 'name', message: 'taken' }],
      });
    });

    it('answers a WarrenError of an async handler the same way', async () => {
      const response = await fetch(`${app.url}/async-warren`);
      expect(response.status).to.equal(429);
      expect(response.headers.get('retry-after')).to.equal('2');
      expect(await problemOf(response)).to.include({ code: 'RATE_LIMITED', detail: 'slow down' });
    });

    it('answers an unknown error with a 500 problem that leaks neither its message nor its stack', async () => {
      const response = await fetch(`${app.url}/boom`);
      expect(response.status).to.equal(500);
      const text = JSON.stringify(await problemOf(response));
      expect(JSON.parse(text)).to.deep.equal({
        type: 'urn:warren:problem:internal',
        title: 'Internal error',
        status: 500,
        detail: 'something went wrong on our side',
        code: 'INTERNAL',
      });
      expect(text).to.not.contain('password').and.not.contain('select').and.not.contain('http-app.test');
    });

    it('answers a database that refuses connections with a 503 problem', async () => {
      const response = await fetch(`${app.url}/db`);
      expect(response.status).to.equal(503);
      const problem = await problemOf(response);
      expect(problem).to.include({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect(JSON.stringify(problem)).to.not.contain('ECONNREFUSED').and.not.contain(String(databasePort));
    });

    it('sets helmet headers and hides the framework', async () => {
      const response = await fetch(`${app.url}/healthz`);
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(response.headers.get('x-powered-by')).to.equal(null);
    });

    it('does not believe X-Forwarded-For by default', async () => {
      const response = await fetch(`${app.url}/ip`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      const { ip } = (await response.json()) as { ip: string };
      expect(ip).to.match(/^(::ffff:)?127\.0\.0\.1$/);
    });
  });

  describe('trust proxy', () => {
    let app: TestApp;
    before(async () => {
      app = await serve(
        (express) => {
          express.get('/ip', (req, res) => {
            res.json({ ip: req.ip });
          });
        },
        { trustProxy: 1 },
      );
    });
    after(() => app.server.close());

    it('believes as many proxy hops as it is told', async () => {
      const response = await fetch(`${app.url}/ip`, { headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } });
      expect(await response.json()).to.deep.equal({ ip: '203.0.113.9' });
    });
  });

  describe('request ids', () => {
    let app: TestApp;
    before(async () => {
      app = await serve((express) => {
        express.get('/id', (req, res) => {
          res.json({ id: req.id });
        });
      });
    });
    after(() => app.server.close());

    it('echoes a well-formed x-request-id and gives it to the handler', async () => {
      const response = await fetch(`${app.url}/id`, { headers: { 'x-request-id': 'edge-1234.abc:5' } });
      expect(response.headers.get('x-request-id')).to.equal('edge-1234.abc:5');
      expect(await response.json()).to.deep.equal({ id: 'edge-1234.abc:5' });
    });

    it('generates a UUID when there is none', async () => {
      const response = await fetch(`${app.url}/id`);
      const id = response.headers.get('x-request-id');
      expect(id).to.match(UUID);
      expect(await response.json()).to.deep.equal({ id });
    });

    it('replaces a malformed or overlong x-request-id', async () => {
      for (const given of ['has spaces', '<script>', 'x'.repeat(129)]) {
        const response = await fetch(`${app.url}/id`, { headers: { 'x-request-id': given } });
        expect(response.headers.get('x-request-id')).to.match(UUID);
      }
    });

    it('puts one on error answers too', async () => {
      const response = await fetch(`${app.url}/missing`, { headers: { 'x-request-id': 'abc' } });
      expect(response.status).to.equal(404);
      expect(response.headers.get('x-request-id')).to.equal('abc');
    });
  });

  describe('/healthz and /readyz', () => {
    it('/healthz answers 200 while running', async () => {
      const app = await serve(() => undefined);
      try {
        const response = await fetch(`${app.url}/healthz`);
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal({ status: 'ok' });
      } finally {
        await app.server.close();
      }
    });

    it('/readyz answers 200 without checks', async () => {
      const app = await serve(() => undefined);
      try {
        const response = await fetch(`${app.url}/readyz`);
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal({ status: 'ready', checks: {} });
      } finally {
        await app.server.close();
      }
    });

    it('/readyz answers 200 when every check passes', async () => {
      const app = await serve(() => undefined, {
        readiness: [
          { name: 'broker', check: () => true },
          { name: 'database', check: async () => true },
        ],
      });
      try {
        const response = await fetch(`${app.url}/readyz`);
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal({ status: 'ready', checks: { broker: 'ok', database: 'ok' } });
      } finally {
        await app.server.close();
      }
    });

    it('/readyz answers 503 naming the checks that return false, throw, reject or hang', async () => {
      const app = await serve(() => undefined, {
        readinessTimeoutMs: 100,
        readiness: [
          { name: 'fine', check: () => true },
          { name: 'false', check: () => false },
          {
            name: 'throws',
            check: () => {
              throw new Error('down');
            },
          },
          { name: 'rejects', check: () => Promise.reject(new Error('down')) },
          { name: 'hangs', check: () => new Promise<boolean>(() => undefined) },
        ],
      });
      try {
        const response = await fetch(`${app.url}/readyz`);
        expect(response.status).to.equal(503);
        expect(await response.json()).to.deep.equal({
          status: 'not ready',
          checks: { fine: 'ok', false: 'failing', throws: 'failing', rejects: 'failing', hangs: 'failing' },
        });
      } finally {
        await app.server.close();
      }
    });
  });

  describe('/metrics', () => {
    let app: TestApp;
    before(async () => {
      app = await serve((express) => {
        express.get('/items/:id', (req, res) => {
          res.json({ id: req.params.id });
        });
        const router = Router();
        router.get('/things/:thingId', (req, res) => {
          res.json({ id: req.params.thingId });
        });
        express.use('/api', router);
      });
    });
    after(() => app.server.close());

    it('serves the Prometheus text format with the default process metrics', async () => {
      const response = await fetch(`${app.url}/metrics`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^text\/plain/);
      const text = await response.text();
      expect(text).to.contain('# TYPE http_request_duration_seconds histogram');
      expect(text).to.contain('process_cpu_user_seconds_total{service="test"}');
    });

    it('labels request latency with the route pattern, not the raw path', async () => {
      for (const path of ['/items/123', '/items/456', '/api/things/789', '/nowhere/42'])
        await (await fetch(`${app.url}${path}`)).text();
      const text = await eventually(async () => {
        const metrics = await (await fetch(`${app.url}/metrics`)).text();
        expect(metrics).to.contain(
          'http_request_duration_seconds_count{service="test",method="GET",route="/items/:id",status="200"} 2',
        );
        return metrics;
      });
      expect(text).to.contain(
        'http_request_duration_seconds_count{service="test",method="GET",route="/api/things/:thingId",status="200"} 1',
      );
      expect(text).to.contain(
        'http_request_duration_seconds_count{service="test",method="GET",route="unmatched",status="404"} 1',
      );
      const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((match) => match[1]));
      routes.delete('/metrics');
      expect([...routes].sort()).to.deep.equal(['/api/things/:thingId', '/items/:id', 'unmatched']);
    });
  });
});
