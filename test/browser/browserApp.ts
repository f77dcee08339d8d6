import { chromium, type Browser } from 'playwright-core';
import { buildApp, type App, type AppOptions } from '../../server/app.ts';
import { CHROMIUM, CHROMIUM_ARGS, DIST, ensureClientBuilt } from '../bench/clientShared.ts';

/** What a browser test starts from: the real app serving the built client on a free port, and Chromium. */
export interface BrowserApp {
  server: App;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Build the client if it is stale, start the app on it (`o` added to its options) and launch Chromium. */
export async function startBrowserApp(o: AppOptions = {}): Promise<BrowserApp> {
  ensureClientBuilt();
  const server = await buildApp({ logger: false, clientDir: DIST, ...o });
  const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    server,
    base,
    browser,
    close: async () => {
      await browser.close();
      await server.app.close();
    },
  };
}
