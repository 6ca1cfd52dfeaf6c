// The host page's handle on a form (the element's methods and mount()'s handle): prefilled,
// read-only and hidden fields by their model field names, getValues/setValues/destroy, and
// the events on the host element, in the order a sign-in and a create produce them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newContext, startProxy, uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { hostPage, serveHostPages } from './host-page.mjs';
import { appointmentForm, mailboxAppointments, submitAndSignIn, taskForm } from './widget.mjs';

// Records every event of the element, in order, as `window.seen`.
const RECORD_EVENTS = `<script>
  window.seen = [];
  for (const name of ['created', 'error', 'authorization-required', 'authorized']) {
    document.getElementById('widget').addEventListener('exchange-form:' + name,
      (event) => window.seen.push({ type: event.type, detail: event.detail }));
  }
</script>`;

async function openPage(t, pages) {
  const proxy = await startProxy(t);
  const url = await serveHostPages(t, pages(proxy.url));
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  await page.goto(url);
  return { proxy, page, context };
}

test('the element prefills, locks and hides fields, fills them on request and reports each step', async (t) => {
  const subject = uniqueSubject('Prefilled');
  const start = wallClock(9, 14);
  const values = JSON.stringify({ subject, start, durationMinutes: 45, location: 'Room 7' });
  const { proxy, page } = await openPage(t, (proxyUrl) => ({
    '/': hostPage(proxyUrl, `<exchange-form id="widget" kind="appointment" values='${values}'
      read-only-fields="subject" hidden-fields="location, body" time-zone="Europe/Paris"></exchange-form>${RECORD_EVENTS}`),
  }));
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  const widget = page.locator('#widget');
  const call = (method, ...args) => widget.evaluate(async (el, [m, a]) => {
    await el.mounted;
    try { return { ok: el[m](...a) ?? null }; } catch (e) { return { error: e.message }; }
  }, [method, args]);

  const end = start.replace(/T14:00$/, 'T14:45');
  assert.deepEqual((await call('getValues')).ok, { subject, start, end, location: 'Room 7', body: '', timeZone: 'Europe/Paris' });
  assert.ok(await form.locator('[name="subject"]').isDisabled(), 'read-only field');
  assert.equal(await form.locator('[name="location"], [name="body"]').count(), 0, 'hidden fields');

  const refused = await call('setValues', { subject: 'x', nope: 1 });
  assert.match(refused.error ?? '', /unknown field `nope`/);
  assert.match((await call('setValues', { dueDate: '2030-01-01' })).error ?? '', /unknown field `dueDate`/);
  assert.match((await call('setValues', { start: 7 })).error ?? '', /invalid type/);
  // null empties only what may be empty: a text field refuses it rather than turning blank.
  assert.match((await call('setValues', { location: null })).error ?? '', /location: invalid type: unit value, expected a string/);
  assert.match((await call('setValues', { allDay: null })).error ?? '', /expected a boolean/);
  assert.equal((await call('getValues')).ok.subject, subject, 'a refused setValues changes nothing');

  const changed = `${subject} (moved)`;
  const later = wallClock(10, 9);
  const read = await widget.evaluate((el, v) => { el.setValues(v); return el.getValues(); }, { subject: changed, start: later, durationMinutes: 30 });
  assert.equal(read.subject, changed, 'getValues right after setValues reads the new values');
  await page.waitForFunction((v) => document.querySelector('#widget').shadowRoot.querySelector('[name="subject"]').value === v,
    changed, { timeout: UI_TIMEOUT });
  assert.equal(await form.locator('[name="start"]').inputValue(), later);
  assert.equal(await form.locator('[name="end"]').inputValue(), later.replace(/T09:00$/, 'T09:30'));

  const popup = await submitAndSignIn(page, form, { subject: changed });
  assert.ok(popup);
  const seen = await page.evaluate(() => window.seen);
  assert.deepEqual(seen.map((e) => e.type), [
    'exchange-form:authorization-required', 'exchange-form:authorized', 'exchange-form:created',
  ]);
  assert.deepEqual(seen[0].detail, { mode: 'popup' });
  assert.equal(typeof seen[1].detail.user, 'string');
  assert.equal(seen[2].detail.subject, changed);
  const stored = (await mailboxAppointments(page, proxy.url)).filter((a) => a.subject === changed);
  assert.equal(stored.length, 1);
  assert.equal(stored[0].location, 'Room 7', 'the hidden prefilled field was sent');
  assert.equal((await call('getValues')).ok.subject, subject, 'the next form starts from the prefilled values');

  // The proxy refuses a field: its code and message reach the host page.
  await widget.evaluate((el) => el.setValues({ timeZone: 'Mars/Olympus_Mons' }));
  await form.locator('button[type="submit"]').click();
  await form.locator('[role="alert"]').first().waitFor({ timeout: UI_TIMEOUT });
  const refusedByProxy = (await page.evaluate(() => window.seen)).filter((e) => e.type === 'exchange-form:error');
  assert.equal(refusedByProxy.length, 1);
  assert.equal(refusedByProxy[0].detail.error, 'validation_failed');
  assert.deepEqual(Object.keys(refusedByProxy[0].detail.fields), ['timeZone']);
  await widget.evaluate((el) => el.setValues({ timeZone: 'Europe/Paris' }));

  // An API failure: the proxy is gone.
  await proxy.stop();
  await form.locator('button[type="submit"]').click();
  const alert = form.locator('[role="alert"]').first();
  await alert.waitFor({ timeout: UI_TIMEOUT });
  const error = (await page.evaluate(() => window.seen)).findLast((e) => e.type === 'exchange-form:error');
  assert.equal(error?.detail.error, 'network_error');
  assert.ok((await alert.innerText()).includes(error.detail.message), `${error.detail.message} is what the form says`);

  await widget.evaluate((el) => el.destroy());
  assert.equal(await form.count(), 0, 'destroy() removes the form');
  assert.match((await call('getValues')).error ?? '', /not mounted/);
});

