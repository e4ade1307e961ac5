import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, firefox, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { runServe, stopServe, type Served } from '../../cli/test/run-serve.ts';

/**
 * The console's browser tests: the real `trustgate serve` (embedded SQLite, the AWS sandbox in-process, the demo
 * organization's admin token) serving the built console, driven by Debian's chromium through playwright-core (no
 * browser download). One server and one browser per test file (`startConsoleEnv` in beforeAll, `stop` in
 * afterAll); a fresh context (cookies, storage) per `newPage`.
 */

const CONSOLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIST_INDEX = join(CONSOLE_DIR, 'dist', 'index.html');
/** Where {@link screenshot} writes (gitignored). */
export const ARTIFACTS_DIR = join(CONSOLE_DIR, 'test-artifacts');
/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = process.env.TRUSTGATE_CHROMIUM ?? '/usr/bin/chromium';
/** Debian's Firefox ESR (`apt-get install firefox-esr`; .ci/run installs it), driven over WebDriver BiDi. */
export const FIREFOX = process.env.TRUSTGATE_FIREFOX ?? '/usr/bin/firefox-esr';

/** The browsers the console is tested in. */
export type BrowserName = 'chromium' | 'firefox';

/** The newest modification time under `path` (a file or a folder). */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Builds the console (vite build) when dist/ is missing or older than its sources, so a test never runs an old
 * build. Serialized across test files by a lock folder; a no-op once the root build (vitest globalSetup) ran.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const sources = Math.max(
    ...['src', 'index.html', 'vite.config.ts', '../client/src'].map((p) => newest(join(CONSOLE_DIR, p))),
  );
  const fresh = () => existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources;
  if (fresh()) return;
  const lock = join(CONSOLE_DIR, '.build-lock');
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 1200) throw new Error(`${lock} held for two minutes: remove it if no build runs`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (fresh()) return;
    const vite = join(CONSOLE_DIR, '../../node_modules/vite/bin/vite.js');
    const built = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: CONSOLE_DIR,
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Headless chromium with the flags that keep it quiet and offline but for the service it is pointed at; or Debian's
 * Firefox ESR through WebDriver BiDi (playwright-core's `moz-firefox` channel: a stock Firefox, no patched build to
 * download). playwright-core is pinned at 1.64.1: 1.65 sends a BiDi command (emulation.setMediaFeaturesOverride)
 * that Firefox 153 ESR does not know, and every new context fails.
 */
export async function launchBrowser(name: BrowserName = 'chromium'): Promise<Browser> {
  if (name === 'firefox')
    return firefox.launch({
      channel: 'moz-firefox',
      executablePath: FIREFOX,
      headless: true,
      firefoxUserPrefs: {
        'network.proxy.type': 0,
        'app.update.enabled': false,
        'browser.shell.checkDefaultBrowser': false,
      },
    });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // launch() starts each browser on a fresh temporary profile (user-data dir), removed when it closes.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A running service with the console, a browser, and the demo admin's token. */
export interface ConsoleEnv {
  served: Served;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The demo organization's admin API token (printed by serve). */
  token: string;
  browser: Browser;
  /** The AWS sandbox's endpoint and its customer accounts, as serve printed them. */
  sandbox: { endpoint: string; accounts: { accountId: string; accessKeyId: string; secretAccessKey: string }[] };
  /** A page in a fresh browser context (no cookie), at `path` (default `/`). */
  newPage(path?: string): Promise<Page>;
  /** Calls the API with the admin token (or `token`): status and parsed JSON body. */
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test convenience: bodies are read field by field
  ): Promise<{ status: number; body: any; text: string }>;
  stop(): Promise<void>;
}

/** Builds the console if needed, starts `trustgate serve` on a fresh database and a browser (default chromium). */
export async function startConsoleEnv(options: { browser?: BrowserName } = {}): Promise<ConsoleEnv> {
  await ensureConsoleBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'tg-console-e2e-'));
  const served = await runServe(['--db', join(dir, 'trustgate.db')]);
  const contexts: BrowserContext[] = [];
  let browser: Browser;
  try {
    browser = await launchBrowser(options.browser);
  } catch (error) {
    await stopServe(served);
    throw error;
  }
  const text = served.output();
  const endpoint = /AWS sandbox at (http:\/\/\S+)/.exec(text)?.[1] ?? '';
  const accounts = [...text.matchAll(/account (\d{12})\s+AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/g)].map(
    ([, accountId, accessKeyId, secretAccessKey]) => ({
      accountId: accountId as string,
      accessKeyId: accessKeyId as string,
      secretAccessKey: secretAccessKey as string,
    }),
  );
  return {
    served,
    url: served.url,
    token: served.token,
    browser,
    sandbox: { endpoint, accounts },
    async newPage(path = '/') {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${served.url}${path}`);
      return page;
    },
    async api(method, path, body, token = served.token) {
      const res = await fetch(`${served.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text };
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await stopServe(served);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in on the sign-in page with `token` and waits for the shell's navigation. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** A page of the console signed in as `token` (default the admin), at `path`. */
export async function signedInPage(env: ConsoleEnv, path = '/', token = env.token): Promise<Page> {
  const page = await env.newPage(path);
  await signIn(page, token);
  return page;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe-core violation, as reported. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2 A/AA rules and best practices) on the page as it is and throws, listing them, when any
 * violation is serious or critical. Returns all violations (minor and moderate ones too) for a test to look at.
 * axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not apply to.
 */
export async function checkA11y(page: Page, what: string): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe;
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.map(String).join(' ')),
    }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0)
    throw new Error(
      `axe: ${bad.length} serious or critical violation(s) on ${what}:\n${bad
        .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`)
        .join('\n')}`,
    );
  return violations;
}

/** Saves a full-page PNG as test-artifacts/<name>.png (the README shows some); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name.replace(/[^A-Za-z0-9_-]/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The element that has the focus, described (`a "Stacks"`, `main#main`) for keyboard tests. */
export async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) return 'body';
    const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id === '' ? '' : `#${el.id}`}${name === '' ? '' : ` "${name}"`}`;
  });
}

/** True when the focused element shows a focus indicator (an outline or a box shadow). */
export async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null) return false;
    const style = getComputedStyle(el);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  });
}
