// One small, browser-neutral way to drive a page, so a flow is written once and run in the three
// engines the widget supports:
// - Chromium: Debian's `chromium` through playwright-core (the harness's `launchBrowser`);
// - Firefox: Debian's `firefox-esr` through puppeteer-core over WebDriver BiDi;
// - WebKit: WebKitGTK's MiniBrowser through Debian's `WebKitWebDriver` (selenium-webdriver), on a
//   private Xvfb display (WebKitGTK's headless mode does not run the automation here).
// Each engine only provides a few primitives (evaluate, find an element, click, type, screenshot,
// the open popups); finding fields by label, buttons by name, waiting and the sign-in popup are
// written once, below, on top of them.
//
// Environment: XF_FIREFOX (default /usr/bin/firefox-esr), XF_MINIBROWSER (default: WebKitGTK's
// MiniBrowser under /usr/lib/<arch>/webkit2gtk-4.1/), XF_WEBKIT_DRIVER (default WebKitWebDriver
// on PATH), XF_XVFB (default Xvfb on PATH).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { Builder } from 'selenium-webdriver';
import { delay, launchBrowser, newContext, SCREENSHOT_DIR, UI_TIMEOUT } from './harness.mjs';

export const BROWSERS = ['chromium', 'firefox', 'webkit'];

const FIREFOX = process.env.XF_FIREFOX || '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = process.env.XF_WEBKIT_DRIVER || 'WebKitWebDriver';
const XVFB = process.env.XF_XVFB || 'Xvfb';
const VIEWPORT = { width: 1000, height: 900 };

/**
 * Starts `name` (one of BROWSERS) and opens one page in a fresh, isolated profile. Everything
 * started (browser, driver, display server) is stopped when the test ends, whatever happened.
 */
export async function openPage(t, name) {
  const open = { chromium: openChromium, firefox: openFirefox, webkit: openWebKit }[name];
  if (!open) throw new Error(`unknown browser ${name}; one of ${BROWSERS.join(', ')}`);
  return new BrowserPage(name, await open(t));
}

// ---------------------------------------------------------------------------------------------
// What a test does with a page, the same in every engine

export class BrowserPage {
  constructor(browser, engine) {
    this.browser = browser;
    this.engine = engine;
  }

  goto(url) { return this.engine.goto(url); }
  reload() { return this.engine.reload(); }
  /** The browser's Back: a history traversal, which may restore the page from the back/forward cache. */
  back() { return this.engine.evaluate(() => { setTimeout(() => history.back(), 0); }); }
  url() { return this.engine.evaluate(() => location.href); }
  isClosed() { return this.engine.isClosed(); }

  /** Runs `fn(arg)` in the page (a promise is awaited) and returns its JSON-able result. */
  evaluate(fn, arg) { return this.engine.evaluate(fn, arg ?? null); }

  /** Types `value` into the field labelled `label` (its label's own text, without hints). */
  async fill(label, value) {
    const field = await this.waitForElement(labelledControl, label, `a field labelled "${label}"`);
    const selector = await this.selectorOf(field);
    // Dates and lists have no text to type: they are set the way each engine's own "fill"
    // sets them, the value plus the input and change events the page listens to.
    await this.engine.evaluate(defineDeepQuery, null);
    if (await this.engine.evaluate(controlKind, selector) === 'typed') await this.engine.type(field, value);
    else await this.engine.evaluate(setControlValue, { selector, value });
  }

  /** The current value of the field labelled `label`. */
  async value(label) {
    const field = await this.waitForElement(labelledControl, label, `a field labelled "${label}"`);
    return this.engine.property(field, 'value');
  }

  /** Clicks the enabled button whose text is `name`. */
  async click(name) {
    const button = await this.waitForElement(namedButton, name, `an enabled button "${name}"`);
    await this.engine.click(button);
  }

  /** Waits until an element matching `within` (CSS) shows `text`. */
  async waitForText(text, { within = 'body', timeout = UI_TIMEOUT } = {}) {
    const shown = await this.poll(async () => {
      await this.engine.evaluate(defineDeepQuery, null);
      return this.engine.evaluate(showsText, { text, within });
    }, timeout);
    if (!shown) {
      const body = await this.engine.evaluate(() => document.body?.innerText ?? '').catch((e) => `(${e.message})`);
      throw new Error(`${this.browser}: "${text}" did not appear in ${within} within ${timeout} ms; the page shows:\n${body.slice(0, 1500)}`);
    }
  }

  /** The page's uncaught errors so far, or null where the engine cannot tell. */
  pageErrors() { return this.engine.pageErrors(); }

