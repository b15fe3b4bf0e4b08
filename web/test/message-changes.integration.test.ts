import { randomUUID } from 'node:crypto';
import { HISTORY_SCHEMA } from '@warren/shared/history';
import { eventually, testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { useBrowserSuite } from './support/browser-suite.ts';
import { untilHistory } from './support/history.ts';
import {
  connection,
  createGroup,
  expectTexts,
  live,
  messageItem,
  open,
  openMessageMenu,
  reactWith,
  say,
  screenshot,
  texts,
  threadPanel,
} from './support/ui.ts';

/** What a reaction button under a message says: its count, and whether it is pressed (the user is among them). */
async function reactionOf(message: Locator, emoji: string): Promise<{ count: string; me: boolean } | undefined> {
  const button = message.locator(`.reaction[data-emoji="${emoji}"]`);
  if ((await button.count()) === 0) return undefined;
  return {
    count: (await button.locator('.reaction-count').textContent()) ?? '',
    me: (await button.getAttribute('aria-pressed')) === 'true',
  };
}

/** Waits until a message shows `emoji` as given (`undefined`: not at all). */
async function expectReaction(
  message: Locator,
  emoji: string,
  expected: { count: string; me: boolean } | undefined,
): Promise<void> {
  let seen: Awaited<ReturnType<typeof reactionOf>>;
  try {
    await eventually(async () => {
      seen = await reactionOf(message, emoji);
      return JSON.stringify(seen) === JSON.stringify(expected);
    });
  } catch {
    // A refused reaction is undone with a notice: its words say why.
    const notice = await message.page().locator('.banner').allTextContents();
    expect(seen, `reaction ${emoji} (notice: ${notice.join(' ') || 'none'})`).to.deep.equal(expected);
  }
}

/** Whether a message is inside the visible part of the conversation's scrolling list. */
function inView(message: Locator): Promise<boolean> {
  return message.evaluate((node) => {
    const list = node.closest('.messages');
    if (list === null) return false;
    const box = node.getBoundingClientRect();
    const frame = list.getBoundingClientRect();
    return box.top >= frame.top && box.bottom <= frame.bottom;
  });
}

describe('web client: message edits, deletes, reactions, threads and search', function () {
  this.timeout(90_000);
  const suite = useBrowserSuite();
  const { person } = suite;

  /** A stored message's row, by session and content. */
  const rowOf = (sessionId: string, content: string) =>
    suite.stack.warren.stored({ sessionId, content }).then((row) => row.id);

  it('edits a message from its menu: the other person sees "edited" live and after a reload', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const sessionId = await createGroup(alice.page, 'Lunch', [bob.name]);
    await open(bob.page, 'Lunch');
    // Each answers what the other's screen shows already, so both show the same order live.
    await say(alice.page, 'Lunch at 12?');
    await messageItem(bob.page, 'Lunch at 12?').waitFor();
    await say(bob.page, 'Sounds good');
    await expectTexts(alice.page, ['Lunch at 12?', 'Sounds good']);

    // Bob, who is not the owner, may only reply to Alice's message; she may edit and delete hers.
    const bobsView = await openMessageMenu(messageItem(bob.page, 'Lunch at 12?'));
    expect(await bobsView.getByRole('menuitem').allTextContents()).to.deep.equal(['Reply in thread']);
    await bob.page.keyboard.press('Escape');
    await bobsView.waitFor({ state: 'detached' });

    const mine = messageItem(alice.page, 'Lunch at 12?').and(alice.page.locator('[data-status="sent"]'));
    const menu = await openMessageMenu(mine);
    expect(await menu.getByRole('menuitem').allTextContents()).to.deep.equal(['Reply in thread', 'Edit', 'Delete']);
    await screenshot(alice.page, 'message-menu');

    // Escape leaves the text as it was.
    await menu.getByRole('menuitem', { name: 'Edit' }).click();
    const box = alice.page.getByRole('textbox', { name: 'Edit message' });
    await box.fill('Lunch at 1?');
    await box.press('Escape');
    await box.waitFor({ state: 'detached' });
    await expectTexts(alice.page, ['Lunch at 12?', 'Sounds good']);

    await (await openMessageMenu(mine)).getByRole('menuitem', { name: 'Edit' }).click();
    await box.fill('Lunch at 12:30?');
    await box.press('Enter');
    await box.waitFor({ state: 'detached' });
    for (const { page } of [alice, bob]) {
      await expectTexts(page, ['Lunch at 12:30?', 'Sounds good']);
      await messageItem(page, 'Lunch at 12:30?').locator('.edited', { hasText: 'edited' }).waitFor();
    }
    expect(await messageItem(bob.page, 'Sounds good').locator('.edited').count()).to.equal(0);

    // History has the edit once a row holds the new text.
    await rowOf(sessionId, 'Lunch at 12:30?');
    await bob.page.reload();
    await live(bob.page);
    await expectTexts(bob.page, ['Lunch at 12:30?', 'Sounds good']);
    await messageItem(bob.page, 'Lunch at 12:30?').locator('.edited').waitFor();

    // An edit made while Bob's network is down reaches him with the gap fill, though the message is
    // older than the fill's cursor.
    const catchUps = Number(await connection(bob.page).getAttribute('data-catch-ups'));
    await bob.context.setOffline(true);
    await connection(bob.page).and(bob.page.locator('[data-state="offline"]')).waitFor();
    await (await openMessageMenu(messageItem(alice.page, 'Lunch at 12:30?')))
      .getByRole('menuitem', { name: 'Edit' })
      .click();
    await box.fill('Lunch at 1, then');
    await box.press('Enter');
    await box.waitFor({ state: 'detached' });
    await rowOf(sessionId, 'Lunch at 1, then');
    expect(await texts(bob.page)).to.deep.equal(['Lunch at 12:30?', 'Sounds good']);
    await bob.context.setOffline(false);
    await live(bob.page);
    await connection(bob.page)
      .and(bob.page.locator(`[data-catch-ups="${catchUps + 2}"]`))
      .waitFor();
    await expectTexts(bob.page, ['Lunch at 1, then', 'Sounds good']);
  });

  it('deletes messages (her own, and as the owner anyone’s): "message deleted" live and after a reload', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const sessionId = await createGroup(alice.page, 'Moderated', [bob.name]);
    await open(bob.page, 'Moderated');
    // Each line is written once the other's screen shows the one before, as people answer what they
    // see: a live message can reach the other screen after the next one, which history then orders.
    const lines: [Page, Page, string][] = [
      [alice.page, bob.page, 'Welcome, everyone'],
      [bob.page, alice.page, 'Buy cheap watches at example.com'],
      [alice.page, bob.page, 'A typo I regret'],
      [bob.page, alice.page, 'Thanks!'],
    ];
    for (const [writer, reader, line] of lines) {
      await say(writer, line);
      await messageItem(reader, line).waitFor();
    }
    await expectTexts(alice.page, [
      'Welcome, everyone',
      'Buy cheap watches at example.com',
      'A typo I regret',
      'Thanks!',
    ]);

    // Alice owns the group: she may delete Bob's message, though not edit it.
    const spam = messageItem(alice.page, 'Buy cheap watches');
    const menu = await openMessageMenu(spam);
    expect(await menu.getByRole('menuitem').allTextContents()).to.deep.equal(['Reply in thread', 'Delete']);
    await menu.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Delete message?' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });

    await (await openMessageMenu(messageItem(alice.page, 'A typo I regret')))
      .getByRole('menuitem', { name: 'Delete' })
      .click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });

    const tombstones = (page: Page) => page.locator('.message-list .message.deleted .message-deleted');
    for (const { page } of [alice, bob]) {
      await expectTexts(page, ['Welcome, everyone', 'Thanks!']);
      await eventually(async () => (await tombstones(page).count()) === 2);
      expect(await tombstones(page).allTextContents()).to.deep.equal(['message deleted', 'message deleted']);
    }
    await screenshot(bob.page, 'message-deleted');

    await untilHistory(suite.stack.warren, async (db) => {
      const deleted = await db
        .withSchema(HISTORY_SCHEMA)
        .from('messages')
        .where({ session_id: sessionId })
        .whereNotNull('deleted_at')
        .count<{ count: string }[]>({ count: '*' });
      return Number(deleted[0]?.count) === 2;
    });
    await bob.page.reload();
    await live(bob.page);
    await expectTexts(bob.page, ['Welcome, everyone', 'Thanks!']);
    await eventually(async () => (await tombstones(bob.page).count()) === 2);
    // Nothing of the deleted text is anywhere on the page.
    expect(await bob.page.locator('body').textContent()).to.not.include('cheap watches');
  });

  it('reacts from the picker and toggles a reaction by its count; the other person sees counts live', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const sessionId = await createGroup(alice.page, 'Releases', [bob.name]);
    await open(bob.page, 'Releases');
    await say(alice.page, 'Version 2.0 is out!');
    const atBob = messageItem(bob.page, 'Version 2.0 is out!').and(bob.page.locator('[data-status="sent"]'));
    const atAlice = messageItem(alice.page, 'Version 2.0 is out!').and(alice.page.locator('[data-status="sent"]'));
    await atBob.waitFor();

    await reactWith(atBob, 'thumbs up');
    await expectReaction(atBob, '👍', { count: '1', me: true });
    await expectReaction(atAlice, '👍', { count: '1', me: false });

    // Alice adds hers by clicking the count.
    await atAlice.locator('.reaction[data-emoji="👍"]').click();
    await expectReaction(atAlice, '👍', { count: '2', me: true });
    await expectReaction(atBob, '👍', { count: '2', me: true });

    await reactWith(atBob, 'party');
    await reactWith(atAlice, 'heart');
    // The pointer away, so no message shows its tools in the screenshot.
    await alice.page.mouse.move(0, 0);
    await expectReaction(atAlice, '🎉', { count: '1', me: false });
    await expectReaction(atBob, '❤️', { count: '1', me: false });

    // Bob takes his thumbs up back.
    await atBob.locator('.reaction[data-emoji="👍"]').click();
    await expectReaction(atBob, '👍', { count: '1', me: false });
    await expectReaction(atAlice, '👍', { count: '1', me: true });
    await screenshot(alice.page, 'reactions');

    const messageId = await rowOf(sessionId, 'Version 2.0 is out!');
    await untilHistory(suite.stack.warren, async (db) => {
      const rows = await db
        .withSchema(HISTORY_SCHEMA)
        .from('reactions')
        .where({ message_id: messageId, present: true });
      return rows.length === 3;
    });
    await alice.page.reload();
    await live(alice.page);
    await expectReaction(atAlice, '👍', { count: '1', me: true });
    await expectReaction(atAlice, '🎉', { count: '1', me: false });
    await expectReaction(atAlice, '❤️', { count: '1', me: true });
  });

  it('replies in a thread panel: replies stay out of the main list, the root counts them, live for both', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const sessionId = await createGroup(alice.page, 'Offsite', [bob.name]);
    await open(bob.page, 'Offsite');
    await say(alice.page, 'Where shall we hold the offsite?');
    await say(alice.page, 'Also: who brings snacks?');
    const root = (page: Page) =>
      messageItem(page, 'Where shall we hold the offsite?').and(page.locator('[data-status="sent"]'));
    await root(bob.page).waitFor();

    await (await openMessageMenu(root(bob.page))).getByRole('menuitem', { name: 'Reply in thread' }).click();
    const bobsPanel = threadPanel(bob.page);
    await messageItem(bob.page, 'Where shall we hold the offsite?', bobsPanel).waitFor();
    await bobsPanel.getByTestId('thread-count').filter({ hasText: 'No replies yet' }).waitFor();
    const reply = bobsPanel.getByRole('textbox', { name: 'Reply' });
    await reply.fill('The lake house?');
    await reply.press('Enter');
    await messageItem(bob.page, 'The lake house?', bobsPanel).and(bob.page.locator('[data-status="sent"]')).waitFor();

    // Alice sees the count on the root, live, and opens the thread from it.
    await root(alice.page).locator('.reply-count', { hasText: '1 reply' }).waitFor();
    await root(alice.page).locator('.reply-count').click();
    const alicesPanel = threadPanel(alice.page);
    await messageItem(alice.page, 'The lake house?', alicesPanel).waitFor();
    const aliceReply = alicesPanel.getByRole('textbox', { name: 'Reply' });
    await aliceReply.fill('Booked it. Friday 10 am.');
    await aliceReply.press('Enter');
    // The pointer away, so no message shows its tools in the screenshot.
    await alice.page.mouse.move(0, 0);

    for (const { page } of [alice, bob]) {
      const panel = threadPanel(page);
      await eventually(
        async () =>
          JSON.stringify(await panel.locator('.thread-list .message-text').allTextContents()) ===
          JSON.stringify(['The lake house?', 'Booked it. Friday 10 am.']),
      );
      await panel.getByTestId('thread-count').filter({ hasText: '2 replies' }).waitFor();
      await root(page).locator('.reply-count', { hasText: '2 replies' }).waitFor();
      // Replies are not in the main list.
      await expectTexts(page, ['Where shall we hold the offsite?', 'Also: who brings snacks?']);
    }
    await screenshot(alice.page, 'thread-panel');
    // On a phone the panel covers the conversation, and closing it shows the conversation again.
    await alice.page.setViewportSize({ width: 390, height: 844 });
    await screenshot(alice.page, 'thread-panel-phone');
    await alicesPanel.getByRole('button', { name: 'Close thread' }).click();
    await alicesPanel.waitFor({ state: 'detached' });
    await root(alice.page).locator('.reply-count', { hasText: '2 replies' }).waitFor();

    await rowOf(sessionId, 'Booked it. Friday 10 am.');
    await bob.page.reload();
    await live(bob.page);
    await expectTexts(bob.page, ['Where shall we hold the offsite?', 'Also: who brings snacks?']);
    await root(bob.page).locator('.reply-count', { hasText: '2 replies' }).click();
    await eventually(
      async () =>
        JSON.stringify(await threadPanel(bob.page).locator('.thread-list .message-text').allTextContents()) ===
        JSON.stringify(['The lake house?', 'Booked it. Friday 10 am.']),
    );
    await threadPanel(bob.page).getByRole('button', { name: 'Close thread' }).click();
    await threadPanel(bob.page).waitFor({ state: 'detached' });
  });

  it('finds a message by its words and jumps to it, paging back through history to show it', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const opsId = await createGroup(alice.page, 'Ops', [bob.name]);
    await say(alice.page, 'The staging password rotates on Mondays');
    await createGroup(alice.page, 'Random', [bob.name]);

    // A bot's question with a reply in its thread, then more than a page of later messages in Ops,
    // so the one found is not in the first page Bob loads.
    const bot = testConfig().users.bot;
    const connection = await amqp.connect(bot.url);
    const ids: string[] = [];
    try {
      const channel = await connection.createConfirmChannel();
      const publish = (body: Record<string, unknown>) => {
        const messageId = randomUUID();
        ids.push(messageId);
        channel.publish(`warren.session.${opsId}`, '', Buffer.from(JSON.stringify(body)), {
          userId: bot.name,
          messageId,
          contentType: 'application/json',
          persistent: true,
        });
        return messageId;
      };
      const question = publish({ content: 'Where are the staging keys?' });
      publish({ content: 'In the vault, ask the on-call person', reply_to: question });
      for (let i = 1; i <= 60; i += 1) publish({ content: `status update ${String(i).padStart(2, '0')}` });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    await rowOf(opsId, 'The staging password rotates on Mondays');
    await suite.stack.warren.stored({ id: ids.at(-1) ?? '' });

    // A reload forgets what arrived live: the conversation starts from its newest page.
    await bob.page.reload();
    await live(bob.page);
    await open(bob.page, 'Random');
    await bob.page.getByRole('searchbox', { name: 'Search messages' }).fill('ROTATES staging');
    const result = bob.page.locator('.search-result');
    await result.first().waitFor();
    expect(await result.count()).to.equal(1);
    expect(await result.locator('.result-session').textContent()).to.equal('Ops');
    expect(await result.locator('.result-author').textContent()).to.equal(alice.name);
    expect(await result.locator('mark').allTextContents()).to.deep.equal(['staging', 'rotates']);

    await result.click();
    await bob.page.locator('.conversation-title h2', { hasText: 'Ops' }).waitFor();
    const found = messageItem(bob.page, 'The staging password rotates on Mondays');
    await found.and(bob.page.locator('[data-highlighted="true"]')).waitFor();
    await eventually(() => inView(found));
    // It took paging back: the newest page of 50 did not hold it.
    expect(await bob.page.locator('.message-list .message').count()).to.be.greaterThan(50);
    await screenshot(bob.page, 'search');

    // A reply found opens its thread's panel, marked there.
    const searchBox = bob.page.getByRole('searchbox', { name: 'Search messages' });
    await searchBox.fill('vault');
    const reply = bob.page.locator('.search-result', { hasText: 'on-call' });
    await reply.waitFor();
    expect(await reply.locator('.result-author').textContent()).to.equal(`${bot.name} · in a thread`);
    await reply.click();
    const panel = threadPanel(bob.page);
    await messageItem(bob.page, 'Where are the staging keys?', panel).waitFor();
    await messageItem(bob.page, 'In the vault', panel).and(bob.page.locator('[data-highlighted="true"]')).waitFor();
    await messageItem(bob.page, 'Where are the staging keys?')
      .locator('.reply-count', { hasText: '1 reply' })
      .waitFor();

    // A word no message has.
    await searchBox.fill('zebra');
    await bob.page.getByText('No messages match “zebra”.').waitFor();
  });
});
