// Issue 4's end-to-end proof: per-user authorization through a sign-in popup, against a real
// OAuth server (oidc-provider: PKCE required, rotating refresh tokens, its own login and consent
// pages) and against the sandbox's built-in development authorization server. The mailbox is
// the proxy's EWS sandbox (it knows the user from the OAuth server's userinfo endpoint).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  completeSignIn, delay, launchBrowser, newContext, screenshot, startProxy, startProxyWithOidc, uniqueSubject,
  wallClock, UI_TIMEOUT,
} from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import {
  apiFromPage, appointmentForm, confirmation, fillAppointment, formValues, mailboxAppointments, sessionHandle, submitAndSignIn, TEXT,
} from './widget.mjs';

function draft(prefix, day = 1) {
  return { subject: uniqueSubject(prefix), start: wallClock(day, 9), end: wallClock(day, 10), location: 'Room 1', body: prefix };
}

/** Pages (popups) opened in `context` from now on. */
function watchPopups(context) {
  const popups = [];
  context.on('page', (page) => popups.push(page));
  return popups;
}

async function openForm(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  // The widget asks the proxy on load whether this user is authorized (so that the click can
  // open the popup inside the user gesture); let that finish.
  await page.waitForLoadState('networkidle');
  return { page, form };
}

/** Fills and submits; asserts the confirmation appears without any popup. */
async function createWithoutPopup(page, form, item) {
  const popups = watchPopups(page.context());
  await fillAppointment(form, item);
  await form.locator('button[type="submit"]').click();
  await confirmation(page, item.subject).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(popups.length, 0, `no sign-in popup for "${item.subject}"`);
}

/** How many appointments with `subject` are in the user's mailbox. */
async function countInMailbox(page, proxyUrl, subject) {
  return (await mailboxAppointments(page, proxyUrl)).filter((a) => a.subject === subject).length;
}

/**
 * First action -> popup -> sign in -> consent -> created exactly once -> second action without
 * popup -> page reload still authorized -> proxy restart still authorized.
 */
async function mainPath(t, { proxy, user, op, screenshotName }) {
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  let { page, form } = await openForm(context, proxy.url);

  const first = draft('First action');
  await fillAppointment(form, first);
  const popup = await submitAndSignIn(page, form, { subject: first.subject, user });
  assert.ok(popup, 'the first action opened a sign-in popup');
  assert.ok(popup.isClosed(), 'the popup closed itself after the callback');
  if (op) assert.equal(op.events.codeExchanges, 1, 'one authorization code was exchanged');
  await page.getByText(TEXT.signedInAs).filter({ hasText: user }).first().waitFor({ timeout: UI_TIMEOUT });
  await screenshot(page, screenshotName);
  assert.equal(await countInMailbox(page, proxy.url, first.subject), 1, 'the first action was done exactly once');

  const second = draft('Second action', 2);
  await createWithoutPopup(page, form, second);

  await page.reload();
  form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  const third = draft('After reload', 3);
  await createWithoutPopup(page, form, third);

  await proxy.restart();
  await page.reload();
  form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  const fourth = draft('After restart', 4);
  await createWithoutPopup(page, form, fourth);

  for (const item of [first, second, third, fourth]) {
    assert.equal(await countInMailbox(page, proxy.url, item.subject), 1, `"${item.subject}" is in the mailbox once`);
  }
  if (op) {
    assert.equal(op.events.authorizations, 1, 'the user authorized once');
    // The proxy holds the user's tokens, encrypted: no token value the OAuth server issued
    // appears in its databases (WAL included) or its log, nor in the browser's storage.
    assert.ok(op.issuedTokens.length >= 2, 'an access and a refresh token were issued');
    const written = await proxy.writtenBytes();
    assert.ok(written.includes(first.subject), 'the scan does read the databases (the mailbox holds the subject)');
    const browserStorage = JSON.stringify(await page.evaluate(() => ({ ...localStorage, ...sessionStorage })));
    for (const token of op.issuedTokens) {
      assert.ok(!written.includes(token), 'no plaintext token in the proxy\'s data directory or log');
      assert.ok(!browserStorage.includes(token), 'no token in the browser\'s storage');
    }
  }
  assert.deepEqual(context.pageErrors, []);
}

