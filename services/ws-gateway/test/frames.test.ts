import {
  type DeliveryLike,
  decodeDelivery,
  encodeChatMessage,
  encodeSessionEvent,
  NEW_MESSAGE_STATE,
} from '@warren/shared/envelope';
import { expect } from 'chai';
import { deliveryFrameOf, encodeFrame, parseClientFrame, payloadOf, textFrameBytes } from '../src/frames.ts';

const SESSION = '0b6a4b6e-4c1f-4a8e-9d55-2f7c9a1e3b10';
const USER = '5f0c2a9e-8d3b-4e71-a6c4-1b2d3e4f5a6b';
const text = (value: string) => Buffer.from(value, 'utf8');

describe('frames', () => {
  describe('parseClientFrame', () => {
    it('reads auth and ping, ignoring fields it does not use', () => {
      expect(parseClientFrame(text('{"type":"auth","token":"abc"}'), false)).to.deep.equal({
        ok: true,
        frame: { type: 'auth', token: 'abc' },
      });
      expect(parseClientFrame(text('{"type":"ping","id":7}'), false)).to.deep.equal({
        ok: true,
        frame: { type: 'ping' },
      });
    });

    it('answers everything else with an error frame and a stable code', () => {
      // Each code, with the frames (sent as text unless binary) that earn it.
      const cases: [code: string, frames: string[], isBinary?: boolean][] = [
        ['BINARY_FRAME', ['{"type":"ping"}'], true],
        ['INVALID_JSON', ['not json', '', '"ping"', 'null', '[{"type":"ping"}]']],
        ['UNKNOWN_FRAME_TYPE', ['{}', '{"type":"PING"}', '{"type":"message","content":"hi"}']],
        ['INVALID_FRAME', ['{"type":"auth"}', '{"type":"auth","token":""}', '{"type":"auth","token":42}']],
      ];
      for (const [code, frames, isBinary = false] of cases) {
        for (const frame of frames) {
          const parsed = parseClientFrame(text(frame), isBinary);
          expect(parsed.ok, frame).to.equal(false);
          if (!parsed.ok) {
            expect(parsed.error).to.include({ type: 'error', code });
            expect(parsed.error.detail).to.be.a('string').and.not.equal('');
          }
        }
      }
    });

    it('reads a frame nested a hundred thousand levels deep without overflowing, by the fields it uses', () => {
      const deep = (open: string, close: string) => `${open.repeat(100_000)}${close.repeat(100_000)}`;
      expect(parseClientFrame(text(`{"type":"ping","x":${deep('[', ']')}}`), false)).to.deep.equal({
        ok: true,
        frame: { type: 'ping' },
      });
      expect(parseClientFrame(text(`{"type":${deep('{"a":', '}').replace('}', '1}')}}`), false)).to.deep.include({
        ok: false,
      });
      expect(parseClientFrame(text(deep('[', ']')), false)).to.deep.include({ ok: false });
    });

    it('takes fragmented data as ws hands it over', () => {
      expect(parseClientFrame([text('{"type":'), text('"ping"}')], false)).to.deep.equal({
        ok: true,
        frame: { type: 'ping' },
      });
    });
  });

  describe('deliveryFrameOf', () => {
    const asDelivery = (outgoing: { exchange: string; content: Buffer; options: object }): DeliveryLike => ({
      fields: { exchange: outgoing.exchange },
      properties: outgoing.options,
      content: outgoing.content,
    });
    const decode = (delivery: DeliveryLike) =>
      decodeDelivery(delivery, { trustedPublishers: ['chat-api'], receivedAt: new Date() });

    it('makes a message frame of a chat message, the message exactly as decoded', () => {
      const message = {
        id: '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b',
        session_id: SESSION,
        author: { kind: 'user' as const, id: USER, username: 'alice' },
        type: 'text',
        content: 'hello',
        extra: { tags: ['a'] },
        created_at: '2025-03-04T05:06:07.089Z',
        reply_to: '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a00',
        ...NEW_MESSAGE_STATE,
      };
      const decoded = decode(asDelivery(encodeChatMessage({ message, publisher: 'chat-api' })));
      if (!decoded.ok || decoded.kind !== 'message') throw new Error('does not decode');
      const frame = deliveryFrameOf(decoded);
      expect(frame).to.deep.equal({ type: 'message', session_id: SESSION, message });
      expect(JSON.parse(encodeFrame(frame))).to.deep.equal(frame);
    });

    it('makes an event frame of a session event, its body as data', () => {
      const data = { session_id: SESSION, user: { id: USER, username: 'alice' } };
      const decoded = decode(
        asDelivery(
          encodeSessionEvent({
            sessionId: SESSION,
            event: 'typing',
            data,
            publisher: 'chat-api',
            messageId: '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5c',
          }),
        ),
      );
      if (!decoded.ok || decoded.kind !== 'event') throw new Error('does not decode');
      expect(deliveryFrameOf(decoded)).to.deep.equal({ type: 'event', session_id: SESSION, event: 'typing', data });
    });

    it('makes an event frame of each event that changes a message, its body as published', () => {
      const target = { session_id: SESSION, message_id: '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a00' };
      const reaction = { ...target, emoji: '👍', user: { id: USER, username: 'alice' } };
      const events = [
        { event: 'message.edited', data: { ...target, content: 'fixed', edited_at: '2025-03-04T05:06:08.000Z' } },
        { event: 'message.deleted', data: { ...target, deleted_at: '2025-03-04T05:06:09.000Z' } },
        { event: 'reaction.added', data: reaction },
        { event: 'reaction.removed', data: reaction },
      ] as const;
      for (const { event, data } of events) {
        const decoded = decode(
          asDelivery(
            encodeSessionEvent({
              sessionId: SESSION,
              event,
              data,
              publisher: 'chat-api',
              messageId: '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5d',
            }),
          ),
        );
        if (!decoded.ok || decoded.kind !== 'event') throw new Error(`${event} does not decode`);
        expect(deliveryFrameOf(decoded)).to.deep.equal({ type: 'event', session_id: SESSION, event, data });
      }
    });
  });

  describe('textFrameBytes', () => {
    it('frames UTF-8 text as one unmasked final text frame, with each length encoding', () => {
      for (const [length, header] of [
        [0, [0x81, 0]],
        [125, [0x81, 125]],
        [126, [0x81, 126, 0, 126]],
        [65_535, [0x81, 126, 0xff, 0xff]],
        [65_536, [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
      ] as const) {
        const text = 'é'.repeat(length / 2) + 'a'.repeat(length % 2);
        const frame = textFrameBytes(text);
        expect([...frame.subarray(0, header.length)]).to.deep.equal(header);
        expect(frame.length).to.equal(header.length + length);
        expect(payloadOf(frame).toString('utf8')).to.equal(text);
      }
    });
  });
});