  /** The popups opened by this page that are still open. */
  async popups() {
    const engines = await this.engine.openPopups();
    return engines.map((engine) => new BrowserPage(this.browser, engine));
  }

  async screenshot(name) {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await this.engine.screenshot(file);
    return file;
  }

  /**
   * Goes through the sandbox's development sign-in (choose `user`, "Sign in", then "Allow")
   * and resolves once `done()`: by default once this page, a popup, has closed itself (the
   * proxy's callback page does that); for a full-page sign-in, once the page is back.
   * Rejects with what the page shows if that does not happen.
   */
  async completeSandboxSignIn({ user = 'alice', done = () => this.isClosed(), timeout = 3 * UI_TIMEOUT } = {}) {
    const deadline = Date.now() + timeout;
    let lastSeen = '(nothing yet)';
    while (Date.now() < deadline) {
      if (await done().catch(() => false)) return;
      // A page being replaced answers with an error, or as the document already acted on
      // (marked below until the next one replaces it): look again shortly.
      const step = await this.engine.evaluate(signInStep, null).catch(() => null);
      if (step) lastSeen = `${step.url}:\n${step.text}`;
      if (step?.kind === 'sign-in') {
        const choice = await this.engine.element(userChoice, user);
        if (choice) await this.engine.click(choice);
        const signIn = await this.waitForElement(namedButton, 'Sign in', 'the "Sign in" button');
        await this.engine.evaluate(markActedOn, null);
        await this.engine.click(signIn);
      } else if (step?.kind === 'consent') {
        const allow = await this.waitForElement(namedButton, 'Allow', 'the "Allow" button');
        await this.engine.evaluate(markActedOn, null);
        await this.engine.click(allow);
      } else {
        await delay(100);
      }
    }
    throw new Error(`${this.browser}: the sign-in did not end within ${timeout} ms; the page shows ${lastSeen.slice(0, 800)}`);
  }

  /** Polls `find(arg)` in the page until it returns an element; returns the engine's handle. */
  async waitForElement(find, arg, what) {
    let element = null;
    await this.poll(async () => {
      await this.engine.evaluate(defineDeepQuery, null);
      return (element = await this.engine.element(find, arg));
    }, UI_TIMEOUT);
    if (!element) throw new Error(`${this.browser}: no ${what} within ${UI_TIMEOUT} ms on ${await this.url().catch(() => '?')}`);
    return element;
  }

  /** A selector for an element handle (the fields have document-unique ids). */
  async selectorOf(element) {
    const id = await this.engine.property(element, 'id');
    if (!id) throw new Error(`${this.browser}: the element has no id`);
    return `[id="${id}"]`;
  }

  async poll(check, timeout) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = await check().catch(() => null);
      if (value) return value;
      if (Date.now() > deadline) return null;
      await delay(50);
    }
  }
}

// In-page functions (serialised into the page: self-contained, no closures).

/**
 * Defines `window.__xfAll(selector)`, the matching elements of the document and of every open
 * shadow root in it (the <exchange-form> element renders in one), and `window.__xfText(selector)`,
 * each match's text including the shadow roots inside it (`innerText` stops at them). Run before
 * the helpers below, on every page they run in.
 */
function defineDeepQuery() {
  const roots = () => {
    const found = [document];
    for (const root of found) {
      for (const element of root.querySelectorAll('*')) if (element.shadowRoot) found.push(element.shadowRoot);
    }
    return found;
  };
  window.__xfAll = (selector) => roots().flatMap((root) => [...root.querySelectorAll(selector)]);
  window.__xfText = (selector) => window.__xfAll(selector).map((element) => [element.innerText,
    ...roots().filter((root) => root !== document && element.contains(root.host))
      .flatMap((root) => [...root.children].map((child) => child.innerText ?? ''))].join('\n'));
}