test('oidc-provider: first action signs in through a popup, then every action just works', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t);
  await mainPath(t, { proxy, op, user: 'alice', screenshotName: 'auth-oidc-signed-in' });
});

test('sandbox sign-in: first action signs in through a popup, then every action just works', async (t) => {
  const proxy = await startProxy(t);
  await mainPath(t, { proxy, user: 'alice', screenshotName: 'auth-sandbox-signed-in' });
});

test('oidc-provider: a blocked popup offers Connect, which signs in and finishes the action', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t);
  const browser = await launchBrowser(t, { popupBlocker: true });
  const context = await newContext(browser, t);
  const { page, form } = await openForm(context, proxy.url);
  const popups = watchPopups(context);
  const item = draft('Blocked popup');
  await fillAppointment(form, item);
  // A submit that runs after the last user activation expired (Chromium: 5 s) may not open
  // windows: the blocker stops window.open.
  // Playwright's calls (evaluate, waitFor polling) count as activation, so stay idle meanwhile.
  await form.evaluate((f) => { setTimeout(() => f.requestSubmit(), 6_000); });
  await page.waitForTimeout(7_000);
  await page.getByText(TEXT.popupBlocked).waitFor({ timeout: UI_TIMEOUT }).catch(async (e) => {
    throw new Error(`${e.message}\nthe form shows:\n${await form.innerText()}\nAPI log:\n${context.apiLog.join('\n')}`);
  });
  assert.equal(popups.length, 0, 'the popup was blocked');
  await screenshot(page, 'auth-popup-blocked');
  await expectNoAxeViolations(page, 'sign-in popup blocked, Connect offered');

  const popupOpened = context.waitForEvent('page', { timeout: UI_TIMEOUT });
  await page.getByRole('button', { name: TEXT.connect }).click();
  await completeSignIn(await popupOpened, { user: 'bob' });
  await confirmation(page, item.subject).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await countInMailbox(page, proxy.url, item.subject), 1);
  assert.equal(op.events.codeExchanges, 1);
});

test('oidc-provider: closing the popup, then Cancel, keeps the input intact, and a retry works', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const { page, form } = await openForm(context, proxy.url);
  const item = draft('Closed popup');
  await fillAppointment(form, item);
  const filled = await formValues(form);

  const popupOpened = context.waitForEvent('page', { timeout: UI_TIMEOUT });
  await form.locator('button[type="submit"]').click();
  const popup = await popupOpened;
  await page.getByText(TEXT.waiting).waitFor({ timeout: UI_TIMEOUT });
  await expectNoAxeViolations(page, 'waiting for the sign-in');
  // On the sign-in server's page, a window that looks closed may only have been cut off by a
  // Cross-Origin-Opener-Policy: the form keeps waiting (with Cancel) rather than giving up.
  await popup.waitForURL((url) => url.href.startsWith(op.issuer), { timeout: UI_TIMEOUT });
  await popup.close();
  await delay(4_000);
  assert.equal(await page.getByText(TEXT.waiting).count(), 1, 'still waiting for the sign-in');
  const cancelledAt = Date.now();
  await page.getByRole('button', { name: TEXT.cancel }).click();
  await page.getByText(TEXT.cancelled).waitFor({ timeout: UI_TIMEOUT });
  t.diagnostic(`"Authorization cancelled" shown ${Date.now() - cancelledAt} ms after Cancel`);
  assert.deepEqual(await formValues(form), filled, 'the input is intact');
  assert.equal(await confirmation(page, item.subject).count(), 0, 'nothing was created');
  assert.equal(op.events.codeExchanges, 0);
  await screenshot(page, 'auth-popup-closed');

  // Trying again signs in and creates the item once.
  await submitAndSignIn(page, form, { subject: item.subject, user: 'carol' });
  assert.equal(await countInMailbox(page, proxy.url, item.subject), 1);
});

