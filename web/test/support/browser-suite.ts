import { launchBrowser, type Person, type TestBrowser } from './browser.ts';
import { startWebStack, type WebStack } from './stack.ts';
import { live, signUp, uniqueName } from './ui.ts';

/** What {@link useBrowserSuite} gives a suite's tests. */
export interface BrowserSuite {
  /** The running stack (once the suite's `before` hook has run). */
  readonly stack: WebStack;
  /** A browser context of a new person on the stack's origin, closed after the test. */
  browser(viewport?: { width: number; height: number }): Promise<Person>;
  /** A person with a browser of their own, registered and live, closed after the test. */
  person(prefix: string): Promise<Person & { name: string }>;
}

/**
 * Starts the web stack and Chromium before the enclosing `describe`'s tests, closes each test's
 * browsers after it and stops both after the suite. Call it in the `describe` body.
 */
export function useBrowserSuite(): BrowserSuite {
  let stack: WebStack | undefined;
  let chromium: TestBrowser | undefined;
  const people: Person[] = [];

  before(async function () {
    this.timeout(120_000);
    stack = await startWebStack();
    chromium = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(people.splice(0).map((someone) => someone.context.close()));
  });
  after(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  const started = () => {
    if (!stack || !chromium) throw new Error('the web stack starts in a before hook: use it in hooks and tests');
    return { stack, chromium };
  };
  const browser = async (viewport?: { width: number; height: number }) => {
    const { stack, chromium } = started();
    const someone = await chromium.person(stack.origin, viewport);
    people.push(someone);
    return someone;
  };
  return {
    get stack() {
      return started().stack;
    },
    browser,
    async person(prefix) {
      const someone = await browser();
      const name = uniqueName(prefix);
      await signUp(someone.page, name);
      await live(someone.page);
      return { ...someone, name };
    },
  };
}
