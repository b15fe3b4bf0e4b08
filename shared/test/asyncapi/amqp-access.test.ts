import { expect } from 'chai';
import { names, queues } from '../../src/amqp/topology.ts';
import { mayAccess, sampleName, topicMatches, usersWithAccess } from '../../src/asyncapi/amqp-access.ts';

describe('amqp-access', () => {
  it('fills every {parameter} of an address with a UUID', () => {
    expect(sampleName('warren.ws.{userId}.{connectionId}')).to.equal(
      'warren.ws.00000000-0000-4000-8000-000000000000.00000000-0000-4000-8000-000000000000',
    );
    expect(sampleName('warren.events')).to.equal('warren.events');
  });

  it('reads the permissions of topology.ts', () => {
    expect(mayAccess('bot', 'write', sampleName(names.sessionExchange('{sessionId}')))).to.equal(true);
    expect(mayAccess('bot', 'write', 'warren.events')).to.equal(false);
    expect(mayAccess('persister', 'read', queues.chatApiUsers.name)).to.equal(false);
    expect(usersWithAccess('read', queues.persister.name)).to.deep.equal(['persister']);
    expect(usersWithAccess('configure', names.wsQueue('{userId}', '{connectionId}'))).to.deep.equal(['ws-gateway']);
  });

  it('matches topic binding keys as RabbitMQ does', () => {
    expect(topicMatches('user.*', 'user.registered')).to.equal(true);
    expect(topicMatches('user.*', 'user.registered.again')).to.equal(false);
    expect(topicMatches('presence.*', 'presence.{instance}')).to.equal(true);
    expect(topicMatches('login.ended', 'membership.changed')).to.equal(false);
    expect(topicMatches('#', 'a.b.c')).to.equal(true);
    expect(topicMatches('a.#.c', 'a.c')).to.equal(true);
    expect(topicMatches('a.#.c', 'a.b.b.c')).to.equal(true);
    expect(topicMatches('a.#', 'b')).to.equal(false);
  });
});
