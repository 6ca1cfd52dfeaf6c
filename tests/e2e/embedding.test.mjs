// Embedding the way a customer does: a host page on ANOTHER origin loads the loader script from
// the proxy and places one <exchange-form> element. Sandbox mode allows http://localhost:* as an
// embedding origin; http://127.0.0.2:* is not allowed and must not get anything done.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  completeSignIn, launchBrowser, newContext, startProxy, uniqueSubject, wallClock, UI_TIMEOUT, screenshot,
} from './harness.mjs';
import { serveHostPages } from './host-page.mjs';
import { appointmentForm, createdEvents, fillAppointment, mailboxAppointments, submitAndSignIn } from './widget.mjs';

/** Serves one host page at `http://<host>:<port>/` that embeds the widget from `proxyUrl`. */
function startHostPage(t, host, proxyUrl, { authMode } = {}) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Customer page</title>
<script type="module" src="${new URL('www/exchange-form.js', proxyUrl).href}"></script></head>
<body><h1>Customer intranet</h1>
<exchange-form id="widget" kind="appointment" proxy="${proxyUrl}"${authMode ? ` auth-mode="${authMode}"` : ''}></exchange-form>
<ol id="log"></ol>
<script>
  document.getElementById('widget').addEventListener('exchange-form:created', (event) => {
    const li = document.createElement('li');
    li.textContent = 'created ' + event.detail.subject;
    document.getElementById('log').append(li);
  });
</script></body></html>`;
  return serveHostPages(t, { '/': html }, { host });
}

test('a host page on another origin embeds the widget with one script and one element', async (t) => {
  const proxy = await startProxy(t);
  const hostUrl = await startHostPage(t, '127.0.0.1', proxy.url);
  assert.notEqual(new URL(hostUrl).origin, new URL(proxy.url).origin);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  await page.goto(hostUrl);
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT }).catch((e) => {
    throw new Error(`${e.message}\nconsole and API log:\n${context.apiLog.join('\n')}\npage errors: ${context.pageErrors}`);
  });

  const subject = uniqueSubject('Customer meeting');
  await fillAppointment(form, { subject, start: wallClock(6, 13), end: wallClock(6, 14), location: 'Lobby' });
  const popup = await submitAndSignIn(page, form, { subject, user: 'bob' });
  assert.ok(popup, 'signed in through a popup');
  await page.locator('#log').getByText(`created ${subject}`).waitFor({ timeout: UI_TIMEOUT });
  const events = await createdEvents(page);
  assert.equal(events.length, 1);
  assert.equal(events[0].target, 'EXCHANGE-FORM', 'the event is dispatched on the host element');
  await screenshot(page, 'embedding-cross-origin');

  // The session handle lives in the host origin's storage, namespaced by the proxy's URL.
  const keys = await page.evaluate(() => Object.keys(localStorage));
  assert.ok(keys.some((k) => k.startsWith('exchange-forms:session:')), `session kept in the host's storage: ${keys}`);
  assert.deepEqual(context.pageErrors, []);
});

test('a host page on an origin that is not allowed gets nothing done', async (t) => {
  const proxy = await startProxy(t);
  const hostUrl = await startHostPage(t, '127.0.0.2', proxy.url);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  const created = [];
  page.on('response', (response) => {
    if (response.request().method() === 'POST' && response.status() === 201) created.push(response.url());
  });
  await page.goto(hostUrl);
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  const subject = uniqueSubject('Intruder');
  await fillAppointment(form, { subject, start: wallClock(6, 13), end: wallClock(6, 14) });
  const popups = [];
  context.on('page', (p) => popups.push(p));
  await page.locator('#widget').evaluate((el) => {
    window.errors = [];
    el.addEventListener('exchange-form:error', (event) => window.errors.push(event.detail));
  });
  await form.locator('button[type="submit"]').click();
  const alert = form.locator('[role="alert"]').first();
  await alert.waitFor({ timeout: UI_TIMEOUT });
  const [error] = await page.evaluate(() => window.errors);
  assert.equal(error?.error, 'network_error', 'the host element got exchange-form:error (CORS refused the page)');
  assert.ok((await alert.innerText()).includes(error.message), 'its message is what the form says');
  await screenshot(page, 'embedding-origin-not-allowed');
  assert.deepEqual(created, [], 'the proxy created nothing for a foreign origin');
  assert.equal(popups.length, 0, 'no sign-in was started for a foreign origin');
  assert.equal(await page.locator('[role="status"]').filter({ hasText: subject }).count(), 0);
});

test('with auth-mode="redirect" the page goes to sign in, comes back and finishes the action once', async (t) => {
  const proxy = await startProxy(t);
  const hostUrl = await startHostPage(t, '127.0.0.1', proxy.url, { authMode: 'redirect' });
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  const popups = [];
  context.on('page', (p) => popups.push(p));
  await page.goto(hostUrl);
  let form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  await page.waitForLoadState('networkidle');

  const subject = uniqueSubject('Redirected');
  await fillAppointment(form, { subject, start: wallClock(8, 10), end: wallClock(8, 11), location: 'Hall' });
  // Told before the page leaves; kept where the page finds it again when it comes back.
  await page.locator('#widget').evaluate((el) => el.addEventListener('exchange-form:authorization-required',
    (event) => sessionStorage.setItem('told', JSON.stringify(event.detail))));
  await form.locator('button[type="submit"]').click();
  // The whole page goes to the sign-in pages, then back to the host page.
  await page.waitForURL((url) => url.origin === new URL(proxy.url).origin, { timeout: UI_TIMEOUT });
  await completeSignIn(page, { user: 'carol', doneWhen: (url) => url.origin === new URL(hostUrl).origin });
  await page.waitForURL((url) => url.origin === new URL(hostUrl).origin, { timeout: UI_TIMEOUT });
  form = appointmentForm(page);
  await page.locator('[role="status"]').filter({ hasText: subject }).waitFor({ timeout: UI_TIMEOUT }).catch(async (e) => {
    throw new Error(`${e.message}\nthe page shows:\n${await page.locator('body').innerText()}\nAPI log:\n${context.apiLog.join('\n')}`);
  });
  await page.locator('#log').getByText(`created ${subject}`).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(popups.length, 0, 'no popup was opened');
  assert.deepEqual(JSON.parse(await page.evaluate(() => sessionStorage.getItem('told'))), { mode: 'redirect' });
  const listed = await mailboxAppointments(page, proxy.url);
  assert.equal(listed.filter((a) => a.subject === subject).length, 1, 'the action was done once');
});