test('mount() returns a handle with the same methods, and bad options name the bad field', async (t) => {
  const { page, context } = await openPage(t, (proxyUrl) => ({
    '/': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mount</title>
<link rel="stylesheet" href="${proxyUrl}www/exchange-forms.css"></head><body><main><div id="slot"></div></main>
<script type="module">
  import init, { mount } from '${proxyUrl}pkg/exchange_forms.js';
  await init();
  const options = { proxy: '${proxyUrl}', kind: 'task', values: { subject: 'Buy milk', dueDate: '2030-05-06' },
    readOnly: ['status'], hidden: ['body'] };
  window.handle = mount(document.getElementById('slot'), options);
  for (const bad of [{ readOnly: ['nope'] }, { hidden: 'body' }, { values: { subjet: 'x' } }, { durationMinutes: 5 }]) {
    try { mount(document.createElement('div'), { proxy: '${proxyUrl}', kind: 'task', ...bad }); }
    catch (error) { (window.refused ??= []).push(error.message); }
  }
</script></body></html>`,
  }));
  const form = taskForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  const values = await page.evaluate(() => window.handle.getValues());
  assert.equal(values.subject, 'Buy milk');
  assert.equal(values.dueDate, '2030-05-06');
  assert.ok(await form.locator('[name="status"]').isDisabled());
  assert.equal(await form.locator('[name="body"]').count(), 0);
  const refused = await page.evaluate(() => window.refused);
  assert.equal(refused.length, 4, `every bad option throws: ${refused}`);
  assert.match(refused[0], /readOnly: unknown field name `nope`/);
  assert.match(refused[1], /hidden must be a list of field names/);
  assert.match(refused[2], /values: unknown field `subjet`/);
  assert.match(refused[3], /unknown field `durationMinutes`, expected one of `proxy`/);

  await page.evaluate(() => window.handle.setValues({ subject: 'Buy bread', status: 'InProgress' }));
  assert.equal(await form.locator('[name="subject"]').inputValue(), 'Buy bread');
  assert.equal(await form.locator('[name="status"]').inputValue(), 'InProgress');
  const thrown = await page.evaluate(() => { try { window.handle.setValues({ start: 'x' }); } catch (e) { return e.message; } });
  assert.match(thrown, /unknown field `start`/);
  await page.evaluate(() => window.handle.destroy());
  assert.equal(await form.count(), 0);
  assert.equal(await page.evaluate(() => window.handle.destroyed), true);
  assert.deepEqual(context.pageErrors, []);
});