function labelledControl(label) {
  for (const element of window.__xfAll('label')) {
    const own = [...element.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
    const control = element.control;
    if (own === label && control && !control.disabled && control.getClientRects().length > 0) return control;
  }
  return null;
}

function controlKind(selector) {
  const [element] = window.__xfAll(selector);
  if (element instanceof HTMLTextAreaElement) return 'typed';
  if (element instanceof HTMLInputElement && ['text', 'search', 'email', ''].includes(element.type)) return 'typed';
  return 'set';
}

function setControlValue({ selector, value }) {
  const [element] = window.__xfAll(selector);
  element.focus();
  element.value = value;
  if (element.value !== value) throw new Error(`${selector} does not accept "${value}"`);
  element.dispatchEvent(new Event('input', { bubbles: true }));
  element.dispatchEvent(new Event('change', { bubbles: true }));
}

function namedButton(name) {
  return window.__xfAll('button, input[type="submit"]')
    .find((b) => (b.innerText ?? b.value).trim() === name && !b.disabled && b.getClientRects().length > 0) ?? null;
}

function showsText({ text, within }) {
  return window.__xfText(within).some((shown) => shown.includes(text));
}

function userChoice(user) {
  return [...document.querySelectorAll('input[name="user"]')]
    .find((input) => input.value === user || input.value.startsWith(`${user}@`)) ?? null;
}

function markActedOn() {
  window.__xfActedOn = true;
}

function signInStep() {
  if (window.__xfActedOn) return { kind: null, url: location.href, text: '(submitted, waiting for the next page)' };
  const buttons = [...document.querySelectorAll('button')].map((b) => b.innerText.trim());
  const kind = buttons.includes('Allow') ? 'consent'
    : buttons.includes('Sign in') && document.querySelector('input[name="user"]') ? 'sign-in'
      : null;
  return { kind, url: location.href, text: (document.body?.innerText ?? '').slice(0, 500) };
}

// ---------------------------------------------------------------------------------------------
// Chromium: playwright-core, exactly as the other end-to-end tests launch it

async function openChromium(t) {
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  return new PlaywrightEngine(await context.newPage());
}

/** What Playwright and Puppeteer pages have in common: element handles, `evaluateHandle`. */
class HandleEngine {
  constructor(page) { this.page = page; }
  goto(url) { return this.page.goto(url); }
  reload() { return this.page.reload(); }
  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }
  async element(find, arg) {
    const handle = await this.page.evaluateHandle(find, arg);
    const element = handle.asElement();
    if (!element) await handle.dispose();
    return element;
  }
  property(element, name) { return element.evaluate((e, n) => e[n], name); }
  click(element) { return element.click(); }
  async isClosed() { return this.page.isClosed(); }
  screenshot(file) { return this.page.screenshot({ path: file, fullPage: true }); }
}

class PlaywrightEngine extends HandleEngine {
  pageErrors() { return this.page.context().pageErrors; }
  type(element, text) { return element.fill(text); }
  async openPopups() {
    return this.page.context().pages()
      .filter((p) => p !== this.page && !p.isClosed())
      .map((p) => new PlaywrightEngine(p));
  }
}

// ---------------------------------------------------------------------------------------------
// Firefox: puppeteer-core over WebDriver BiDi, Debian's firefox-esr (no browser download)

async function openFirefox(t) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: VIEWPORT,
  });
  t.after(() => closeWithin(() => browser.close(), () => browser.process()?.kill('SIGKILL')));
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  return new PuppeteerEngine(page);
}

class PuppeteerEngine extends HandleEngine {
  constructor(page) {
    super(page);
    this.popups = [];
    this.errors = [];
    page.on('popup', (popup) => { if (popup) this.popups.push(popup); });
    page.on('pageerror', (error) => this.errors.push(`${page.url()}: ${error.message}`));
  }
  pageErrors() { return this.errors; }
  async type(element, text) {
    await element.click();
    await element.evaluate((e) => e.select());
    await element.type(text);
  }
  async openPopups() {
    return this.popups.filter((p) => !p.isClosed()).map((p) => new PuppeteerEngine(p));
  }
}

// ---------------------------------------------------------------------------------------------
// WebKit: MiniBrowser through WebKitWebDriver (selenium-webdriver) on a private Xvfb display

async function openWebKit(t) {
  const display = await startXvfb(t);
  const port = await freePort();
  const driverProcess = startProcessGroup(t, WEBKIT_DRIVER, [`--port=${port}`], { DISPLAY: display });
  const server = `http://127.0.0.1:${port}`;
  await waitForDriver(server, driverProcess);
  const driver = await new Builder()
    .usingServer(server)
    .withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] },
    })
    .build();
  // Registered after the processes: `t.after` runs last-registered first, so the session ends
  // before its driver and display go.
  t.after(() => closeWithin(() => driver.quit(), () => {}));
  await driver.manage().window().setRect(VIEWPORT).catch(() => {});
  const windows = { driver, current: await driver.getWindowHandle() };
  return new SeleniumEngine(windows, windows.current);
}