test('oidc-provider: a sign-in page that cuts window.opener (COOP) still finishes the action once', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t, { coop: true });
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const { page, form } = await openForm(context, proxy.url);
  const item = draft('Behind COOP');
  await fillAppointment(form, item);

  const popupOpened = context.waitForEvent('page', { timeout: UI_TIMEOUT });
  await form.locator('button[type="submit"]').click();
  const popup = await popupOpened;
  await popup.waitForURL((url) => url.href.startsWith(op.issuer), { timeout: UI_TIMEOUT });
  await popup.locator('input[name="login"]').waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await popup.evaluate(() => window.opener), null, 'the sign-in page has no opener');
  await completeSignIn(popup, { user: 'ivan', doneWhen: (url) => url.pathname.endsWith('/auth/callback') });
  await confirmation(page, item.subject).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await countInMailbox(page, proxy.url, item.subject), 1, 'created exactly once');
  assert.equal(op.events.codeExchanges, 1);
  assert.deepEqual(context.pageErrors, []);
});

test('oidc-provider: denying consent shows a clear message with the input intact', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const { page, form } = await openForm(context, proxy.url);
  const item = draft('Denied');
  await fillAppointment(form, item);
  const filled = await formValues(form);

  const popupOpened = context.waitForEvent('page', { timeout: UI_TIMEOUT });
  await form.locator('button[type="submit"]').click();
  await completeSignIn(await popupOpened, { user: 'dave', deny: true });
  await page.getByText(TEXT.denied).waitFor({ timeout: UI_TIMEOUT });
  assert.deepEqual(await formValues(form), filled, 'the input is intact');
  assert.equal(await confirmation(page, item.subject).count(), 0, 'nothing was created');
  assert.equal(op.events.codeExchanges, 0, 'no code was exchanged');
  await screenshot(page, 'auth-consent-denied');
});

test('oidc-provider: after the refresh token is revoked, the next action asks again and still completes', async (t) => {
  // Access tokens live 62 s and the proxy refreshes 60 s ahead of expiry: a few seconds after
  // the last token was issued, any action needs a refresh, which the revocation makes fail.
  const { op, proxy } = await startProxyWithOidc(t, { accessTokenTtl: 62 });
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const { page, form } = await openForm(context, proxy.url);
  const first = draft('Before revocation');
  await fillAppointment(form, first);
  assert.ok(await submitAndSignIn(page, form, { subject: first.subject, user: 'erin' }), 'signed in through a popup');

  const revoked = await op.revokeUser('erin');
  assert.ok(revoked >= 1, 'a grant was revoked');
  await delay(3_000);

  const second = draft('After revocation', 2);
  await fillAppointment(form, second);
  const popup = await submitAndSignIn(page, form, { subject: second.subject, user: 'erin' });
  assert.ok(popup, 'the action asked for authorization again');
  assert.ok(op.events.refreshErrors >= 1, 'the proxy tried the revoked refresh token and was refused');
  assert.equal(op.events.codeExchanges, 2);
  assert.equal(await countInMailbox(page, proxy.url, second.subject), 1, 'the action completed once');
  assert.equal(await countInMailbox(page, proxy.url, first.subject), 1);
});

test('oidc-provider: two tabs acting at once share one sign-in, and both actions are done once', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const tabA = await openForm(context, proxy.url);
  const tabB = await openForm(context, proxy.url);
  const a = draft('Tab A');
  const b = draft('Tab B', 2);
  await fillAppointment(tabA.form, a);
  await fillAppointment(tabB.form, b);

  const popups = watchPopups(context);
  await Promise.all([
    tabA.form.locator('button[type="submit"]').click(),
    tabB.form.locator('button[type="submit"]').click(),
  ]);
  const deadline = Date.now() + UI_TIMEOUT;
  while (popups.length === 0 && Date.now() < deadline) await delay(50);
  assert.ok(popups.length >= 1, 'a sign-in popup opened');
  await delay(500); // a second popup, if the widget (wrongly) opened one, would show up by now
  assert.equal(popups.length, 1, 'one sign-in popup for both tabs');
  await completeSignIn(popups[0], { user: 'frank' });

  await confirmation(tabA.page, a.subject).waitFor({ timeout: UI_TIMEOUT });
  await confirmation(tabB.page, b.subject).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(op.events.authorizations, 1, 'one authorization flow');
  assert.equal(await countInMailbox(tabA.page, proxy.url, a.subject), 1);
  assert.equal(await countInMailbox(tabA.page, proxy.url, b.subject), 1);
});

