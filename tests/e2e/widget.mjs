// How the end-to-end tests see the widget: the forms by their fields' `name`s (the contract in
// docs/design.md), the user-visible texts (src/i18n.rs, English), and the proxy's JSON API read
// with the session handle the widget keeps in the host page's localStorage.

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { completeSignIn, delay, launchBrowser, newContext, ROOT, startProxy, UI_TIMEOUT } from './harness.mjs';

export const TEXT = {
  calendarHeading: 'Upcoming appointments',
  tasksHeading: 'Tasks',
  waiting: 'Waiting for authorization…',
  popupBlocked: 'The sign-in window was blocked. Allow popups or click Connect.',
  connect: 'Connect',
  cancel: 'Cancel',
  cancelled: 'Authorization cancelled. Your input is still here.',
  denied: 'Access was denied, so nothing was created. Your input is still here.',
  signedInAs: 'Signed in as',
  signOut: 'Sign out',
  signedOut: 'You are signed out.',
  more: 'More…',
  back: '‹ Back',
};

/** The appointment form: the `<form>` that has a `start` field. */
export function appointmentForm(page) {
  return page.locator('form').filter({ has: page.locator('[name="start"]') }).first();
}

/**
 * A proxy (sandbox mode, `env` added), a browser and a page on the standalone form, once the
 * appointment form shows: `{ proxy, context, page, form }`, all stopped when the test ends.
 */
export async function openAppointmentForm(t, { env = {} } = {}) {
  const proxy = await startProxy(t, { env });
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  await page.goto(proxy.url);
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  return { proxy, context, page, form };
}

/** The task form: the `<form>` that has a `dueDate` field. */
export function taskForm(page) {
  return page.locator('form').filter({ has: page.locator('[name="dueDate"]') }).first();
}

export async function fillAppointment(form, { subject, start, end, location = '', body = '' }) {
  await form.locator('[name="subject"]').fill(subject);
  await form.locator('[name="start"]').fill(start);
  await form.locator('[name="end"]').fill(end);
  await form.locator('[name="location"]').fill(location);
  await form.locator('[name="body"]').fill(body);
}

export async function fillTask(form, { subject, dueDate = '', status = 'NotStarted', body = '' }) {
  await form.locator('[name="subject"]').fill(subject);
  await form.locator('[name="dueDate"]').fill(dueDate);
  await form.locator('[name="status"]').selectOption(status);
  await form.locator('[name="body"]').fill(body);
}

/** The form's current field values (to prove input survived a cancelled/denied sign-in). */
export async function formValues(form) {
  return form.evaluate((el) => Object.fromEntries(
    [...el.querySelectorAll('[name]')].map((field) => [field.name, field.value]),
  ));
}

/** The list section headed `heading` (the widget's calendar view or task list). */
export function listSection(page, heading) {
  return page.locator('section, [role="region"]').filter({ has: page.getByRole('heading', { name: heading }) }).first();
}

/** Where the widget confirms a created item: a live status region naming it. */
export function confirmation(page, subject) {
  // `.xf-status`: not the meeting form's conflict hint, a live region that may name the same item.
  return page.locator('[role="status"].xf-status').filter({ hasText: subject });
}

/**
 * Clicks the form's submit button (or calls `submit`) and, if the widget opens a sign-in popup, signs in there.
 * Resolves with the popup that was handled (or null) once the confirmation naming `subject`
 * is visible.
 */
export async function submitAndSignIn(page, form, { subject, user = 'alice', deny = false, submit } = {}) {
  const context = page.context();
  const popups = [];
  const onPage = (p) => popups.push(p);
  context.on('page', onPage);
  try {
    await (submit ? submit() : form.locator('button[type="submit"]').click());
    const done = confirmation(page, subject);
    const deadline = Date.now() + UI_TIMEOUT;
    while (popups.length === 0 && !(await done.count())) {
      if (Date.now() > deadline) throw new Error(`neither a confirmation naming "${subject}" nor a sign-in popup appeared`);
      await delay(50);
    }
    const popup = popups[0] ?? null;
    if (popup) await completeSignIn(popup, { user, deny });
    if (!deny) {
      await done.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT }).catch(async (e) => {
        const shown = await form.innerText().catch(() => '(form gone)');
        throw new Error(`no confirmation naming "${subject}" ${popup ? 'after signing in' : '(no popup)'}; the form shows:\n${shown}\n${e.message}\nAPI log:\n${context.apiLog.join('\n')}`);
      });
    }
    return popup;
  } finally {
    context.off('page', onPage);
  }
}

