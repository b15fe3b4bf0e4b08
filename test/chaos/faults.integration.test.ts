import { names, queues } from '@warren/shared/amqp';
import { envelopeHeaders, newMessageId } from '@warren/shared/envelope';
import { eventually } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { registerEach, type TestUser } from '../support/warren.ts';
import { ChaosWarren, OnlineMember, Poster, type PostOutcome, printTable, tally } from './support.ts';

/**
 * Faults under a steady stream of posts with members online (docs/reliability.md): each scenario
 * reports messages sent, accepted (202), stored, duplicates, lost (must be 0) and recovery time (from
 * the end of the fault to the first 202: a stopped server's start command, a killed service's kill).
 * Members reconnect and fill gaps from history as the web client does; every accepted message must
 * reach every member and be stored exactly once. RabbitMQ and PostgreSQL are Warren's own here
 * (test/support/private-*.ts), so stopping them touches no other test.
 * CHAOS_RESULTS=<file> appends each scenario's row of the table.
 */
const OUTAGE_MS = 10_000;

interface Row {
  scenario: string;
  sent: number;
  accepted: number;
  stored: number;
  duplicates: number;
  lost: number;
  refused: string;
  recoveryMs: number;
  live: string;
}

describe('Warren under faults (chaos)', function () {
  this.timeout(180_000);
  let warren: ChaosWarren;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const rows: Row[] = [];

  before(async function () {
    this.timeout(60_000);
    warren = await ChaosWarren.start();
    [alice, bob, carol] = await registerEach(warren, 'alice', 'bob', 'carol');
  });
  after(async () => {
    printTable(
      [
        'scenario',
        'sent',
        'accepted (202)',
        'stored',
        'duplicates',
        'lost',
        'refused',
        'recovery',
        'members: live/filled',
      ],
      rows.map((row) => [
        row.scenario,
        row.sent,
        row.accepted,
        row.stored,
        row.duplicates,
        row.lost,
        row.refused,
        `${(row.recoveryMs / 1000).toFixed(2)} s`,
        row.live,
      ]),
    );
    await warren?.stop();
  });

  /**
   * Runs `fault` under a stream of posts from Alice with Alice, Bob and Carol online; resolves with
   * the row after checking that nothing accepted was lost, stored twice or missed by a member.
   */
  async function underLoad(
    scenario: string,
    fault: (poster: Poster) => Promise<number>,
    check: (outcomes: PostOutcome[], faultEndedAt: number) => void = () => undefined,
  ): Promise<Row> {
    const created = await fetch(`${warren.chatUrl}/api/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: scenario.slice(0, 90), members: [bob.username, carol.username] }),
    });
    const sessionId = ((await created.json()) as { id: string }).id;
    const members = [alice, bob, carol].map((user) => new OnlineMember(warren, user, sessionId));
    await Promise.all(members.map((member) => member.start()));
    const poster = new Poster(warren, alice, sessionId);
    await poster.acceptedAfter(0, 20);
    const faultEndedAt = await fault(poster);
    const recoveredAt = await poster.acceptedAfter(faultEndedAt);
    await poster.acceptedAfter(recoveredAt, 20);
    await poster.stop();

    const counted = await tally(warren, sessionId, poster, members);
    const { accepted, lost, duplicates } = counted;
    const row: Row = {
      scenario,
      sent: poster.outcomes.length,
      accepted: accepted.length,
      stored: counted.stored,
      duplicates,
      lost: lost.length,
      refused: counted.refused,
      recoveryMs: recoveredAt - faultEndedAt,
      live: members.map((member) => counted.liveFilled(member)).join(' '),
    };
    await Promise.all(members.map((member) => member.stop()));
    rowsOut(row);
    expect(
      lost.map((outcome) => outcome.content),
      'accepted but not stored',
    ).to.deep.equal([]);
    expect(duplicates, 'stored twice').to.equal(0);
    for (const member of members) {
      const missed = accepted.filter((outcome) => !member.has(outcome.id)).map((outcome) => outcome.content);
      expect(missed, `${member.user.username} never got`).to.deep.equal([]);
    }
    expect(
      poster.outcomes.some((outcome) => outcome.status === 500),
      'a 500',
    ).to.equal(false);
    check(poster.outcomes, faultEndedAt);
    return row;
  }
  const rowsOut = (row: Row) => rows.push(row);

  const waitUntilReady = (name: 'chat-api' | 'persister' | 'ws-gateway') =>
    eventually(() => warren.ready(name), { timeoutMs: 60_000, intervalMs: 100 });

  it('(a) the broker closes every service connection: each reconnects, nothing accepted is lost', async () => {
    const management = warren.management();
    const ours = new Set(['chat-api', 'persister', 'ws-gateway']);
    await underLoad('(a) broker closes the connections', async () => {
      const connections = await eventually(async () => {
        const found = (await management.connections('warren')).filter((connection) => ours.has(connection.user));
        return new Set(found.map((connection) => connection.user)).size === ours.size && found;
      });
      for (const connection of connections) await management.closeConnection(connection.name, 'chaos test');
      const closedAt = Date.now();
      await Promise.all((['chat-api', 'persister', 'ws-gateway'] as const).map(waitUntilReady));
      return closedAt;
    });
  });

  /** When an outage's server was asked to stop, was gone, was asked to start again, and was up. */
  interface OutageTimes {
    stoppingAt: number;
    downAt: number;
    startingAt: number;
    upAt: number;
  }

  /**
   * Stops a server as its operator would, keeps it down until `OUTAGE_MS` after the stop began, and
   * starts it again; resolves once it is up.
   */
  async function outage(server: { shutdown(): Promise<void>; boot(): Promise<void> }): Promise<OutageTimes> {
    const stoppingAt = Date.now();
    await server.shutdown();
    const downAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppingAt + OUTAGE_MS - downAt))); // the outage itself
    const startingAt = Date.now();
    await server.boot();
    return { stoppingAt, downAt, startingAt, upAt: Date.now() };
  }

  /**
   * From the moment the server was gone until it was asked to start again, every post was answered
   * 503: never 202, never anything else. (While it stops and boots, either answer is right.)
   */
  function onlyRefusedWhileDown(outcomes: PostOutcome[], times: OutageTimes) {
    const during = outcomes.filter((outcome) => outcome.at > times.downAt && outcome.at < times.startingAt);
    expect(during, 'posts answered while the server was down').not.to.deep.equal([]);
    expect(
      during.filter((outcome) => outcome.status === 202),
      '202 while the server was down',
    ).to.deep.equal([]);
    expect(new Set(during.map((outcome) => outcome.status))).to.deep.equal(new Set([503]));
  }

  for (const [title, scenario, server] of [
    [
      '(b) RabbitMQ stopped (rabbitmqctl stop) and started again after 10 s: 503, never 202, while it cannot confirm; then all stored once and delivered',
      '(b) RabbitMQ stopped 10 s',
      'rabbit',
    ],
    [
      '(c) PostgreSQL stopped (pg_ctl stop -m fast) and started again after 10 s: 503, the persister holds and retries, all stored once',
      '(c) PostgreSQL stopped 10 s',
      'postgres',
    ],
  ] as const) {
    it(title, async () => {
      let times: OutageTimes = { stoppingAt: 0, downAt: 0, startingAt: 0, upAt: 0 };
      await underLoad(
        scenario,
        async () => {
          times = await outage(warren[server]);
          return times.startingAt;
        },
        (outcomes) => onlyRefusedWhileDown(outcomes, times),
      );
    });
  }

  for (const name of ['persister', 'chat-api', 'ws-gateway'] as const) {
    it(`(d) ${name} killed with SIGKILL and restarted: nothing accepted lost, nothing stored twice`, async () => {
      await underLoad(`(d) SIGKILL ${name}`, async () => {
        await warren.services.get(name)?.kill();
        const killedAt = Date.now();
        await warren.startService(name);
        // Recovery counts from the kill: it includes starting the process again.
        return killedAt;
      });
    });
  }

  it('(e) a poison message and 10,000 invalid ones are dead-lettered with reasons; good ones flow, lag under 1 s after', async function () {
    this.timeout(240_000);
    const bad = new Set<string>();
    let sessionOf = '';
    await underLoad('(e) poison + 10,000 invalid', async (poster) => {
      sessionOf = poster.sessionId;
      const connection = await amqp.connect(warren.amqpUrl('bot'));
      try {
        const channel = await connection.createConfirmChannel();
        const exchange = names.sessionExchange(poster.sessionId);
        const poison = newMessageId();
        bad.add(poison);
        channel.publish(exchange, '', Buffer.from('{"content":"looks fine","extra":[1]}'), {
          messageId: poison,
          userId: 'bot',
          contentType: 'application/json',
          persistent: true,
        });
        for (let i = 0; i < 10_000; i += 1) {
          const id = newMessageId();
          bad.add(id);
          const body = i % 2 ? '{"content": ' : ' ';
          channel.publish(exchange, '', Buffer.from(body), {
            messageId: id,
            userId: 'bot',
            contentType: i % 2 ? 'application/json' : 'text/plain',
            persistent: true,
          });
          if (i % 1000 === 999) await channel.waitForConfirms();
        }
        await channel.waitForConfirms();
      } finally {
        await connection.close();
      }
      // Drained: every bad one dead-lettered.
      await eventually(
        async () => ((await warren.metric('persister', 'warren_persister_dead_lettered_total')) ?? 0) >= bad.size,
        { timeoutMs: 120_000, intervalMs: 200 },
      );
      return Date.now();
    });
    // Lag after the flood, at the persister's last commits of good messages.
    const lag = await warren.metric('persister', 'warren_persister_lag_seconds');
    console.log(`      persister lag after the flood: ${lag} s`);
    expect(lag).to.be.a('number').below(1);
    const letters = await takeLetters(warren.amqpUrl('admin'), sessionOf, bad.size);
    expect(letters.size).to.equal(bad.size);
    for (const [id, error] of letters) {
      expect(bad.has(id), id).to.equal(true);
      expect(error, id).to.match(/^[a-z_]+: /);
    }
  });
});

/**
 * Takes (acknowledges) `count` letters of a session from `warren.dead-letter` with a consumer (10,000
 * `basic.get`s would take minutes) as the broker's administrator (`url`), requeueing every other
 * session's: the scenarios share the queue.
 * Resolves with each letter's message id and `x-warren-error` header.
 */
async function takeLetters(url: string, sessionId: string, count: number): Promise<Map<string, string>> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.prefetch(2000);
    const taken = new Map<string, string>();
    const exchange = names.sessionExchange(sessionId);
    await new Promise<void>((resolve) => {
      void channel.consume(queues.deadLetter.name, (message) => {
        if (!message) return;
        if (message.properties.headers?.[envelopeHeaders.originalExchange] !== exchange) return;
        channel.ack(message);
        taken.set(String(message.properties.messageId), String(message.properties.headers?.[envelopeHeaders.error]));
        if (taken.size >= count) resolve();
      });
    });
    await channel.close(); // requeues what it holds of other sessions
    return taken;
  } finally {
    await connection.close();
  }
}
