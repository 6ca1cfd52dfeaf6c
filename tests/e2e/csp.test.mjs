// The element works unchanged where pages are strict: under a Content-Security-Policy without
// inline scripts or styles, inside an iframe, and twice on one page (each form creates its own
// item and its events reach its own element; two forms of one kind tell themselves apart by the
// heading the page gives each).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeSignIn, launchBrowser, newContext, startProxy, uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { hostPage, serveHostPages } from './host-page.mjs';
import { axeViolations, expectNoAxeViolations } from './axe.mjs';
import { appointmentForm, createdEvents, fillAppointment, submitAndSignIn, taskForm, fillTask } from './widget.mjs';

async function browserPage(t) {
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  const violations = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
  });
  return { page, context, violations };
}

async function createOne(page, form, name) {
  const subject = uniqueSubject(name);
  await fillAppointment(form, { subject, start: wallClock(4, 11), end: wallClock(4, 12) });
  await submitAndSignIn(page, form, { subject });
  return subject;
}

test('under a strict CSP (no inline script or style) the form loads, styles itself and creates', async (t) => {
  const proxy = await startProxy(t);
  const csp = `default-src 'none'; script-src 'self' ${proxy.origin} 'wasm-unsafe-eval'; style-src 'self' ${proxy.origin}; `
    + `connect-src ${proxy.origin}; img-src 'self' data:`;
  const url = await serveHostPages(t, {
    '/': { body: hostPage(proxy.url, '<exchange-form kind="appointment"></exchange-form>'), headers: { 'content-security-policy': csp } },
  });
  const { page, context, violations } = await browserPage(t);
  await page.goto(url);
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  const accent = await page.locator('exchange-form').evaluate((el) =>
    getComputedStyle(el.shadowRoot.querySelector('.xf-button')).backgroundColor);
  assert.equal(accent, 'rgb(11, 87, 208)', 'the stylesheet applied under style-src');
  const subject = await createOne(page, form, 'Strict');
  assert.equal((await createdEvents(page)).filter((e) => e.detail.subject === subject).length, 1);
  assert.deepEqual(violations, [], 'nothing was refused by the policy');
  assert.deepEqual(context.pageErrors, []);
});

test('inside an iframe the form signs in through its popup and creates', async (t) => {
  const proxy = await startProxy(t);
  const url = await serveHostPages(t, {
    '/': '<!doctype html><html lang="en"><head><title>Portal</title></head><body><iframe title="Forms" src="/inner" width="900" height="800"></iframe></body></html>',
    '/inner': hostPage(proxy.url, '<exchange-form kind="appointment"></exchange-form>'),
  });
  const { page, context } = await browserPage(t);
  await page.goto(url);
  const frame = page.frameLocator('iframe');
  const form = appointmentForm(frame);
  await form.waitFor({ timeout: UI_TIMEOUT });
  const subject = uniqueSubject('Framed');
  await fillAppointment(form, { subject, start: wallClock(4, 11), end: wallClock(4, 12) });
  const popup = context.waitForEvent('page', { timeout: UI_TIMEOUT });
  await form.locator('button[type="submit"]').click();
  await completeSignIn(await popup, { user: 'alice' });
  await frame.locator('[role="status"]').filter({ hasText: subject }).waitFor({ timeout: UI_TIMEOUT });
  const inner = page.frames().find((f) => f.url().endsWith('/inner'));
  const events = await inner.evaluate(() => window.__xfCreated);
  assert.equal(events.filter((e) => e.detail.subject === subject).length, 1);
  assert.deepEqual(context.pageErrors, []);
});

test('two elements on one page each create their own item and get their own events', async (t) => {
  const proxy = await startProxy(t);
  const url = await serveHostPages(t, {
    '/': hostPage(proxy.url, `<exchange-form id="a" kind="appointment"></exchange-form>
      <exchange-form id="b" kind="task"></exchange-form>`),
  });
  const { page, context } = await browserPage(t);
  await page.goto(url);
  await page.evaluate(() => {
    window.byElement = { a: [], b: [] };
    for (const id of ['a', 'b']) {
      document.getElementById(id).addEventListener('exchange-form:created', (e) => window.byElement[id].push(e.detail.subject));
    }
  });
  const appointment = appointmentForm(page);
  const task = taskForm(page);
  await appointment.waitFor({ timeout: UI_TIMEOUT });
  await task.waitFor({ timeout: UI_TIMEOUT });
  const first = await createOne(page, appointment, 'First');
  const second = uniqueSubject('Second');
  await fillTask(task, { subject: second });
  await submitAndSignIn(page, task, { subject: second });
  assert.deepEqual(await page.evaluate(() => window.byElement), { a: [first], b: [second] });
  const ids = await page.evaluate(() => ['a', 'b'].map((id) => document.getElementById(id).shadowRoot.querySelector('[name="subject"]').id));
  assert.notEqual(ids[0], ids[1], 'element ids stay unique per form');
  assert.deepEqual(context.pageErrors, []);
});

test('two forms of one kind on one page are told apart by the heading the page gives each', async (t) => {
  const proxy = await startProxy(t);
  const url = await serveHostPages(t, {
    '/same': hostPage(proxy.url, `<exchange-form kind="appointment"></exchange-form>
      <exchange-form kind="appointment"></exchange-form>`),
    '/named': hostPage(proxy.url, `<exchange-form kind="appointment" heading="Book the training room"></exchange-form>
      <exchange-form kind="appointment" heading="Plan a team meeting"></exchange-form>`),
  });
  const { page, context } = await browserPage(t);
  const landmarkRules = async () => (await axeViolations(page))
    .filter((v) => v.id === 'landmark-unique').map((v) => v.nodes.length);

  // Without headings both forms and both agendas carry the same names: axe says so.
  await page.goto(`${url}same`);
  await page.getByRole('form', { name: 'New appointment' }).nth(1).waitFor({ timeout: UI_TIMEOUT });
  assert.notDeepEqual(await landmarkRules(), [], 'two unnamed forms of one kind share a landmark name');

  await page.goto(`${url}named`);
  const room = page.getByRole('form', { name: 'Book the training room' });
  const team = page.getByRole('form', { name: 'Plan a team meeting' });
  await room.waitFor({ timeout: UI_TIMEOUT });
  await team.waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await room.getByRole('heading', { level: 2 }).textContent(), 'Book the training room');
  assert.deepEqual(await landmarkRules(), []);
  await expectNoAxeViolations(page, 'two named forms of one kind');
  // The heading names the new-item form; each still creates its own item.
  const subject = await createOne(page, team, 'Named');
  assert.equal(await room.locator('[name="subject"]').inputValue(), '');
  assert.ok(subject);
  assert.deepEqual(context.pageErrors, []);
});
