import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { call } from '../../test/support/warren.ts';
import { useBrowserSuite } from './support/browser-suite.ts';
import { connection, createGroup, live, logIn, open, say, screenshot, sessionItem } from './support/ui.ts';

/** Whether a presence mark (`[data-testid=presence]`) inside `scope` says online, offline, or is not there yet. */
async function presenceIn(scope: Locator): Promise<'online' | 'offline' | undefined> {
  const mark = scope.locator('[data-testid="presence"]');
  if ((await mark.count()) === 0) return undefined;
  return (await mark.getAttribute('data-online')) === 'true' ? 'online' : 'offline';
}

/** Waits until `scope`'s presence mark says `expected`; else fails showing what it says. */
async function expectPresence(scope: Locator, expected: 'online' | 'offline'): Promise<void> {
  let seen: Awaited<ReturnType<typeof presenceIn>>;
  try {
    await eventually(async () => {
      seen = await presenceIn(scope);
      return seen === expected;
    });
  } catch {
    expect(seen, 'presence').to.equal(expected);
  }
}

/** The open conversation's subtitle: a direct chat's other user's presence in words. */
function subtitle(page: Page): Locator {
  return page.getByTestId('conversation-subtitle');
}

/** Opens the account menu (the signed-in user's name) and resolves with it. */
async function openAccountMenu(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: /^Signed in as/ }).click();
  const menu = page.getByRole('menu', { name: 'Account' });
  await menu.waitFor();
  return menu;
}

/** Waits for the sign-in page. */
async function signInPage(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log in' }).waitFor();
}

/** A window whose WebSockets' close codes {@link recordCloseCodes} records. */
type WithCloseCodes = Window & { closeCodes: number[] };

/**
 * Run in the page before its own scripts: records the code of every WebSocket close the page sees
 * in `window.closeCodes` (Playwright's WebSocket events do not carry it).
 */
function recordCloseCodes(): void {
  const recorded = window as unknown as WithCloseCodes;
  recorded.closeCodes = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('close', (event) => recorded.closeCodes.push(event.code));
    }
  };
}

