import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (apt package `chromium`); tests use it, never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a machine without outside network: background networking,
 * component updates and sync would only make refused connections.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium. */
export interface TestBrowser {
  readonly browser: Browser;
  /** A new context (its own storage, like another person's browser) on `origin`. */
  person(origin: string, viewport?: { width: number; height: number }): Promise<Person>;
  close(): Promise<void>;
}

/** One person's browser context and first tab. */
export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Set when a page of this person opened an alert, confirm or prompt dialog. */
  readonly dialogs: string[];
}

/**
 * Starts Chromium. Playwright gives every launch a fresh, empty profile of its own (a temporary
 * `--user-data-dir`, removed on close), and refuses one passed as a flag.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  return {
    browser,
    async person(origin, viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ baseURL: origin, viewport });
      const dialogs: string[] = [];
      context.on('page', (page) => page.on('dialog', (dialog) => void dialogs.push(dialog.message())));
      const page = await context.newPage();
      return { context, page, dialogs };
    },
    close: () => browser.close(),
  };
}
