import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { registerEach, useWarren } from '../support/warren.ts';

/**
 * What chat-api answers once the persister has stored what it published, through the real
 * services: the tests of chat-api write the persister's rows themselves, these check the two meet.
 */
describe('posted messages, stored and shown (end to end)', () => {
  const warren = useWarren();

  it('stores one message for one client id, even when the retry races the first post', async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    const id = randomUUID();
    const path = `/api/sessions/${session}/messages`;
    const answers = await Promise.all([
      warren.api(alice, 'POST', path, { content: 'once', id }),
      warren.api(alice, 'POST', path, { content: 'once', id }),
    ]);
    expect(answers.map((answer) => answer.status)).to.deep.equal([202, 202]);
    await warren.stored({ id });
    const history = await warren.api(bob, 'GET', path);
    expect(history.body.messages.map((message: { id: string }) => message.id)).to.deep.equal([id]);
  });

  it('counts stored messages in the session’s version, shows the last one, and accepts read markers for it', async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    const ids: string[] = [];
    for (const content of ['one', 'two']) {
      const posted = await warren.api(alice, 'POST', `/api/sessions/${session}/messages`, { content });
      expect(posted.status).to.equal(202);
      ids.push(posted.body.message.id);
    }
    // Marked read before it may be stored: chat-api waits for the persister rather than refuse it.
    const read = await warren.api(bob, 'POST', `/api/sessions/${session}/read`, { message_id: ids[1] });
    expect(read.status).to.equal(204);
    for (const id of ids) await warren.stored({ id });

    const detail = await warren.api(bob, 'GET', `/api/sessions/${session}`);
    expect(detail.body).to.deep.include({ version: 2, unread_count: 0 });
    expect(detail.body.last_message).to.deep.include({ id: ids[1], content: 'two' });
  });
});
