import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, Recorder, testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { Person } from './support/browser.ts';
import { useBrowserSuite } from './support/browser-suite.ts';
import { ACCESS_TOKEN_TTL_SEC } from './support/stack.ts';
import {
  connection,
  createGroup,
  expectTexts,
  live,
  logIn,
  open,
  PASSWORD,
  say,
  sessionItem,
  signUp,
  texts,
} from './support/ui.ts';

describe('web client in Chromium', function () {
  this.timeout(60_000);
  const suite = useBrowserSuite();
  const { person } = suite;

  /** The tokens a tab's sockets send in `auth` frames, from the next socket it opens. */
  function authFramesOf(page: Page): Recorder<string> {
    const tokens = new Recorder<string>({ name: 'auth frames', timeoutMs: ACCESS_TOKEN_TTL_SEC * 1000 });
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        const frame = JSON.parse(payload.toString()) as { type?: string; token?: string };
        if (frame.type === 'auth' && frame.token !== undefined) tokens.push(frame.token);
      }),
    );
    return tokens;
  }

  it('lets two people chat live, in order, and keeps them logged in with their history across a reload', async () => {
    const alice = await person('alice');
    const bob = await person('bob');

    await createGroup(alice.page, 'Weekend plans', [bob.name]);
    // Bob was added: his list learns of the group live, from the member.joined event.
    await open(bob.page, 'Weekend plans');

    const lines = ['Hi Bob!', 'Hi Alice, how are you?', 'Fine. Hiking on Saturday?', 'Yes, 9 am at the station.'];
    for (const [index, line] of lines.entries()) {
      const [writer, reader] = index % 2 === 0 ? [alice, bob] : [bob, alice];
      await say(writer.page, line);
      await expectTexts(reader.page, lines.slice(0, index + 1));
    }
    await expectTexts(alice.page, lines);
    await alice.page.locator('.message[data-status="sent"]', { hasText: lines[2] }).waitFor();

    await Promise.all([alice.page.reload(), bob.page.reload()]);
    for (const { page, name } of [alice, bob]) {
      await page.getByTestId('me').filter({ hasText: name }).waitFor();
      await page.locator('.conversation-title h2', { hasText: 'Weekend plans' }).waitFor();
      await expectTexts(page, lines);
      await live(page);
    }
    await say(bob.page, 'See you!');
    await expectTexts(alice.page, [...lines, 'See you!']);
  });

  it('shows a message a bot published straight to the broker in both browsers, as a bot', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const sessionId = await createGroup(alice.page, 'Deploys', [bob.name]);
    await open(bob.page, 'Deploys');

    const bot = testConfig().users.bot;
    const connection = await amqp.connect(bot.url);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(
        `warren.session.${sessionId}`,
        '',
        Buffer.from(JSON.stringify({ content: 'Build 1234 passed ✅' })),
        {
          userId: bot.name,
          messageId: randomUUID(),
          contentType: 'application/json',
          timestamp: Math.floor(Date.now() / 1000),
          persistent: true,
        },
      );
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }

    for (const { page } of [alice, bob]) {
      const message = page.locator('.message[data-author-kind="bot"]', { hasText: 'Build 1234 passed ✅' });
      await message.waitFor();
      expect(await message.locator('.author-name').textContent()).to.equal(bot.name);
      expect(await message.locator('.bot-tag').textContent()).to.equal('bot');
    }
  });

  it('gives Bob every message sent while his network was down, once each and in order', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    await createGroup(alice.page, 'Offline test', [bob.name]);
    await open(bob.page, 'Offline test');
    await say(alice.page, 'before');
    await expectTexts(bob.page, ['before']);

    await bob.context.setOffline(true);
    await connection(bob.page).and(bob.page.locator('[data-state="offline"]')).waitFor();
    const burst = Array.from({ length: 20 }, (_, i) => `message ${String(i + 1).padStart(2, '0')}`);
    for (const line of burst) await say(alice.page, line);
    await eventually(async () => (await alice.page.locator('.message[data-status="sent"]').count()) === 21);
    // The gap is real: nothing of it reached Bob while he was offline.
    expect(await texts(bob.page)).to.deep.equal(['before']);

    const catchUps = Number(await connection(bob.page).getAttribute('data-catch-ups'));
    await bob.context.setOffline(false);
    await live(bob.page);
    // Both fills after `ready` (at once, and again a moment later) have been merged.
    await connection(bob.page)
      .and(bob.page.locator(`[data-catch-ups="${catchUps + 2}"]`))
      .waitFor();
    await expectTexts(bob.page, ['before', ...burst]);
    await say(alice.page, 'after');
    await expectTexts(bob.page, ['before', ...burst, 'after']);
  });

  it('counts unread messages in a session Bob is not looking at, moves it to the top, and clears it when he opens it', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    await createGroup(alice.page, 'Quiet group', [bob.name]);
    await createGroup(alice.page, 'Busy group', [bob.name]);
    await say(alice.page, 'first, read');
    await open(bob.page, 'Busy group');
    await expectTexts(bob.page, ['first, read']);
    await open(bob.page, 'Quiet group');
    await open(alice.page, 'Quiet group');
    await say(alice.page, 'quiet news');
    await eventually(async () => (await bob.page.locator('.session-name').first().textContent()) === 'Quiet group');

    await open(alice.page, 'Busy group');
    const unread = sessionItem(bob.page, 'Busy group').getByTestId('unread');
    for (const [index, line] of ['one', 'two', 'three'].entries()) {
      await say(alice.page, line);
      await unread.filter({ hasText: String(index + 1) }).waitFor();
    }
    // Live re-ordering: the busy group is back on top of Bob's list, with its last message.
    await eventually(async () => (await bob.page.locator('.session-name').first().textContent()) === 'Busy group');
    expect(await sessionItem(bob.page, 'Busy group').locator('.session-preview').textContent()).to.include('three');

    const busyId = await sessionItem(bob.page, 'Busy group').getAttribute('data-session-id');
    const marked = bob.page.waitForResponse(
      (response) => response.url().endsWith(`/${busyId}/read`) && response.status() === 204,
    );
    await open(bob.page, 'Busy group');
    await unread.waitFor({ state: 'detached' });
    await expectTexts(bob.page, ['first, read', 'one', 'two', 'three']);
    // The read marker reached chat-api: a fresh load counts nothing unread either.
    await marked;
    await bob.page.goto('/');
    await sessionItem(bob.page, 'Busy group').waitFor();
    expect(await sessionItem(bob.page, 'Busy group').getByTestId('unread').count()).to.equal(0);
  });

  it('shows markup in a message as text, never as HTML', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    await createGroup(alice.page, 'Markup', [bob.name]);
    await open(bob.page, 'Markup');
    const evil = '<img src=x onerror=alert(1)> <b>bold?</b>';
    await say(alice.page, evil);
    for (const { page } of [alice, bob]) {
      await page.locator('.message-text', { hasText: evil }).waitFor();
      expect(await page.locator('.message-list img, .message-list b').count()).to.equal(0);
    }
    expect(alice.dialogs).to.deep.equal([]);
    expect(bob.dialogs).to.deep.equal([]);
  });

  it('marks a failed send, and a retry sends the same id again, which chat-api stores once', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    await createGroup(alice.page, 'Flaky network', [bob.name]);
    await open(bob.page, 'Flaky network');

    // The worst case: the first attempt reaches chat-api, which stores and publishes the message,
    // but neither its answer nor the socket's copy of it reach Alice's page.
    await alice.page.routeWebSocket('**/ws', (socket) => {
      const server = socket.connectToServer();
      server.onMessage((frame) => {
        if (!String(frame).includes('did this arrive?')) socket.send(frame);
      });
    });
    await alice.page.reload();
    await live(alice.page);
    const postedIds: string[] = [];
    await alice.page.route('**/api/sessions/*/messages', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      postedIds.push((route.request().postDataJSON() as { id: string }).id);
      if (postedIds.length > 1) return route.fallback();
      await route.fetch();
      await route.abort('connectionreset');
    });

    await say(alice.page, 'did this arrive?');
    const failed = alice.page.locator('.message[data-status="failed"]', { hasText: 'did this arrive?' });
    await failed.waitFor();
    expect(await failed.locator('.send-state').textContent()).to.include('Cannot reach Warren');
    await failed.getByRole('button', { name: 'Retry' }).click();
    await alice.page.locator('.message[data-status="sent"]', { hasText: 'did this arrive?' }).waitFor();

    expect(postedIds).to.have.length(2);
    expect(postedIds[1]).to.equal(postedIds[0]);
    await expectTexts(alice.page, ['did this arrive?']);
    await expectTexts(bob.page, ['did this arrive?']);
    await bob.page.reload();
    await expectTexts(bob.page, ['did this arrive?']);
  });

  it('starts a direct chat by username, and finds, joins, renames, grows, leaves and deletes a public group', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const carol = await person('carol');

    await alice.page.getByRole('button', { name: 'New chat' }).click();
    const direct = alice.page.getByRole('dialog', { name: 'Chat with someone' });
    await direct.getByLabel('Username').fill(bob.name.slice(0, 5));
    await direct.getByRole('button', { name: bob.name, exact: true }).click();
    await alice.page.locator('.conversation-title h2', { hasText: bob.name }).waitFor();
    await say(alice.page, 'just us');
    await open(bob.page, alice.name);
    await expectTexts(bob.page, ['just us']);

    await alice.page.getByRole('button', { name: 'New group' }).click();
    const create = alice.page.getByRole('dialog', { name: 'New group' });
    await create.getByLabel('Name').fill('Open house');
    await create.getByLabel('Public: anyone can find and join it').check();
    await create.getByRole('button', { name: 'Create group' }).click();
    await alice.page.locator('.conversation-title', { hasText: '1 member · public' }).waitFor();

    await carol.page.getByRole('button', { name: 'Find groups' }).click();
    const find = carol.page.getByRole('dialog', { name: 'Find groups' });
    await find.getByLabel('Search public groups').fill('open h');
    await find.locator('.hit', { hasText: 'Open house' }).getByRole('button', { name: 'Join' }).click();
    await carol.page.locator('.conversation-title h2', { hasText: 'Open house' }).waitFor();
    await alice.page.locator('.conversation-title', { hasText: '2 members · public' }).waitFor();

    await alice.page.getByRole('button', { name: 'Details' }).click();
    const details = alice.page.getByRole('dialog');
    await details.getByLabel('Name').fill('Open house, renamed');
    await details.getByRole('button', { name: 'Rename' }).click();
    await carol.page.locator('.conversation-title h2', { hasText: 'Open house, renamed' }).waitFor();
    await details.getByLabel('Add someone').fill(bob.name);
    await details.getByRole('button', { name: bob.name, exact: true }).click();
    await details.locator('.member', { hasText: bob.name }).waitFor();
    await details.getByRole('button', { name: 'Close' }).click();
    await open(bob.page, 'Open house, renamed');

    await bob.page.getByRole('button', { name: 'Details' }).click();
    expect(await bob.page.getByRole('button', { name: 'Delete group' }).count()).to.equal(0);
    await bob.page.getByRole('dialog').getByRole('button', { name: 'Leave' }).click();
    await sessionItem(bob.page, 'Open house, renamed').waitFor({ state: 'detached' });
    await alice.page.locator('.conversation-title', { hasText: '2 members · public' }).waitFor();

    await alice.page.getByRole('button', { name: 'Details' }).click();
    await alice.page.getByRole('button', { name: 'Delete group' }).click();
    await alice.page.getByRole('button', { name: 'Really delete for everyone?' }).click();
    await sessionItem(alice.page, 'Open house, renamed').waitFor({ state: 'detached' });
    await carol.page.getByRole('status').filter({ hasText: 'That conversation was deleted.' }).waitFor();
    await sessionItem(carol.page, 'Open house, renamed').waitFor({ state: 'detached' });
  });

  it('shows what went wrong in words, never as raw JSON', async () => {
    const alice = await person('alice');
    const stranger = await suite.browser();
    const { page } = stranger;
    await page.goto('/');
    await page.getByLabel('Username').fill(alice.name);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();

    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill(alice.name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').filter({ hasText: 'That username is taken. Try another one.' }).waitFor();

    await alice.page.getByRole('button', { name: 'New chat' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Chat with someone' });
    await dialog.getByLabel('Username').fill('nobody_by_this_name');
    await dialog.getByRole('button', { name: 'Start chat' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'There is no user called nobody_by_this_name.' }).waitFor();
    for (const text of await alice.page.getByRole('alert').allTextContents()) expect(text).not.to.match(/[{}]/);
  });

  it('renews the access token before it expires in two tabs at once, without either losing the login or the socket', async function () {
    this.timeout((ACCESS_TOKEN_TTL_SEC + 30) * 1000);
    const alice = await person('alice');
    const bob = await person('bob');
    await createGroup(alice.page, 'Long chat', [bob.name]);
    const second = await alice.context.newPage();
    const handedOver = [alice.page, second].map(authFramesOf);
    // The first tab's socket opened before its frames were recorded: a reload opens it again.
    await alice.page.reload();
    await live(alice.page);
    await second.goto(alice.page.url());
    await live(second);

    const stored = () =>
      alice.page.evaluate(() => JSON.parse(localStorage.getItem('warren.auth') ?? '{}') as Record<string, unknown>);
    const first = await stored();
    const { logs } = suite.stack.warren.gateway;
    const logged = logs.all.length;
    // Sockets the gateway closes from now on because a token expired or failed verification.
    const refusals = () =>
      logs.all.slice(logged).filter((line) => line.msg === 'closing the connection' && line.code === 4001);
    // Both tabs' timers come due together; the Web Lock lets one refresh and the other adopt its
    // tokens, and each hands the new one to its open socket, which is what keeps the gateway from
    // closing it when the first token expires (the gateway's own tests hold that part).
    const renewed = await Promise.all(
      handedOver.map((tokens) =>
        tokens.waitFor((token) => token !== first.accessToken, { what: 'an auth frame with a renewed token' }),
      ),
    );
    const now = await stored();
    expect(now.refreshToken).not.to.equal(first.refreshToken);
    expect(renewed).to.deep.equal([now.accessToken, now.accessToken]);

    await open(bob.page, 'Long chat');
    await say(bob.page, 'still there?');
    for (const page of [alice.page, second]) {
      // Generous: after a renewal a tab may be reconnecting and filling the gap on a loaded machine.
      await expectTexts(page, ['still there?'], 45_000);
      await page.getByTestId('me').filter({ hasText: alice.name }).waitFor();
    }
    expect(refusals()).to.deep.equal([]);
    await say(second, 'yes, both tabs');
    await expectTexts(bob.page, ['still there?', 'yes, both tabs']);
  });

  it('takes screenshots of the login page, the session list and a conversation, on a desktop and a phone', async function () {
    const folder = join(import.meta.dirname, '../../docs/screenshots');
    mkdirSync(folder, { recursive: true });
    const shot = (page: Page, name: string) => page.screenshot({ path: join(folder, `${name}.png`) });
    // Six browsers and a scripted conversation: 20 s on a quiet machine, three times that under load.
    this.timeout(180_000);
    const desktop = { width: 1280, height: 800 };
    const phone = { width: 390, height: 844 };

    // Plain names: the run's database is new, and no other test uses them.
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map(async (name) => {
        const someone = await suite.browser(desktop);
        await signUp(someone.page, name);
        await live(someone.page);
        return { ...someone, name };
      }),
    );
    if (alice === undefined || bob === undefined || carol === undefined) throw new Error('three people');

    const onPhone = await suite.browser(phone);
    await onPhone.page.goto('/');
    await onPhone.page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await shot(onPhone.page, 'login-phone');
    const visitor = await suite.browser(desktop);
    await visitor.page.goto('/');
    await visitor.page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await shot(visitor.page, 'login-desktop');

    await createGroup(alice.page, 'Book club', [bob.name, carol.name]);
    await say(alice.page, 'Next up: The Left Hand of Darkness. Thoughts?');
    await bob.page.getByRole('button', { name: 'New chat' }).click();
    await bob.page.getByRole('dialog').getByLabel('Username').fill(alice.name);
    await bob.page.getByRole('dialog').getByRole('button', { name: 'Start chat' }).click();
    await bob.page.locator('.conversation-title h2', { hasText: alice.name }).waitFor();
    await say(bob.page, 'Are you coming on Saturday?');
    const hikeId = await createGroup(alice.page, 'Weekend hike', [bob.name, carol.name]);
    await open(bob.page, 'Weekend hike');
    await open(carol.page, 'Weekend hike');
    const conversation: [Person, string][] = [
      [alice, 'Morning! Is everyone still up for the ridge trail on Saturday?'],
      [bob, 'Yes! I can drive, there is room for three.'],
      [carol, 'Count me in.\nI will bring sandwiches and the first-aid kit.'],
      [alice, 'Perfect. Meet at the station at 9:00?'],
      [bob, 'Works for me!'],
      [carol, 'See you there'],
    ];
    for (const [index, [writer, line]] of conversation.entries()) {
      await say(writer.page, line);
      await expectTexts(
        alice.page,
        conversation.slice(0, index + 1).map(([, text]) => text),
      );
    }
    await createGroup(carol.page, 'Release notes', [alice.name]);
    await say(carol.page, 'Version 2.3 is out: faster search and dark mode.');
    await say(carol.page, 'Please report anything odd here.');
    await sessionItem(alice.page, 'Release notes').getByTestId('unread').filter({ hasText: '2' }).waitFor();

    await alice.page.goto('/');
    await sessionItem(alice.page, 'Weekend hike').waitFor();
    await live(alice.page);
    await shot(alice.page, 'sessions-desktop');

    await open(alice.page, 'Weekend hike');
    await expectTexts(
      alice.page,
      conversation.map(([, text]) => text),
    );
    // Bob types on until Alice sees it: chat-api passes on one typing notice per 2 s, and Bob's last
    // one (while writing his last message) may be more recent than that.
    const draft = [...'I will check the weather first'];
    const typing = alice.page.locator('.typing', { hasText: `${bob.name} is typing…` });
    await eventually(
      async () => {
        await bob.page.getByRole('textbox', { name: 'Message' }).press(draft.shift() ?? 'Space');
        return (await typing.count()) > 0;
      },
      { intervalMs: 250 },
    );
    await shot(alice.page, 'conversation-desktop');

    await logIn(onPhone.page, alice.name);
    await live(onPhone.page);
    await sessionItem(onPhone.page, 'Weekend hike').waitFor();
    await shot(onPhone.page, 'sessions-phone');
    await onPhone.page.goto(`/s/${hikeId}`);
    await expectTexts(
      onPhone.page,
      conversation.map(([, text]) => text),
    );
    await live(onPhone.page);
    await shot(onPhone.page, 'conversation-phone');
  });
});
