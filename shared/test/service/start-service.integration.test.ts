import { expect } from 'chai';
import type { AmqpClient } from '../../src/amqp/index.ts';
import { createDatabase, type Knex, type Migration } from '../../src/db/index.ts';
import { type RunningServer, startHttpServer } from '../../src/http/index.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { testConfig } from '../../src/testing/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { connectionNamed, managementClient, testLogger, unique } from '../support/integration.ts';

/** A migration that creates table `things` in the schema it migrates. */
const createThings: Migration = {
  name: '001-things',
  up: (db, schema) => db.schema.withSchema(schema).createTable('things', (t) => t.increments('id')),
  down: (db, schema) => db.schema.withSchema(schema).dropTable('things'),
};

/** The spec of a test service on a free port of the run's vhost. */
function specOf(port = 0) {
  return {
    name: unique('kit'),
    config: { PORT: port, HOST: '127.0.0.1', RABBITMQ_URL: testConfig().rabbitmqUrl },
    logger: testLogger(),
  };
}

/** What a promise rejected with. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (thrown: unknown) => thrown,
  );
  expect(error).to.be.instanceOf(Error);
  return error as Error;
}

/** The answer of `path` on a local port. */
async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

describe('startService', () => {
  let observer: Knex;
  let schemas: string[] = [];
  let running: RunningService[] = [];

  /** A spec with a database that migrates a new schema per name given; the schemas are dropped after the test. */
  function withDatabase(count: number, url = testConfig().databaseUrl) {
    const names = Array.from({ length: count }, () => unique('test_kit').replaceAll('-', '_'));
    schemas.push(...names);
    return {
      ...specOf(),
      database: { url, schemas: names.map((schema) => ({ schema, migrations: [createThings] })) },
    };
  }

  /** Whether a destroyed pool refuses queries. */
  async function isClosed(db: Knex): Promise<boolean> {
    return db.raw('select 1').then(
      () => false,
      () => true,
    );
  }

  before(() => {
    observer = createDatabase({ url: testConfig().databaseUrl, logger: testLogger() });
  });
  after(() => observer.destroy());
  afterEach(async () => {
    for (const service of running) await service.stop();
    running = [];
    for (const schema of schemas) await observer.raw('drop schema if exists ?? cascade', [schema]);
    schemas = [];
  });

  it('migrates every schema before the service starts, connects under its name and serves its routes with the probes', async () => {
    const spec = withDatabase(2);
    let migrated: string[] = [];
    const service = await startService(spec, async ({ db }) => {
      const rows = await db('information_schema.tables')
        .where({ table_name: 'things' })
        .whereIn(
          'table_schema',
          spec.database.schemas.map(({ schema }) => schema),
        )
        .select<{ table_schema: string }[]>('table_schema');
      migrated = rows.map((row) => row.table_schema);
      return {
        routes: (app) => app.get('/hello', (_req, res) => res.json({ hello: 'world' })),
        service: { answer: 42 },
      };
    });
    running.push(service);

    expect(migrated).to.have.members(spec.database.schemas.map(({ schema }) => schema));
    expect(service.answer).to.equal(42);
    expect(service.amqp.connected).to.equal(true);
    await connectionNamed(managementClient(), spec.name);
    expect(await get(service.port, '/hello')).to.deep.equal({ status: 200, body: '{"hello":"world"}' });
    expect((await get(service.port, '/healthz')).status).to.equal(200);
    const readyz = await get(service.port, '/readyz');
    expect(readyz.status).to.equal(200);
    expect(JSON.parse(readyz.body)).to.deep.equal({ status: 'ready', checks: { rabbitmq: 'ok', database: 'ok' } });
    expect((await get(service.port, '/metrics')).body).to.contain(`service="${spec.name}"`);
  });

  it('without a database checks the broker alone, and its own readiness checks with it', async () => {
    const service = await startService(specOf(), async (kit) => {
      expect(kit).to.not.have.property('db');
      return { readiness: [{ name: 'cache', check: () => false }], service: {} };
    });
    running.push(service);
    const readyz = await get(service.port, '/readyz');
    expect(readyz.status).to.equal(503);
    expect(JSON.parse(readyz.body)).to.deep.equal({
      status: 'not ready',
      checks: { rabbitmq: 'ok', cache: 'failing' },
    });
  });

  it('stops last-in, first-out: what started on the listening server, the server, what it started before, the broker, the database', async () => {
    const seen: { closing: string; serverListening: boolean; brokerConnected: boolean; databaseOpen: boolean }[] = [];
    let opened: { amqp: AmqpClient; db: Knex; server?: RunningServer } | undefined;
    const record = async (closing: string) => {
      if (!opened?.server) throw new Error('the service did not start');
      seen.push({
        closing,
        serverListening: opened.server.server.listening,
        brokerConnected: opened.amqp.connected,
        databaseOpen: !(await isClosed(opened.db)),
      });
    };
    const service = await startService(withDatabase(1), async ({ db, amqp, resources }) => {
      opened = { amqp, db };
      resources.add('feed', () => record('feed'));
      return {
        listening: (server) => {
          if (opened) opened.server = server;
          resources.add('consumer', () => record('consumer'));
        },
        service: {},
      };
    });
    await service.stop();

    expect(seen).to.deep.equal([
      { closing: 'consumer', serverListening: true, brokerConnected: true, databaseOpen: true },
      { closing: 'feed', serverListening: false, brokerConnected: true, databaseOpen: true },
    ]);
    expect(opened?.amqp.connected).to.equal(false);
    expect(await isClosed((opened as { db: Knex }).db)).to.equal(true);
  });

  it('closes what was opened when its start fails, and rejects with why', async () => {
    const failure = new Error('no signing key');
    const closed: string[] = [];
    let opened: { amqp: AmqpClient; db: Knex } | undefined;
    const error = await rejectionOf(
      startService(withDatabase(1), async ({ db, amqp, resources }) => {
        opened = { amqp, db };
        resources.add('feed', () => {
          closed.push('feed');
        });
        throw failure;
      }),
    );
    expect(error).to.equal(failure);
    expect(closed).to.deep.equal(['feed']);
    expect(opened?.amqp.connected).to.equal(false);
    expect(await isClosed((opened as { db: Knex }).db)).to.equal(true);
  });

  it('closes everything when the port is taken, and never starts what waits for the listening server', async () => {
    const taken = await startHttpServer((_req, res) => res.end(), 0);
    try {
      const closed: string[] = [];
      let listened = false;
      let amqp: AmqpClient | undefined;
      const error = await rejectionOf(
        startService(specOf(taken.port), async (kit) => {
          amqp = kit.amqp;
          kit.resources.add('feed', () => {
            closed.push('feed');
          });
          return {
            listening: () => {
              listened = true;
            },
            service: {},
          };
        }),
      );
      expect(error.name).to.equal('PortInUseError');
      expect(closed).to.deep.equal(['feed']);
      expect(listened).to.equal(false);
      expect(amqp?.connected).to.equal(false);
    } finally {
      await taken.close();
    }
  });

  it('rejects naming DATABASE_URL when PostgreSQL cannot be reached, before the service starts', async () => {
    const url = `postgres://warren:secret@127.0.0.1:${await closedPort()}/warren`;
    let started = false;
    const error = await rejectionOf(
      startService(withDatabase(1, url), async () => {
        started = true;
        return { service: {} };
      }),
    );
    expect(error.message).to.contain('DATABASE_URL').and.not.contain('secret');
    expect(started).to.equal(false);
  });
});
