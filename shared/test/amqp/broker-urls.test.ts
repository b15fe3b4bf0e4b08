import { expect } from 'chai';
import { brokerUrlsProblem, NodeRotation, reconnectDelay, splitBrokerUrls } from '../../src/amqp/index.ts';

const cluster = [
  'amqp://chat-api:s3cret@rabbit-1:5672/warren',
  'amqp://chat-api:s3cret@rabbit-2:5672/warren',
  'amqp://chat-api:s3cret@rabbit-3:5672/warren',
];

describe('broker URL lists', () => {
  it('splits a comma-separated list, trimming and dropping blanks', () => {
    expect(splitBrokerUrls(` ${cluster[0]} ,${cluster[1]},, ${cluster[2]} `)).to.deep.equal(cluster);
    expect(splitBrokerUrls('amqp://broker/')).to.deep.equal(['amqp://broker/']);
    expect(splitBrokerUrls(cluster)).to.deep.equal(cluster);
  });

  it('accepts one URL or a list of nodes with one user and one vhost', () => {
    expect(brokerUrlsProblem('amqp://guest:guest@127.0.0.1:5672/')).to.equal(undefined);
    expect(brokerUrlsProblem(cluster.join(','))).to.equal(undefined);
    expect(brokerUrlsProblem('amqps://u:p@a:5671/v, amqp://u:other@b:5672/v')).to.equal(undefined);
  });

  it('refuses a list without a URL, a URL of another scheme, or nodes that differ in user or vhost', () => {
    expect(brokerUrlsProblem(' , ')).to.match(/^must be a URL with scheme amqp: or amqps:/);
    expect(brokerUrlsProblem('http://broker')).to.equal('must be a URL with scheme amqp: or amqps:');
    expect(brokerUrlsProblem(`${cluster[0]},not a url`)).to.equal(
      'URL 2 of 2 must be a URL with scheme amqp: or amqps:',
    );
    expect(brokerUrlsProblem(`${cluster[0]},amqp://persister:p@rabbit-2/warren`)).to.equal(
      'every node of the list must have the same user',
    );
    // No user is guest, as RabbitMQ reads it; an empty path is the vhost `/`.
    expect(brokerUrlsProblem('amqp://a/,amqp://guest@b/%2F')).to.equal(undefined);
    expect(brokerUrlsProblem(`${cluster[0]},amqp://chat-api:s3cret@rabbit-2/other`)).to.equal(
      'every node of the list must have the same vhost',
    );
  });

  it('never echoes a URL in its problem, which may hold a password', () => {
    expect(brokerUrlsProblem('amqp://u:s3cret@a/v,ftp://u:s3cret@b/v')).to.not.contain('s3cret');
  });
});

describe('NodeRotation', () => {
  const take = (rotation: NodeRotation, count: number) => Array.from({ length: count }, () => rotation.next());

  it('starts at the node the random number picks, then goes round the list', () => {
    expect(take(new NodeRotation(cluster, () => 0), 4)).to.deep.equal([cluster[0], cluster[1], cluster[2], cluster[0]]);
    expect(take(new NodeRotation(cluster, () => 0.5), 4)).to.deep.equal([
      cluster[1],
      cluster[2],
      cluster[0],
      cluster[1],
    ]);
    expect(take(new NodeRotation(cluster, () => 0.999_999), 2)).to.deep.equal([cluster[2], cluster[0]]);
  });

  it('spreads clients over the nodes: every node is some client’s first', () => {
    const firsts = new Set(Array.from({ length: 200 }, () => new NodeRotation(cluster).next()));
    expect([...firsts].sort()).to.deep.equal([...cluster].sort());
  });

  it('with one URL, always that one', () => {
    const rotation = new NodeRotation('amqp://broker/');
    expect(rotation.size).to.equal(1);
    expect(take(rotation, 3)).to.deep.equal(['amqp://broker/', 'amqp://broker/', 'amqp://broker/']);
  });

  it('refuses an empty list', () => {
    expect(() => new NodeRotation(' ,')).to.throw('at least one URL');
  });
});

describe('reconnectDelay', () => {
  const options = { initialDelayMs: 200, maxDelayMs: 5000, nodes: 3, random: () => 0.5 };

  it('keeps the first delay for a whole round of the nodes, then doubles once per round', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => reconnectDelay(attempt, options));
    expect(delays).to.deep.equal([200, 200, 200, 400, 400, 400, 800]);
    expect([1, 2, 3].map((attempt) => reconnectDelay(attempt, { ...options, nodes: 1 }))).to.deep.equal([
      200, 400, 800,
    ]);
  });

  it('never waits longer than the longest delay, jitter included', () => {
    for (const random of [0, 0.5, 0.999_999]) {
      expect(reconnectDelay(100, { ...options, random: () => random })).to.be.at.most(5000);
    }
    expect(reconnectDelay(100, { ...options, random: () => 0.999_999 })).to.equal(5000);
  });

  it('spreads each delay by the jitter either way', () => {
    expect(reconnectDelay(1, { ...options, random: () => 0 })).to.equal(160);
    expect(reconnectDelay(1, { ...options, random: () => 0.999_999 })).to.equal(240);
  });
});
