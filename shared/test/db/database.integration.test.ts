import { expect } from 'chai';
import { checkDatabase, createDatabase, type Knex, pingDatabase } from '../../src/db/index.ts';
import { toWarrenError } from '../../src/http/index.ts';
import { rejectionOf, testConfig } from '../../src/testing/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { testLogger } from '../support/integration.ts';

/** What a call rejected with. */
async function errorOf(call: Promise<unknown>): Promise<Error> {
  const error = await rejectionOf(call);
  expect(error).to.be.instanceOf(Error);
  return error as Error;
}

describe('database', () => {
  let databases: Knex[] = [];
  const open = (options: Partial<Parameters<typeof createDatabase>[0]> = {}): Knex => {
    const db = createDatabase({ url: testConfig().databaseUrl, logger: testLogger(), ...options });
    databases.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of databases) await db.destroy();
    databases = [];
  });

  it('connects to the run database and answers queries', async () => {
    const db = open();
    expect(await pingDatabase(db)).to.equal(true);
    await checkDatabase(db, testConfig().databaseUrl);
    const { rows } = await db.raw<{ rows: { name: string }[] }>('select current_database() as name');
    expect(rows[0]?.name).to.equal(new URL(testConfig().databaseUrl).pathname.slice(1));
  });

  it('checkDatabase rejects at once, naming the URL without its password, when PostgreSQL cannot be reached', async () => {
    const port = await closedPort();
    const url = `postgres://warren:s3cret@127.0.0.1:${port}/warren`;
    const error = await errorOf(checkDatabase(open({ url }), url));
    expect(error.message).to.contain(`postgres://warren:***@127.0.0.1:${port}/warren`).and.contain('DATABASE_URL');
    expect(error.message).to.not.contain('s3cret');
    expect(error.cause).to.have.property('code', 'ECONNREFUSED');
  });

  it('checkDatabase rejects for a database that does not exist', async () => {
    const url = new URL(testConfig().databaseUrl);
    url.pathname = '/warren_test_no_such_database';
    const error = await errorOf(checkDatabase(open({ url: url.toString() }), url.toString()));
    expect(error.message).to.contain('warren_test_no_such_database').and.contain('does not exist');
  });

  it('fails a query that waits too long for a pooled connection, as DATABASE_UNAVAILABLE', async () => {
    const db = open({ poolMax: 1, acquireTimeoutMs: 200 });
    await db.transaction(async (trx) => {
      await trx.raw('select 1');
      const error = await errorOf(db.raw('select 1'));
      expect(error.name).to.equal('KnexTimeoutError');
      expect(toWarrenError(error)).to.include({ code: 'DATABASE_UNAVAILABLE', status: 503 });
    });
  });
});
