// Test harness for the end-to-end tests: starts the real proxy binary (sandbox mode, fresh data
// directory, free port), a real OAuth server (oidc-provider, in-process) and Debian's Chromium
// through playwright-core, and drives the sign-in popup pages of both authorization servers.
//
// Environment: XF_PROXY_BIN (default target/debug/exchange-forms-proxy), XF_CHROMIUM (default
// /usr/bin/chromium), XF_SCREENSHOT_DIR (default target/e2e-screenshots), XF_E2E_LOG_DIR
// (default target/e2e-logs: one proxy log per test, named after the test).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import Provider from 'oidc-provider';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROXY_BIN = process.env.XF_PROXY_BIN || path.join(ROOT, 'target/debug/exchange-forms-proxy');
const CHROMIUM = process.env.XF_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOT_DIR = process.env.XF_SCREENSHOT_DIR || path.join(ROOT, 'target/e2e-screenshots');
const LOG_DIR = process.env.XF_E2E_LOG_DIR || path.join(ROOT, 'target/e2e-logs');

/** How long to wait for one thing a user would wait for (a page, a confirmation). */
export const UI_TIMEOUT = 15_000;

/** A fresh data directory, removed when the test ends. */
export async function freshDataDir(t) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'xf-e2e-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A filesystem-safe name for the current test. */
function slug(t) {
  return t.fullName.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 100) || 'test';
}

// ---------------------------------------------------------------------------------------------
// The proxy

/**
 * Starts `exchange-forms-proxy serve --sandbox` on a free port with a fresh data directory.
 * `env` adds XF_* variables (e.g. to point it at oidc-provider). The returned handle can
 * `restart()` the process on the same port and data directory and is stopped when the test ends.
 */
export async function startProxy(t, { env = {}, dataDir } = {}) {
  dataDir ??= await freshDataDir(t);
  const proxy = new ProxyProcess(dataDir, env, path.join(LOG_DIR, `${slug(t)}.log`));
  t.after(() => proxy.stop());
  await proxy.start(0);
  return proxy;
}

class ProxyProcess {
  constructor(dataDir, env, logFile) {
    this.dataDir = dataDir;
    this.env = env;
    this.logFile = logFile;
    this.log = [];
    this.child = null;
    this.url = null;
    this.port = null;
  }

