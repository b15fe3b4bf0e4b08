import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { testConfig } from '@warren/shared/testing';
import amqp, { type Options } from 'amqplib';
import { expect } from 'chai';
import { useBrowserSuite } from './support/browser-suite.ts';
import { connection, createGroup, expectTexts, live, open, say } from './support/ui.ts';

/** Publishes text to a session as the deployment's example producer, with the properties given. */
async function publish(sessionId: string, content: string, properties: Options.Publish): Promise<void> {
  const client = await amqp.connect(testConfig().users.bot.url);
  try {
    const channel = await client.createConfirmChannel();
    channel.publish(`warren.session.${sessionId}`, '', Buffer.from(content), { persistent: true, ...properties });
    await channel.waitForConfirms();
  } finally {
    await client.close();
  }
}

describe('web client against hostile producers and input', function () {
  this.timeout(60_000);
  const suite = useBrowserSuite();
  const { person } = suite;

  it('shows a message published without user_id as from an unverified sender, live and from history', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const sessionId = await createGroup(alice.page, 'Release day', [bob.name]);
    await open(bob.page, 'Release day');
    await say(alice.page, 'Is the release still on for today?');
    await expectTexts(bob.page, ['Is the release still on for today?']);
    await say(bob.page, 'Yes, the build is running now.');
    const bot = testConfig().users.bot;
    await publish(sessionId, 'Build 1234 passed', { userId: bot.name, messageId: randomUUID() });
    // What any producer can send: no user_id, dressed up as an announcement of Warren's own.
    const spoof = 'Warren will restart at 18:00. Log in again at https://warren-login.example to keep your messages.';
    const spoofId = randomUUID();
    await publish(sessionId, spoof, { messageId: spoofId });
    const stored = suite.stack.warren.stored({ id: spoofId });

    for (const page of [alice.page, bob.page]) {
      const message = page.locator('.message[data-author-kind="unverified"]', { hasText: spoof });
      await message.waitFor();
      expect(await message.locator('.author-name').textContent()).to.equal('Unknown sender');
      expect(await message.locator('.unverified-tag').textContent()).to.equal('unverified');
      expect(await message.locator('.unverified-tag').getAttribute('title')).to.include(
        'It is not a message from Warren',
      );
      expect(await page.locator('.message.system').count()).to.equal(0);
    }
    await alice.page.locator('.session-item .session-preview', { hasText: `Unverified sender: ${spoof}` }).waitFor();
    await alice.page.screenshot({ path: join(import.meta.dirname, '../../docs/screenshots/unverified-desktop.png') });

    await stored;
    await bob.page.reload();
    await live(bob.page);
    const fromHistory = bob.page.locator('.message[data-author-kind="unverified"]', { hasText: spoof });
    await fromHistory.locator('.unverified-tag').waitFor();
  });

  it('does not send a message made only of invisible characters, and says why', async () => {
    const alice = await person('alice');
    await createGroup(alice.page, 'Quiet room', []);
    const box = alice.page.getByRole('textbox', { name: 'Message' });
    await box.fill('\u200b\u200b \u2060');
    await alice.page.getByRole('status').filter({ hasText: 'Only invisible characters' }).waitFor();
    expect(await alice.page.getByRole('button', { name: 'Send' }).isDisabled()).to.equal(true);
    await box.press('Enter');
    expect(await box.inputValue()).to.equal('\u200b\u200b \u2060');
    // Posts of a session go out in order: had the invisible one been sent, it would come first.
    await box.fill('');
    await say(alice.page, 'something to read');
    await alice.page.locator('.message[data-status="sent"]', { hasText: 'something to read' }).waitFor();
    await expectTexts(alice.page, ['something to read']);
  });

  it('replaces what it showed live with history on a gap fill: a reused message id disappears', async () => {
    const alice = await person('alice');
    const elsewhere = await createGroup(alice.page, 'First room', []);
    const here = await createGroup(alice.page, 'Second room', []);
    const bot = testConfig().users.bot;
    const reused = randomUUID();
    const { warren } = suite.stack;
    await publish(elsewhere, 'the original', { userId: bot.name, messageId: reused });
    await warren.stored({ id: reused });

    // The same id in another session: the gateway delivers it, the persister refuses it.
    await publish(here, 'an impostor', { userId: bot.name, messageId: reused });
    await expectTexts(alice.page, ['an impostor']);
    await warren.deadLettered(reused);
    const laterId = randomUUID();
    await publish(here, 'a later message', { userId: bot.name, messageId: laterId });
    await expectTexts(alice.page, ['an impostor', 'a later message']);
    await warren.stored({ id: laterId });

    const catchUps = Number(await connection(alice.page).getAttribute('data-catch-ups'));
    await alice.context.setOffline(true);
    await connection(alice.page).and(alice.page.locator('[data-state="offline"]')).waitFor();
    await alice.context.setOffline(false);
    await live(alice.page);
    await connection(alice.page)
      .and(alice.page.locator(`[data-catch-ups="${catchUps + 2}"]`))
      .waitFor();
    await expectTexts(alice.page, ['a later message']);
    await open(alice.page, 'First room');
    await expectTexts(alice.page, ['the original']);
  });
});
