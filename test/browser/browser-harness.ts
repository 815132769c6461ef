import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { openPglite } from "../../packages/server/src/db/db.ts";
import { migrate } from "../../packages/server/src/db/migrate.ts";
import { type DemoCredentials, seedDemo } from "../../packages/server/src/demo/demo.service.ts";
import { buildApp } from "../../packages/server/src/http/app.ts";
import { loadRegions } from "../../packages/server/src/regions/region-loader.ts";

const WEB_DIST = join(import.meta.dirname, "..", "..", "packages", "web", "dist", "index.html");

export interface Cordon {
  baseUrl: string;
  password: (username: string) => string;
  close: () => Promise<void>;
}

/**
 * The real server on a free port, over a fresh in-memory database with the demo accounts and people;
 * on the wall clock unless a test gives its own (to move the server past a deadline).
 */
export async function startCordon(now?: () => Date): Promise<Cordon> {
  if (!existsSync(WEB_DIST)) {
    throw new Error(
      `The web UI is not built (${WEB_DIST} is missing): run \`npm run build -w @cordon/web\` first.`,
    );
  }
  const db = await openPglite(null);
  await migrate(db);
  await loadRegions(db);
  const creds: DemoCredentials[] = (await seedDemo(db, { people: 300, seed: 7, now: new Date() })) ?? [];
  const app = await buildApp(now ? { db, now, codeWorker: true } : { db, codeWorker: true });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    password: (username) => {
      const c = creds.find((x) => x.username === username);
      if (!c) throw new Error(`no demo account ${username}`);
      return c.password;
    },
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/**
 * Chromium, whose pages are those of a user who turned animations off (prefers-reduced-motion): the app
 * then opens dialogs without zooming them in. A click while a dialog zooms is aimed at where its button
 * was a frame earlier and, on a loaded machine, can miss it; the dialog then stays open with nothing
 * said (seen in CI).
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await launchPlainChromium();
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = (options = {}) => newContext({ reducedMotion: "reduce", ...options });
  browser.newPage = (options = {}) => newPage({ reducedMotion: "reduce", ...options });
  return browser;
}

function launchPlainChromium(): Promise<Browser> {
  const executablePath = process.env.CORDON_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}: install Debian's chromium package or set CORDON_CHROMIUM.`,
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Logs in through the login page, as a user would. */
export async function logIn(page: Page, cordon: Cordon, username: string): Promise<void> {
  await page.goto(`${cordon.baseUrl}/login`);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(cordon.password(username));
  await page.getByTestId("login-submit").click();
  await page.getByTestId("logout").waitFor();
}

/** A session cookie for an account (a demo account's own password unless given), for the API calls that set a test's scene. */
export async function apiSession(
  cordon: Cordon,
  username: string,
  password = cordon.password(username),
): Promise<string> {
  const res = await fetch(`${cordon.baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-cordon-client": "test" },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, await res.text());
  return res.headers.getSetCookie()[0]!.split(";")[0]!;
}

/** A JSON API call in that session (a body only when given); the test fails unless it succeeds. */
export async function apiCall(
  cordon: Cordon,
  cookie: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
): Promise<any> {
  const res = await fetch(`${cordon.baseUrl}${path}`, {
    method,
    headers: {
      cookie,
      ...(method === "POST" ? { "x-cordon-client": "test" } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Saves a screenshot when CORDON_SCREENSHOTS names a folder (to look at the layout while developing). */
export async function snapshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CORDON_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export interface BrowserSuite {
  cordon: Cordon;
  browser: Browser;
}

/** Starts Cordon and Chromium before a test file's tests and stops both after them. */
export function browserSuite(): BrowserSuite {
  const suite = {} as BrowserSuite;
  before(async () => {
    suite.cordon = await startCordon();
    suite.browser = await launchChromium();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.cordon?.close();
  });
  return suite;
}