  async start(port) {
    const args = ['serve', '--sandbox', '--port', String(port), '--data-dir', this.dataDir, '--static-dir', ROOT];
    this.log.push(`$ ${PROXY_BIN} ${args.join(' ')}`);
    const child = spawn(PROXY_BIN, args, {
      cwd: ROOT,
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const exited = once(child, 'exit').then(([code, signal]) => {
      this.log.push(`[exited: code ${code}, signal ${signal}]`);
      return { code, signal };
    });
    this.exited = exited;
    const listening = new Promise((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk) => {
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          this.log.push(line);
          const match = /^listening on (http:\/\/\S+\/)$/.exec(line.trim());
          if (match) resolve(match[1]);
        }
      });
      child.stderr.on('data', (chunk) => this.log.push(String(chunk).trimEnd()));
      child.on('error', (e) => reject(new Error(`cannot start ${PROXY_BIN}: ${e.message} (build it: cargo build -p exchange-forms-proxy)`)));
      exited.then(({ code, signal }) =>
        reject(new Error(`the proxy exited before listening (code ${code}, signal ${signal}):\n${this.tail()}`)));
    });
    const timeout = timer(20_000).then(() => {
      throw new Error(`the proxy did not print "listening on" within 20 s:\n${this.tail()}`);
    });
    this.url = await Promise.race([listening, timeout]);
    this.port = Number(new URL(this.url).port);
    this.origin = new URL(this.url).origin;
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and writes its log. */
  async stop() {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([this.exited.then(() => true), timer(5_000).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    this.child = null;
    await mkdir(path.dirname(this.logFile), { recursive: true });
    await writeFile(this.logFile, this.log.join('\n') + '\n');
  }

  /** Stops and starts again on the same port and data directory (same origin for the pages). */
  async restart() {
    const port = this.port;
    await this.stop();
    this.log.push('[restart]');
    await this.start(port);
    if (this.port !== port) throw new Error(`restarted on port ${this.port}, wanted ${port}`);
  }

  /** Every byte the proxy wrote: its data directory's files (databases, WAL) and its log. */
  async writtenBytes() {
    const { readdir, readFile } = await import('node:fs/promises');
    const parts = [Buffer.from(this.log.join('\n'))];
    for (const entry of await readdir(this.dataDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) parts.push(await readFile(path.join(entry.parentPath ?? entry.path, entry.name)));
    }
    return Buffer.concat(parts);
  }

  tail(lines = 40) {
    return this.log.slice(-lines).join('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// A real OAuth server: oidc-provider

/**
 * Starts oidc-provider on a free loopback port: PKCE required, refresh tokens (offline_access +
 * prompt=consent) rotated on every use, its own development login and consent pages. Any login
 * name signs in (password ignored); the account's email is `<login>@example.test`.
 * `registerClient(redirectUri)` registers the proxy once its URL is known.
 */
export async function startOidcProvider(t, { accessTokenTtl = 3600, coop = false } = {}) {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const clientId = 'exchange-forms-e2e';
  const clientSecret = randomBytes(24).toString('base64url');
  const tokenKey = randomBytes(32).toString('base64');

  const provider = new Provider(issuer, {
    clients: [],
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@example.test`, email_verified: true, name: id }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    pkce: { required: () => true },
    rotateRefreshToken: () => true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    clientBasedCORS: () => false,
  });
  // Tests run on plain http://127.0.0.1; oidc-provider's warnings about that are noise here.
  const handle = provider.callback();
  server.on('request', (req, res) => {
    // Microsoft's sign-in pages send Cross-Origin-Opener-Policy, which cuts `window.opener`
    // (and makes the popup look closed to the page that opened it): `coop` does the same.
    if (coop) res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    handle(req, res);
  });

  const events = { authorizations: 0, codeExchanges: 0, refreshes: 0, refreshErrors: 0 };
  const grantsByAccount = new Map();
  provider.on('authorization.success', () => { events.authorizations += 1; });
  provider.on('grant.success', (ctx) => {
    const grantType = ctx.oidc.params?.grant_type;
    if (grantType === 'authorization_code') events.codeExchanges += 1;
    if (grantType === 'refresh_token') events.refreshes += 1;
  });
  provider.on('grant.error', (ctx) => {
    if (ctx.oidc?.params?.grant_type === 'refresh_token') events.refreshErrors += 1;
  });
  // Every access and refresh token value issued (opaque tokens: the value is the jti), so tests
  // can prove none of them is ever stored or logged in plain text by the proxy.
  const issuedTokens = [];
  provider.on('access_token.saved', (token) => issuedTokens.push(token.jti));
  provider.on('refresh_token.saved', (token) => issuedTokens.push(token.jti));
  provider.on('refresh_token.saved', (token) => {
    if (!grantsByAccount.has(token.accountId)) grantsByAccount.set(token.accountId, new Set());
    grantsByAccount.get(token.accountId).add(token.grantId);
  });

  const op = {
    issuer,
    clientId,
    clientSecret,
    userinfoUrl: `${issuer}/me`,
    events,
    issuedTokens,
    provider,
    /** Registers the proxy as a confidential client with its exact redirect URI. */
    async registerClient(redirectUri) {
      await provider.Client.adapter.upsert(clientId, {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      });
    },
    /** Revokes every grant of `accountId` at the server: its refresh and access tokens die. */
    async revokeUser(accountId) {
      const grants = [...(grantsByAccount.get(accountId) ?? [])];
      if (grants.length === 0) throw new Error(`no grant of ${accountId} to revoke`);
      for (const grantId of grants) {
        await provider.RefreshToken.revokeByGrantId(grantId);
        await provider.AccessToken.revokeByGrantId(grantId);
        await provider.Grant.adapter.destroy(grantId);
      }
      grantsByAccount.delete(accountId);
      return grants.length;
    },
    /** Proxy environment that makes the proxy use this server (sandbox mailbox included). */
    proxyEnv() {
      return {
        XF_AUTH_ISSUER: issuer,
        XF_AUTH_CLIENT_ID: clientId,
        XF_AUTH_CLIENT_SECRET: clientSecret,
        XF_AUTH_SCOPES: 'openid email profile offline_access',
        XF_AUTH_PROMPT: 'consent',
        XF_SANDBOX_USERINFO_URL: `${issuer}/me`,
        XF_TOKEN_KEY: tokenKey,
      };
    },
  };
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  }));
  return op;
}

/** Proxy + oidc-provider wired together (the client is registered once the proxy's URL is known). */
export async function startProxyWithOidc(t, { accessTokenTtl, coop } = {}) {
  const op = await startOidcProvider(t, { accessTokenTtl, coop });
  const proxy = await startProxy(t, { env: op.proxyEnv() });
  await op.registerClient(new URL('auth/callback', proxy.url).href);
  return { op, proxy };
}

// ---------------------------------------------------------------------------------------------
// The browser

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Debian Chromium. `popupBlocker: true` keeps Chromium's popup blocker on
 * (Playwright turns it off by default), so a popup opened outside a click is really blocked.
 */
export async function launchBrowser(t, { popupBlocker = false } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: popupBlocker ? ['--disable-popup-blocking'] : [],
  });
  t.after(() => browser.close());
  return browser;
}

/**
 * A fresh browser context (own storage; `locale` sets the browser's language, `colorScheme`
 * its light or dark preference) that records `exchange-form:created` events in
 * `window.__xfCreated` (and `updated`, `deleted`, `cancelled`, `responded` in `window.__xfEvents`)
 * on every page, answers requests to the internet with an error (the
 * machine has none: oidc-provider's pages @import a web font) and collects page errors.
 */
export async function newContext(browser, t, { locale, colorScheme } = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale, colorScheme });
  t.after(() => context.close().catch(() => {}));
  await context.route(/^https?:\/\/(?!127\.|localhost[:/])/, (route) => route.abort('internetdisconnected'));
  await context.addInitScript(() => {
    window.__xfCreated = [];
    // Capture phase on the document sees the event whatever element it is dispatched on.
    document.addEventListener('exchange-form:created', (event) => {
      window.__xfCreated.push({ type: event.type, detail: event.detail, target: event.target?.tagName });
    }, true);
    // And the events of changes to existing items.
    window.__xfEvents = [];
    for (const name of ['updated', 'deleted', 'cancelled', 'responded']) {
      document.addEventListener(`exchange-form:${name}`, (event) => {
        window.__xfEvents.push({ type: event.type, detail: event.detail, target: event.target?.tagName });
      }, true);
    }
  });
  context.pageErrors = [];
  // Every API exchange of every page, for failure messages (`apiLog(context)`).
  context.apiLog = [];
  const started = Date.now();
  context.on('page', (page) => {
    page.on('pageerror', (error) => context.pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        context.apiLog.push(`+${Date.now() - started}ms console.${message.type()}: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/auth/')) {
        context.apiLog.push(`+${Date.now() - started}ms ${response.request().method()} ${url.pathname}${url.search} -> ${response.status()}`);
      }
    });
    page.on('requestfailed', (request) => {
      const url = new URL(request.url());
      context.apiLog.push(`+${Date.now() - started}ms ${request.method()} ${url.pathname} failed: ${request.failure()?.errorText}`);
    });
  });
  return context;
}

/** Counts requests to the proxy's JSON API made by a page (and its frames). */
export function recordApiRequests(page) {
  const requests = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/')) requests.push(`${request.method()} ${url.pathname}${url.search}`);
  });
  return requests;
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---------------------------------------------------------------------------------------------
// Sign-in popups

/**
 * Drives a sign-in popup to its end: oidc-provider's pages (login `name="login"` + password,
 * consent "Continue", deny = "[ Cancel ]") or the sandbox's dev pages (`name="user"`, buttons
 * Allow / Deny). Resolves once the popup has closed itself (the proxy's callback page does that);
 * rejects if it does not close or shows a page we do not know. For a full-page sign-in (no
 * popup) pass `doneWhen(url)`, true once the page is back on the host page.
 */
export async function completeSignIn(popup, { user = 'alice', deny = false, doneWhen } = {}) {
  const closed = popup.isClosed() ? Promise.resolve() : once(popup, 'close');
  for (let step = 0; step < 8; step += 1) {
    if (popup.isClosed()) return;
    await popup.waitForLoadState('domcontentloaded').catch(() => {});
    if (popup.isClosed()) return;
    // Full-page sign-in (redirect mode): done once the page is back where it started.
    if (doneWhen?.(new URL(popup.url()))) return;
    const before = popup.url();
    const clicked = await actOnSignInPage(popup, { user, deny }).catch((e) => {
      if (popup.isClosed()) return 'closed';
      throw e;
    });
    if (clicked === 'closed') return;
    if (clicked === 'callback') break;
    await Promise.race([
      closed,
      popup.waitForURL((url) => url.href !== before, { waitUntil: 'domcontentloaded', timeout: UI_TIMEOUT }),
    ]).catch(() => {});
  }
  const gone = await Promise.race([closed.then(() => true), timer(UI_TIMEOUT).then(() => false)]);
  if (!gone) {
    const text = await popup.locator('body').innerText().catch(() => '');
    throw new Error(`the sign-in popup did not close itself; it shows ${popup.url()}:\n${text.slice(0, 500)}`);
  }
}

async function actOnSignInPage(popup, { user, deny }) {
  // Wait until the page shows something to act on (it may still be navigating), or is the
  // proxy's callback page, which closes itself.
  const actionable = popup.locator('input[name="login"], [name="user"], button[type="submit"], button:not([type])');
  const state = await Promise.any([
    actionable.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT }).then(() => 'page'),
    popup.waitForURL(/\/auth\/callback/, { timeout: UI_TIMEOUT }).then(() => 'callback'),
  ]);
  if (state === 'callback' || new URL(popup.url()).pathname.endsWith('/auth/callback')) return 'callback';
  // oidc-provider: login form.
  const login = popup.locator('input[name="login"]');
  if (await login.count()) {
    if (deny) {
      await popup.getByRole('link', { name: '[ Cancel ]' }).click();
      return 'clicked';
    }
    await login.fill(user);
    await popup.locator('input[name="password"]').fill('any password');
    await popup.getByRole('button', { name: 'Sign-in' }).click();
    return 'clicked';
  }
  // oidc-provider: consent form.
  const continueButton = popup.getByRole('button', { name: 'Continue' });
  if (await continueButton.count()) {
    if (deny) await popup.getByRole('link', { name: '[ Cancel ]' }).click();
    else await continueButton.click();
    return 'clicked';
  }
  // The sandbox's development sign-in: choose the user, then Allow / Deny.
  const userField = popup.locator('[name="user"]');
  if (await userField.count()) await chooseUser(popup, userField, user);
  const allow = popup.getByRole('button', { name: 'Allow', exact: true });
  const denyButton = popup.getByRole('button', { name: 'Deny', exact: true });
  if (await allow.count()) {
    await (deny ? denyButton : allow).click();
    return 'clicked';
  }
  const submit = popup.locator('button[type="submit"], input[type="submit"]');
  if (await submit.count()) {
    await submit.first().click();
    return 'clicked';
  }
  const text = await popup.locator('body').innerText().catch(() => '');
  throw new Error(`unknown sign-in page ${popup.url()}:\n${text.slice(0, 500)}`);
}