/** WebDriver drives one window at a time: every call first switches to its own window. */
class SeleniumEngine {
  constructor(windows, handle) {
    this.windows = windows;
    this.driver = windows.driver;
    this.handle = handle;
  }
  async focus() {
    if (this.windows.current !== this.handle) {
      await this.driver.switchTo().window(this.handle);
      this.windows.current = this.handle;
    }
  }
  async goto(url) { await this.focus(); await this.driver.get(url); }
  async reload() { await this.focus(); await this.driver.navigate().refresh(); }
  async evaluate(fn, arg) {
    await this.focus();
    const outcome = await this.driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       Promise.resolve().then(() => (${fn}).call(null, arguments[0]))
         .then((value) => done({ value: value === undefined ? null : value }), (e) => done({ error: String(e && e.stack || e) }));`,
      arg,
    );
    if (outcome?.error) throw new Error(outcome.error);
    return outcome?.value;
  }
  async element(find, arg) {
    await this.focus();
    return this.driver.executeScript(`return (${find}).call(null, arguments[0]);`, arg);
  }
  async property(element, name) { await this.focus(); return element.getAttribute(name); }
  async click(element) { await this.focus(); await element.click(); }
  async type(element, text) {
    await this.focus();
    await element.clear();
    await element.sendKeys(text);
  }
  /** WebDriver classic has no way to hear a page's uncaught errors. */
  pageErrors() { return null; }
  async isClosed() {
    return !(await this.driver.getAllWindowHandles()).includes(this.handle);
  }
  async openPopups() {
    const handles = await this.driver.getAllWindowHandles();
    return handles.filter((h) => h !== this.handle).map((h) => new SeleniumEngine(this.windows, h));
  }
  async screenshot(file) {
    await this.focus();
    await writeFile(file, Buffer.from(await this.driver.takeScreenshot(), 'base64'));
  }
}

/** WebKitGTK's MiniBrowser (package libwebkit2gtk-4.1-0), found under /usr/lib/<arch>/. */
function miniBrowser() {
  if (process.env.XF_MINIBROWSER) return process.env.XF_MINIBROWSER;
  for (const dir of readdirSync('/usr/lib')) {
    const candidate = path.join('/usr/lib', dir, 'webkit2gtk-4.1', 'MiniBrowser');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('no WebKitGTK MiniBrowser under /usr/lib/*/webkit2gtk-4.1/ (Debian package libwebkit2gtk-4.1-0)');
}

/** Starts Xvfb on a display number it picks itself (`-displayfd`); resolves with `:N`. */
async function startXvfb(t) {
  const xvfb = startProcessGroup(t, XVFB, ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp']);
  let output = '';
  const number = await new Promise((resolve, reject) => {
    xvfb.child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /^(\d+)\n/.exec(output);
      if (match) resolve(match[1]);
    });
    xvfb.exited.then(() => reject(new Error(`Xvfb exited before choosing a display:\n${xvfb.log.join('')}`)));
    timer(10_000).then(() => reject(new Error(`Xvfb chose no display within 10 s:\n${xvfb.log.join('')}`)));
  });
  return `:${number}`;
}

/**
 * Spawns `program` as the leader of its own process group and kills the whole group (the
 * browser processes WebKitWebDriver starts included) when the test ends, or when Node exits.
 */
function startProcessGroup(t, program, args, env = {}) {
  const child = spawn(program, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log = [];
  child.stderr.on('data', (chunk) => log.push(String(chunk)));
  const exited = once(child, 'exit').catch(() => {});
  const failed = once(child, 'error').then(([e]) => { log.push(`cannot start ${program}: ${e.message}\n`); });
  const killGroup = (signal) => {
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  t.after(async () => {
    process.off('exit', onExit);
    if (!child.pid) return;
    killGroup('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), timer(3_000).then(() => false)]);
    // The group, not only its leader: the leader may be gone and its children not.
    killGroup('SIGKILL');
    if (!stopped) await exited;
  });
  return { child, log, exited: Promise.race([exited, failed]) };
}

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForDriver(server, driverProcess) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (driverProcess.child.exitCode !== null) break;
    const ready = await fetch(`${server}/status`).then((r) => r.ok, () => false);
    if (ready) return;
    await delay(100);
  }
  throw new Error(`WebKitWebDriver did not answer on ${server}:\n${driverProcess.log.join('')}`);
}

/** Runs `close`; if it has not finished within 10 s, `force`s it (a hung browser must not hang the suite). */
async function closeWithin(close, force) {
  const closed = await Promise.race([
    Promise.resolve().then(close).then(() => true, () => false),
    timer(10_000).then(() => false),
  ]);
  if (!closed) force();
}

/** A delay that does not keep Node alive: for the losing side of a race. */
function timer(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
