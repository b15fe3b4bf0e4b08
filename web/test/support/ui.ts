import { join } from 'node:path';
import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';

/** The password every test user has. */
export const PASSWORD = 'correct horse battery';

/** A username no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Registers through the page's own form and waits for the chat to show. */
export async function signUp(page: Page, username: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('me').filter({ hasText: username }).waitFor();
}

/** Logs in through the page's own form and waits for the chat to show. */
export async function logIn(page: Page, username: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('me').filter({ hasText: username }).waitFor();
}

/** The connection state on screen (the list's, or on a phone the conversation's). */
export function connection(page: Page): Locator {
  return page.locator('[data-testid="connection"]:visible');
}

/** Waits until the page's socket is `live`. */
export async function live(page: Page): Promise<void> {
  await connection(page).and(page.locator('[data-state="live"]')).waitFor();
}

/** A session in the list, by name. */
export function sessionItem(page: Page, name: string): Locator {
  return page.locator('.session-item').filter({ has: page.locator('.session-name', { hasText: name }) });
}

/** Makes a group through the dialog, adding members by picking their suggested usernames; resolves with its id. */
export async function createGroup(page: Page, name: string, members: readonly string[]): Promise<string> {
  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Name').fill(name);
  for (const member of members) {
    await dialog.getByLabel('Add people').fill(member);
    await dialog.getByRole('button', { name: member, exact: true }).click();
    await dialog.locator('.chip', { hasText: member }).waitFor();
  }
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await page.waitForURL(/\/s\/[0-9a-f-]{36}$/);
  await page.locator('.conversation-title h2', { hasText: name }).waitFor();
  return new URL(page.url()).pathname.split('/')[2] ?? '';
}

/** Opens a session from the list. */
export async function open(page: Page, name: string): Promise<void> {
  await sessionItem(page, name).click();
  await page.locator('.conversation-title h2', { hasText: name }).waitFor();
}

/** Types a message and sends it with Enter; resolves once the composer has taken it. */
export async function say(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await eventually(async () => (await box.inputValue()) === '');
}

/** The texts of the open conversation's messages, top to bottom. */
export function texts(page: Page): Promise<string[]> {
  return page.locator('.message-list .message .message-text').allTextContents();
}

/** Waits until the open conversation shows exactly `expected`, in order; else fails showing what it shows. */
export async function expectTexts(page: Page, expected: readonly string[], timeoutMs = 15_000): Promise<void> {
  let seen: string[] = [];
  try {
    await eventually(
      async () => {
        seen = await texts(page);
        return seen.length === expected.length && seen.every((text, i) => text === expected[i]);
      },
      { timeoutMs },
    );
  } catch {
    expect(seen).to.deep.equal(expected);
  }
}

/** A message of the open conversation's list whose text contains `text`; in `within` if given (a thread panel). */
export function messageItem(page: Page, text: string, within: Locator = page.locator('.message-list')): Locator {
  return within.locator('.message').filter({ has: page.locator('.message-text', { hasText: text }) });
}

/** The open thread's side panel. */
export function threadPanel(page: Page): Locator {
  return page.getByRole('complementary', { name: 'Thread' });
}

/** Opens a message's menu (hovering it first, as a person would) and resolves with the menu. */
export async function openMessageMenu(message: Locator): Promise<Locator> {
  await message.hover();
  await message.getByRole('button', { name: 'Message actions' }).click();
  const menu = message.getByRole('menu', { name: 'Message actions' });
  await menu.waitFor();
  return menu;
}

/** Reacts to a message with one of the picker's emoji, by its name (`thumbs up`). */
export async function reactWith(message: Locator, name: string): Promise<void> {
  await message.hover();
  await message.getByRole('button', { name: 'Add reaction' }).click();
  await message.getByRole('button', { name: `React with ${name}` }).click();
}

/** Saves a screenshot of the page as `docs/screenshots/<name>.png`. */
export function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(import.meta.dirname, '../../../docs/screenshots', `${name}.png`) });
}
