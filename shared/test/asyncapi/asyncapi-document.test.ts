import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { expect } from 'chai';
import { eventKeys, exchanges, sessionEventTypes } from '../../src/amqp/topology.ts';
import { ASYNCAPI_PATH, asyncApiDocument, asyncApiYaml } from '../../src/asyncapi/asyncapi-document.ts';

/** A part of the document, as the tests read it. */
type Node = Record<string, unknown>;

const document = asyncApiDocument();
const channels = document.channels as Record<string, Node>;
const operations = document.operations as Record<string, Node>;
const components = document.components as { messages: Record<string, Node> };

/** The message keys a channel carries. */
const messagesOf = (channel: string): string[] => Object.keys((channels[channel] as Node).messages as Node);

describe('asyncApiDocument', () => {
  it('is exactly what docs/asyncapi.yaml holds (run `npm run asyncapi` after a change)', () => {
    expect(
      readFileSync(ASYNCAPI_PATH, 'utf8') === asyncApiYaml(),
      'docs/asyncapi.yaml is stale: run `npm run asyncapi`',
    ).to.equal(true);
  });

  it('is a valid AsyncAPI 3.0 document to the official parser, with no diagnostic but the newer version', async function () {
    this.timeout(60_000);
    const { document: parsed, diagnostics } = await new Parser().parse(asyncApiYaml());
    // The document stays on 3.0, which more tools read; the parser merely hints that 3.1 exists.
    const found = diagnostics.filter(({ code }) => code !== 'asyncapi-latest-version');
    expect(found.map(({ code, message, path }) => `${String(code)} at ${path.join('.')}: ${message}`)).to.deep.equal(
      [],
    );
    expect(parsed?.version()).to.equal('3.0.0');
    expect(parsed?.channels().length).to.equal(Object.keys(channels).length);
    expect(parsed?.operations().length).to.equal(Object.keys(operations).length);
  });

  it('carries every session event type on the session exchange, with its body schema', () => {
    for (const event of sessionEventTypes) {
      expect(messagesOf('session-exchange')).to.include(`session-event.${event}`);
      const message = components.messages[`session-event.${event}`] as Node;
      expect(message.bindings).to.deep.equal({ amqp: { messageType: event, bindingVersion: '0.3.0' } });
      expect((message.payload as Node).required).to.include('session_id');
    }
    const edited = components.messages['session-event.message.edited'] as Node;
    expect((edited.payload as Node).required).to.have.members(['session_id', 'message_id', 'content', 'edited_at']);
    expect(edited['x-warren-amqp-properties']).to.include({ delivery_mode: 2, type: 'message.edited' });
    expect(components.messages['session-event.typing']?.['x-warren-amqp-properties']).to.include({ delivery_mode: 1 });
  });

  it("gives each queue the messages its bindings route to it, from topology.ts's bindings", () => {
    expect(messagesOf('chat-api-instance-queue')).to.deep.equal([
      'service-event.membership.changed',
      'service-event.login.ended',
      'service-event.presence',
    ]);
    expect(messagesOf('ws-gateway-instance-queue')).to.deep.equal(['service-event.login.ended']);
    expect(messagesOf('chat-api-users-queue')).to.deep.equal(['service-event.user.registered']);
    expect(messagesOf('persister-queue')).to.deep.equal(messagesOf('session-exchange'));
    expect(messagesOf('dead-letter-queue')).to.deep.equal(['dead-letter']);
  });

  it('says who may publish and consume as the RabbitMQ permissions do', () => {
    expect(channels['session-exchange']).to.deep.include({
      'x-warren-may-declare': ['chat-api'],
      'x-warren-may-publish': ['chat-api', 'bot'],
    });
    expect(channels['events-login-ended']).to.deep.include({ address: eventKeys.loginEnded });
    expect(channels['events-login-ended']?.['x-warren-may-publish']).to.deep.equal(['auth', 'chat-api', 'ws-gateway']);
    expect(channels['persister-queue']).to.deep.include({
      'x-warren-may-declare': [],
      'x-warren-may-consume': ['persister'],
    });
    expect(channels['dead-exchange']?.['x-warren-may-publish']).to.deep.equal(['persister']);
    expect(operations['bot.publish-messages']?.['x-warren-amqp-permission']).to.deep.equal({
      user: 'bot',
      access: 'write',
      resource: 'warren.session.{sessionId}',
    });
    expect(operations['auth.publish-login-ended']?.['x-warren-amqp-permission']).to.include({
      resource: exchanges.events.name,
    });
  });

  it('describes the dead letter headers and the WebSocket frames both ways', () => {
    const letter = components.messages['dead-letter'] as Node;
    expect((letter.headers as Node).required).to.have.members(['x-warren-error', 'x-warren-original-exchange']);
    const sent = (operations['ws-gateway.send-frames'] as Node).messages as { $ref: string }[];
    const received = (operations['ws-gateway.receive-frames'] as Node).messages as { $ref: string }[];
    expect(sent.map(({ $ref }) => $ref.split('/').at(-1))).to.deep.equal([
      'frame.ready',
      'frame.message',
      'frame.event',
      'frame.pong',
      'frame.error',
    ]);
    expect(received.map(({ $ref }) => $ref.split('/').at(-1))).to.deep.equal(['frame.auth', 'frame.ping']);
    const eventFrame = (components.messages['frame.event'] as Node).payload as { anyOf?: unknown[]; oneOf?: unknown[] };
    expect((eventFrame.anyOf ?? eventFrame.oneOf)?.length).to.equal(sessionEventTypes.length);
  });
});
