import { expect } from 'chai';
import type { EventFrame, MessageFrame } from '../../src/contract/frames.ts';
import { eventFrameSchema, messageFrameSchema, readyFrameSchema } from '../../src/contract-schemas/frame-schemas.ts';
import { decodeDelivery, encodeChatMessage, encodeSessionEvent } from '../../src/envelope/index.ts';

const SESSION = '0194f7d0-1c2b-7a3e-9f00-000000000001';
const USER = '0194f7d0-1c2b-7a3e-9f00-000000000002';
const MESSAGE = '0194f7d0-1c2b-7a3e-9f00-000000000003';

/** A delivery as a consumer receives what an encoder made. */
const received = ({ exchange, content, options }: ReturnType<typeof encodeChatMessage>) => ({
  fields: { exchange },
  content,
  properties: { ...options },
});

describe('frame schemas', () => {
  it('accept the message frame of what chat-api publishes and every consumer decodes', () => {
    const delivery = encodeChatMessage({
      message: {
        id: MESSAGE,
        session_id: SESSION,
        author: { kind: 'user', id: USER, username: 'alice' },
        type: 'text',
        content: 'hello',
        extra: { build: 1234 },
        created_at: '2026-12-02T16:00:00.000Z',
        reply_to: null,
        reply_count: 0,
        edited_at: null,
        deleted_at: null,
        reactions: [],
      },
      publisher: 'chat-api',
    });
    const decoded = decodeDelivery(received(delivery), { trustedPublishers: ['chat-api'], receivedAt: new Date() });
    if (!decoded.ok || decoded.kind !== 'message') throw new Error('not decoded as a message');
    const frame: MessageFrame = { type: 'message', session_id: decoded.sessionId, message: decoded.message };
    expect(messageFrameSchema.parse(frame)).to.deep.equal(frame);
  });

  it('accept the event frame of a decoded change event, and refuse one whose data is not its event', () => {
    const data = { session_id: SESSION, message_id: MESSAGE, deleted_at: '2026-12-02T16:00:00.000Z' };
    const delivery = encodeSessionEvent({
      sessionId: SESSION,
      event: 'message.deleted',
      data,
      publisher: 'chat-api',
      messageId: USER,
    });
    const decoded = decodeDelivery(received(delivery), { trustedPublishers: ['chat-api'], receivedAt: new Date() });
    if (!decoded.ok || decoded.kind !== 'event') throw new Error('not decoded as an event');
    const frame = {
      type: 'event',
      session_id: decoded.sessionId,
      event: decoded.event,
      data: decoded.data,
    } as EventFrame;
    expect(eventFrameSchema.parse(frame)).to.deep.equal(frame);
    expect(eventFrameSchema.safeParse({ ...frame, event: 'message.edited' }).success).to.equal(false);
  });

  it('refuse a ready frame without its user', () => {
    expect(readyFrameSchema.safeParse({ type: 'ready', connection_id: 'c1' }).success).to.equal(false);
  });
});
