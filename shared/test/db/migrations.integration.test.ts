import { expect } from 'chai';
import { createDatabase, type Knex, type Migration, migrate } from '../../src/db/index.ts';
import { rejectionOf, testConfig } from '../../src/testing/index.ts';
import { testLogger, unique } from '../support/integration.ts';

/** A migration that creates table `table` in the service's schema. */
function createTable(name: string, table: string): Migration {
  return {
    name,
    up: (db, schema) => db.schema.withSchema(schema).createTable(table, (t) => t.increments('id')),
    down: (db, schema) => db.schema.withSchema(schema).dropTable(table),
  };
}

/** The tables of a schema. */
async function tablesOf(db: Knex, schema: string): Promise<string[]> {
  const rows = await db('information_schema.tables')
    .where({ table_schema: schema })
    .select<{ table_name: string }[]>('table_name');
  return rows.map((row) => row.table_name).sort();
}

describe('migrate', () => {
  let db: Knex;
  let schemas: string[] = [];
  const newSchema = (): string => {
    const schema = unique('test_migrate').replaceAll('-', '_');
    schemas.push(schema);
    return schema;
  };

  before(() => {
    db = createDatabase({ url: testConfig().databaseUrl, logger: testLogger() });
  });
  after(() => db.destroy());
  afterEach(async () => {
    for (const schema of schemas) await db.raw('drop schema if exists ?? cascade', [schema]);
    schemas = [];
  });

  it('applies the migrations in name order, once', async () => {
    const schema = newSchema();
    const order: string[] = [];
    const tracked = (migration: Migration): Migration => ({
      ...migration,
      up: async (knex, s) => {
        order.push(migration.name);
        await migration.up(knex, s);
      },
    });
    const migrations = [tracked(createTable('002-rooms', 'rooms')), tracked(createTable('001-users', 'users'))];
    expect(await migrate(db, schema, migrations)).to.deep.equal(['001-users', '002-rooms']);
    expect(order).to.deep.equal(['001-users', '002-rooms']);
    expect(await tablesOf(db, schema)).to.include.members(['rooms', 'users']);

    expect(await migrate(db, schema, migrations)).to.deep.equal([]);
    expect(order).to.have.length(2);
  });

  it('applies only the migrations added since', async () => {
    const schema = newSchema();
    await migrate(db, schema, [createTable('001-users', 'users')]);
    expect(
      await migrate(db, schema, [createTable('001-users', 'users'), createTable('002-rooms', 'rooms')]),
    ).to.deep.equal(['002-rooms']);
  });

  it("keeps its migration table in the service's schema, not in public", async () => {
    const schema = newSchema();
    await migrate(db, schema, [createTable('001-users', 'users')]);
    expect(await tablesOf(db, schema)).to.deep.equal(['migrations', 'migrations_lock', 'users']);
    expect(await tablesOf(db, 'public')).to.not.include.members(['migrations']);
    const applied = await db.withSchema(schema).table('migrations').select<{ name: string }[]>('name');
    expect(applied.map((row) => row.name)).to.deep.equal(['001-users']);
  });

  it('lets services with migrations of the same name migrate independently', async () => {
    const auth = newSchema();
    const chat = newSchema();
    expect(await migrate(db, auth, [createTable('001-init', 'accounts')])).to.deep.equal(['001-init']);
    expect(await migrate(db, chat, [createTable('001-init', 'sessions')])).to.deep.equal(['001-init']);
    expect(await tablesOf(db, auth))
      .to.include('accounts')
      .and.not.include('sessions');
    expect(await tablesOf(db, chat))
      .to.include('sessions')
      .and.not.include('accounts');
  });

  it('applies a batch all or nothing: a failing migration rolls back the ones before it', async () => {
    const schema = newSchema();
    await migrate(db, schema, [createTable('001-users', 'users')]);
    const broken: Migration = {
      name: '003-broken',
      up: async (knex, s) => {
        await knex.schema.withSchema(s).createTable('half_done', (t) => t.increments('id'));
        await knex.raw('select * from ??.no_such_table', [s]);
      },
      down: async () => undefined,
    };
    const batch = [createTable('001-users', 'users'), createTable('002-rooms', 'rooms')];
    const error = await rejectionOf(migrate(db, schema, [...batch, broken]));
    expect(error).to.be.instanceOf(Error).with.property('message').that.contains('no_such_table');
    expect(await tablesOf(db, schema)).to.deep.equal(['migrations', 'migrations_lock', 'users']);

    const fixed = createTable('003-broken', 'half_done');
    expect(await migrate(db, schema, [...batch, fixed])).to.deep.equal(['002-rooms', '003-broken']);
  });

  it('is safe when several instances of a service start at once', async () => {
    const schema = newSchema();
    let runs = 0;
    const migrations: Migration[] = [
      {
        ...createTable('001-users', 'users'),
        up: async (knex, s) => {
          runs += 1;
          await createTable('001-users', 'users').up(knex, s);
        },
      },
    ];
    const instances = [1, 2, 3].map(() => createDatabase({ url: testConfig().databaseUrl, logger: testLogger() }));
    try {
      const applied = await Promise.all(instances.map((instance) => migrate(instance, schema, migrations)));
      expect(applied.flat()).to.deep.equal(['001-users']);
      expect(runs).to.equal(1);
    } finally {
      for (const instance of instances) await instance.destroy();
    }
  });
});