describe('web client: presence and signing out', function () {
  this.timeout(90_000);
  const suite = useBrowserSuite();
  const { person } = suite;

  it('shows Bob when Alice comes online and goes offline: in the member list and on their direct chat', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const carol = await person('carol');
    await createGroup(bob.page, 'Standup', [alice.name, carol.name]);
    await carol.page.close();

    // Bob's direct chat with Alice, whose last message (hers) names her to Bob's client.
    await alice.page.getByRole('button', { name: 'New chat' }).click();
    const direct = alice.page.getByRole('dialog', { name: 'Chat with someone' });
    await direct.getByLabel('Username').fill(bob.name.slice(0, 5));
    await direct.getByRole('button', { name: bob.name, exact: true }).click();
    await alice.page.locator('.conversation-title h2', { hasText: bob.name }).waitFor();
    await say(alice.page, 'just us');

    await open(bob.page, alice.name);
    await expectPresence(sessionItem(bob.page, alice.name), 'online');
    await eventually(async () => (await subtitle(bob.page).textContent()) === 'online');
    await open(bob.page, 'Standup');
    await bob.page.getByRole('button', { name: 'Details' }).click();
    const details = bob.page.getByRole('dialog', { name: 'Standup' });
    const member = (name: string) => details.locator('.member').filter({ hasText: name });
    await expectPresence(member(alice.name), 'online');
    await expectPresence(member(bob.name), 'online');
    await expectPresence(member(carol.name), 'offline');
    expect(await member(carol.name).getByTestId('presence').textContent()).to.match(/^last seen /);

    // Alice's only page closes: offline (after chat-api's debounce), live in the open member list.
    await alice.page.close();
    await expectPresence(member(alice.name), 'offline');
    expect(await member(alice.name).getByTestId('presence').textContent()).to.equal('last seen just now');
    await expectPresence(sessionItem(bob.page, alice.name), 'offline');

    // She opens Warren again (still logged in): online again, in the list and the direct chat's header.
    const again = await alice.context.newPage();
    await again.goto('/');
    await live(again);
    await expectPresence(member(alice.name), 'online');
    await screenshot(bob.page, 'presence');
    await details.getByRole('button', { name: 'Close' }).click();
    await expectPresence(sessionItem(bob.page, alice.name), 'online');
    await open(bob.page, alice.name);
    await eventually(async () => (await subtitle(bob.page).textContent()) === 'online');

    // Gone again while Bob looks at their chat: its header says when she was last seen.
    await again.close();
    await eventually(async () => (await subtitle(bob.page).textContent()) === 'last seen just now');
  });

  it('asks again after a reconnect: a change missed while the socket was down shows', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    await createGroup(bob.page, 'Night shift', [alice.name]);
    await bob.page.getByRole('button', { name: 'Details' }).click();
    const aliceRow = bob.page
      .getByRole('dialog', { name: 'Night shift' })
      .locator('.member')
      .filter({ hasText: alice.name });
    await expectPresence(aliceRow, 'online');

    // Bob's network goes; meanwhile Alice leaves, and chat-api tells everyone but Bob.
    await bob.context.setOffline(true);
    await connection(bob.page).and(bob.page.locator('[data-state="offline"]')).waitFor();
    const token = await bob.page.evaluate(() => JSON.parse(localStorage.getItem('warren.auth') ?? '{}').accessToken);
    const { chatUrl } = suite.stack.warren;
    const found = await call(`${chatUrl}/api/users?q=${alice.name}`, 'GET', token);
    const aliceId = found.body.users[0].id as string;
    await alice.page.close();
    await eventually(async () => {
      const answer = await call(`${chatUrl}/api/presence?user_ids=${aliceId}`, 'GET', token);
      return answer.status === 200 && answer.body.users[0]?.online === false;
    });
    expect(await presenceIn(aliceRow)).to.equal('online');

    await bob.context.setOffline(false);
    await live(bob.page);
    await expectPresence(aliceRow, 'offline');
  });

  it('"Log out everywhere" signs out every browser of the user: the other one is told it was signed out', async () => {
    const alice = await person('alice');
    const other = await suite.browser();
    await other.context.addInitScript(recordCloseCodes);
    await logIn(other.page, alice.name);
    await live(other.page);

    // The other browser's path to the sign-in page: its socket is closed (4001), its refresh refused.
    const refusedRefresh = other.page.waitForResponse(
      (response) => response.url().endsWith('/auth/refresh') && response.status() === 401,
    );

    await createGroup(alice.page, 'Book club', []);
    const menu = await openAccountMenu(alice.page);
    await screenshot(alice.page, 'account-menu');
    const ended = alice.page.waitForResponse((response) => response.url().endsWith('/auth/logout-all'));
    await menu.getByRole('menuitem', { name: 'Log out everywhere' }).click();
    expect((await ended).status()).to.equal(204);
    await signInPage(alice.page);
    // This browser asked for it: no notice here.
    expect(await alice.page.locator('.notice').count()).to.equal(0);

    await signInPage(other.page);
    await other.page.locator('.notice', { hasText: 'You were signed out' }).waitFor();
    await refusedRefresh;
    expect(await other.page.evaluate(() => (window as unknown as WithCloseCodes).closeCodes)).to.include(4001);
    // Nothing is left stored to sign in with: a reload stays at the sign-in page.
    await other.page.reload();
    await signInPage(other.page);
    expect(await other.page.evaluate(() => localStorage.getItem('warren.auth'))).to.equal(null);
  });

  it('"Log out" ends this browser\'s login only (POST /auth/logout): another browser of the user stays', async () => {
    const alice = await person('alice');
    const other = await suite.browser();
    await logIn(other.page, alice.name);
    await live(other.page);

    const menu = await openAccountMenu(alice.page);
    const ended = alice.page.waitForResponse((response) => response.url().endsWith('/auth/logout'));
    await menu.getByRole('menuitem', { name: 'Log out', exact: true }).click();
    expect((await ended).status()).to.equal(204);
    await signInPage(alice.page);
    expect(await alice.page.evaluate(() => localStorage.getItem('warren.auth'))).to.equal(null);

    // The other browser's login goes on: after a reload it is live and can make a group.
    await other.page.reload();
    await live(other.page);
    await createGroup(other.page, 'Still here', []);
  });
});