async function chooseUser(popup, userField, user) {
  const first = userField.first();
  const tag = await first.evaluate((el) => el.tagName.toLowerCase());
  const type = await first.evaluate((el) => (el.getAttribute('type') || '').toLowerCase());
  if (tag === 'select') {
    const values = await first.evaluate((el) => [...el.options].map((o) => o.value));
    const value = values.find((v) => v === user || v.startsWith(`${user}@`)) ?? values[0];
    await first.selectOption(value);
  } else if (type === 'radio') {
    const radios = await userField.evaluateAll((els) => els.map((el) => el.value));
    const index = Math.max(0, radios.findIndex((v) => v === user || v.startsWith(`${user}@`)));
    await userField.nth(index).check();
  } else if (type !== 'hidden') {
    await first.fill(user);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Like `delay`, for the losing side of a race: it does not keep the process alive when the
 * tests are done (a pending 20 s timeout would otherwise hold every test file open). */
function timer(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** `YYYY-MM-DDTHH:MM` `days` from now at `hour`:`minute` local (the browser's zone is the machine's). */
export function wallClock(days, hour, minute = 0) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  d.setHours(hour, minute, 0, 0);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A subject no other test (or earlier run) uses. */
export function uniqueSubject(prefix) {
  return `${prefix} ${randomBytes(3).toString('hex')}`;
}