/** The session handle the widget stored for `proxyUrl` in the page's localStorage, if any. */
export async function sessionHandle(page, proxyUrl) {
  return page.evaluate((base) => {
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key.startsWith('exchange-forms:session:') && base.startsWith(key.slice('exchange-forms:session:'.length).replace(/\/?$/, ''))) {
        return localStorage.getItem(key);
      }
    }
    return null;
  }, proxyUrl);
}

/** The widget's DPoP module as the proxy serves it (wasm-bindgen puts it under pkg/snippets/). */
export function dpopModulePath() {
  const snippets = path.join(ROOT, 'pkg', 'snippets');
  for (const dir of readdirSync(snippets)) {
    const file = path.join(snippets, dir, 'src', 'js', 'dpop.js');
    if (existsSync(file)) return path.relative(ROOT, file).split(path.sep).join('/');
  }
  throw new Error('no dpop.js under pkg/snippets: build the widget first');
}

/**
 * Calls the proxy's JSON API from the page (its origin, its stored session handle, a proof
 * signed with the key the widget keeps in the page's IndexedDB), the way the widget does:
 * `GET` unless `method` says otherwise, `body` sent as JSON, `headers` added (e.g. `If-Match`).
 * Returns `{ status, body }`.
 */
export async function apiFromPage(page, proxyUrl, pathAndQuery, { handle: given, method = 'GET', body, headers = {} } = {}) {
  const handle = given ?? await sessionHandle(page, proxyUrl);
  assert.ok(handle, 'the widget stored no session handle in localStorage');
  return page.evaluate(async ({ url, handle, module, base, method, body, headers }) => {
    const { proof } = await import(module);
    const dpop = await proof(base, method, url, handle);
    const response = await fetch(url, {
      method,
      headers: {
        Authorization: `DPoP ${handle}`, DPoP: dpop, ...headers,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let answer;
    try { answer = JSON.parse(text); } catch { answer = text; }
    return { status: response.status, body: answer };
  }, {
    url: new URL(pathAndQuery, proxyUrl).href,
    handle,
    module: new URL(dpopModulePath(), proxyUrl).href,
    base: proxyUrl.replace(/\/+$/, ''),
    method,
    body,
    headers,
  });
}

/**
 * Every item of a paged listing (`{ items, more, nextCursor }`), following `nextCursor` page by
 * page the way the widget's "More…" does. Checks that `more` and `nextCursor` go together.
 */
async function allPages(page, proxyUrl, pathAndQuery) {
  const items = [];
  let cursor = null;
  for (let pages = 0; pages < 1000; pages += 1) {
    const separator = pathAndQuery.includes('?') ? '&' : '?';
    const path = cursor ? `${pathAndQuery}${separator}cursor=${encodeURIComponent(cursor)}` : pathAndQuery;
    const { status, body } = await apiFromPage(page, proxyUrl, path);
    assert.equal(status, 200, `GET /${path} answered ${status}: ${JSON.stringify(body)}`);
    assert.ok(Array.isArray(body.items), `GET /${path} answered no page: ${JSON.stringify(body)}`);
    assert.equal(body.more, Boolean(body.nextCursor), `more and nextCursor disagree: ${JSON.stringify(body)}`);
    items.push(...body.items);
    if (!body.more) return items;
    cursor = body.nextCursor;
  }
  throw new Error(`GET /${pathAndQuery} never ended`);
}

/** Appointments in the mailbox (calendar view, FindItem) between yesterday and 60 days ahead. */
export async function mailboxAppointments(page, proxyUrl) {
  const start = new Date(Date.now() - 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const end = new Date(Date.now() + 61 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  return allPages(page, proxyUrl, `api/appointments?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`);
}

/** Every task in the mailbox, newest first. */
export async function mailboxTasks(page, proxyUrl) {
  return allPages(page, proxyUrl, 'api/tasks');
}

/** The `exchange-form:created` events the page saw (recorded by the harness's init script). */
export async function createdEvents(page) {
  return page.evaluate(() => window.__xfCreated ?? []);
}

/** The `exchange-form:<name>` events the page saw, for a change to an existing item. */
export async function itemEvents(page, name) {
  return page.evaluate((type) => (window.__xfEvents ?? []).filter((e) => e.type === type), `exchange-form:${name}`);
}