test('oidc-provider: a postMessage from a foreign origin does not complete the sign-in', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const { page, form } = await openForm(context, proxy.url);
  const item = draft('Foreign message');
  await fillAppointment(form, item);

  const flowPoll = page.waitForRequest((r) => /^\/api\/auth\/flows\/[^/]+$/.test(new URL(r.url()).pathname), { timeout: UI_TIMEOUT });
  const popupOpened = context.waitForEvent('page', { timeout: UI_TIMEOUT });
  await form.locator('button[type="submit"]').click();
  const popup = await popupOpened;
  await page.getByText(TEXT.waiting).waitFor({ timeout: UI_TIMEOUT });
  // The real flow id, as the widget polls it: the forgery is as good as an attacker's can be.
  const flowId = decodeURIComponent(new URL((await flowPoll).url()).pathname.split('/').pop());

  // A frame of another origin (the OAuth server's) posts what the proxy's callback page posts
  // for a finished flow, and a denial, in both object and string form.
  await page.evaluate((src) => new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.name = 'foreign';
    frame.src = src;
    frame.onload = resolve;
    document.body.append(frame);
  }), `${op.issuer}/.well-known/openid-configuration`);
  const foreign = page.frames().find((f) => f.name() === 'foreign');
  assert.ok(foreign, 'the foreign frame loaded');
  await foreign.evaluate((id) => {
    for (const status of ['denied', 'done']) {
      const forged = { type: 'exchange-forms:auth', flowId: id, status, sessionHandle: 'forged' };
      window.parent.postMessage(forged, '*');
      window.parent.postMessage(JSON.stringify(forged), '*');
    }
  }, flowId);
  await delay(1_000);
  await page.getByText(TEXT.waiting).waitFor({ timeout: 1_000 });
  assert.equal(await page.getByText(TEXT.denied).count(), 0, 'a forged "denied" was ignored');
  assert.equal(await confirmation(page, item.subject).count(), 0);
  const stored = await page.evaluate(() => Object.values({ ...localStorage }));
  assert.ok(!stored.includes('forged'), 'the forged session handle was not stored');

  // The real sign-in still completes the action, once.
  await completeSignIn(popup, { user: 'grace' });
  await confirmation(page, item.subject).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await countInMailbox(page, proxy.url, item.subject), 1);
});

test('oidc-provider: Sign out revokes the session on the proxy and the next action asks again', async (t) => {
  const { proxy } = await startProxyWithOidc(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const { page, form } = await openForm(context, proxy.url);
  const first = draft('Before sign-out');
  await fillAppointment(form, first);
  assert.ok(await submitAndSignIn(page, form, { subject: first.subject, user: 'heidi' }));
  const handle = await sessionHandle(page, proxy.url);
  assert.ok(handle, 'a session handle was stored');

  await page.getByRole('button', { name: TEXT.signOut }).click();
  await page.getByText(TEXT.signedOut).first().waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await sessionHandle(page, proxy.url), null, 'the handle is forgotten');
  // Even signed with the browser's own key, the old handle is refused: the session was revoked.
  const replayed = await apiFromPage(page, proxy.url, 'api/tasks', { handle });
  assert.equal(replayed.status, 401, 'the old handle is refused: the session was revoked on the proxy');

  const second = draft('After sign-out', 2);
  await fillAppointment(form, second);
  assert.ok(await submitAndSignIn(page, form, { subject: second.subject, user: 'heidi' }), 'the next action asked again');
  assert.equal(await countInMailbox(page, proxy.url, second.subject), 1);
});
