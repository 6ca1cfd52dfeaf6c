// Issue 2's end-to-end proof: the widget on the standalone page (index.html) and embedded in the
// demo host page (www/demo.html), against the proxy in sandbox mode (EWS sandbox mailbox, built-in
// development sign-in). Each test gets its own proxy, data directory and browser context.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, newContext, recordApiRequests, screenshot, startProxy, uniqueSubject, wallClock, UI_TIMEOUT,
} from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import { fillCalendar, signInWithTemplate } from './sandbox-store.mjs';
import {
  appointmentForm, createdEvents, fillAppointment, fillTask, formValues, listSection, mailboxAppointments,
  mailboxTasks, submitAndSignIn, taskForm, TEXT,
} from './widget.mjs';

// The proxy's mailbox backend: EWS (default) or Microsoft Graph, both against the sandbox's
// front ends over one store; and EWS in service-account mode, where the proxy signs in to the
// sandbox with NTLM as an account holding the impersonation right and acts for the signed-in
// user (listing through the proxy then shows what is in that user's own mailbox).
const SERVICE_ACCOUNT = {
  XF_EWS_AUTH: 'ntlm',
  XF_EWS_SERVICE_ACCOUNT_USERNAME: 'SANDBOX\\svc-forms',
  XF_EWS_SERVICE_ACCOUNT_PASSWORD: 'e2e-service-password',
  XF_SANDBOX_SERVICE_ACCOUNTS: 'SANDBOX\\svc-forms:e2e-service-password',
  XF_SANDBOX_IMPERSONATORS: 'SANDBOX\\svc-forms',
};
const PAGES = [
  { name: 'index', path: '', appointment: '', task: '?kind=task', env: {} },
  { name: 'demo', path: 'www/demo.html', appointment: '', task: '', env: {} },
  { name: 'index-graph', path: '', appointment: '', task: '?kind=task', env: { XF_BACKEND: 'graph' } },
  { name: 'index-service-account', path: '', appointment: '', task: '?kind=task', env: SERVICE_ACCOUNT },
];

for (const host of PAGES) {
  test(`${host.name}: an appointment is created, confirmed, announced to the host and listed after a reload`, async (t) => {
    const proxy = await startProxy(t, { env: host.env });
    const browser = await launchBrowser(t);
    const context = await newContext(browser, t);
    const page = await context.newPage();
    await page.goto(new URL(host.path + host.appointment, proxy.url).href);

    const form = appointmentForm(page);
    await form.waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, `${host.name}-appointment-empty`);
    if (host.name === 'index' || host.name === 'demo') await expectNoAxeViolations(page, `${host.name}: empty appointment form`);
    const subject = uniqueSubject('Design review');
    const appointment = {
      subject, start: wallClock(2, 10), end: wallClock(2, 11, 30), location: 'Room 4.12', body: 'Agenda: the widget.',
    };
    await fillAppointment(form, appointment);
    await submitAndSignIn(page, form, { subject, user: 'alice' });
    await screenshot(page, `${host.name}-appointment-created`);
    if (host.name === 'index') await expectNoAxeViolations(page, `${host.name}: appointment created`);

    // The host page heard about it, with the created item as detail.
    const events = await createdEvents(page);
    assert.equal(events.length, 1, `one exchange-form:created event, got ${JSON.stringify(events)}`);
    assert.equal(events[0].detail.subject, subject);
    assert.equal(events[0].detail.location, appointment.location);
    assert.equal(events[0].detail.body, appointment.body);
    assert.ok(events[0].detail.id, 'the event detail carries the EWS item id');
    if (host.name === 'demo') {
      await page.locator('#host-log').filter({ hasText: subject }).waitFor({ timeout: UI_TIMEOUT });
    }

    // After a reload the calendar view (FindItem CalendarView through the proxy) lists it.
    await page.reload();
    await listSection(page, TEXT.calendarHeading).getByText(subject).waitFor({ timeout: UI_TIMEOUT });
    const stored = (await mailboxAppointments(page, proxy.url)).filter((a) => a.subject === subject);
    assert.equal(stored.length, 1, 'exactly one appointment in the mailbox');
    // FindItem returns no body (EWS sends it only through GetItem), so the list has none.
    assert.equal(stored[0].location, appointment.location);
    assert.equal(stored[0].id, events[0].detail.id, 'the listed item is the created one');
    assert.deepEqual(context.pageErrors, []);
  });

  test(`${host.name}: a task is created, confirmed, announced to the host and listed after a reload`, async (t) => {
    const proxy = await startProxy(t, { env: host.env });
    const browser = await launchBrowser(t);
    const context = await newContext(browser, t);
    const page = await context.newPage();
    await page.goto(new URL(host.path + host.task, proxy.url).href);

    const form = taskForm(page);
    await form.waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, `${host.name}-task-empty`);
    if (host.name === 'index' || host.name === 'demo') await expectNoAxeViolations(page, `${host.name}: empty task form`);
    const subject = uniqueSubject('File the report');
    const task = { subject, dueDate: wallClock(5, 0).slice(0, 10), status: 'InProgress', body: 'Quarterly numbers.' };
    await fillTask(form, task);
    await submitAndSignIn(page, form, { subject, user: 'alice' });
    await screenshot(page, `${host.name}-task-created`);

    const events = await createdEvents(page);
    assert.equal(events.length, 1, `one exchange-form:created event, got ${JSON.stringify(events)}`);
    assert.equal(events[0].detail.subject, subject);
    assert.equal(events[0].detail.status, 'InProgress');
    if (host.name === 'demo') {
      await page.locator('#host-log').filter({ hasText: subject }).waitFor({ timeout: UI_TIMEOUT });
    }

    await page.reload();
    await listSection(page, TEXT.tasksHeading).getByText(subject).waitFor({ timeout: UI_TIMEOUT });
    const stored = (await mailboxTasks(page, proxy.url)).filter((x) => x.subject === subject);
    assert.equal(stored.length, 1, 'exactly one task in the mailbox');
    assert.equal(stored[0].status, 'InProgress');
    assert.equal(stored[0].dueDate, task.dueDate);
    assert.deepEqual(context.pageErrors, []);
  });
}

test('an appointment ending before it starts shows an inline error and sends nothing', async (t) => {
  const proxy = await startProxy(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  const requests = recordApiRequests(page);
  await page.goto(proxy.url);
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  // Let the widget's start-up requests (authorization status, lists) finish first.
  await page.waitForLoadState('networkidle');

  const subject = uniqueSubject('Backwards');
  await fillAppointment(form, { subject, start: wallClock(3, 15), end: wallClock(3, 14), location: 'Nowhere' });
  const before = requests.length;
  await form.locator('button[type="submit"]').click();

  const end = form.locator('[name="end"]');
  await form.locator('[name="end"][aria-invalid="true"]').waitFor({ timeout: UI_TIMEOUT });
  const describedBy = await end.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the end field points at its error message (aria-describedby)');
  const message = await page.locator(`[id="${describedBy.split(/\s+/)[0]}"]`).innerText();
  assert.match(message, /\S/, 'the inline error has a text');
  // The field to correct takes the focus (a keyboard user lands on it, its error is read out).
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'end', null, { timeout: UI_TIMEOUT });
  await screenshot(page, 'index-appointment-invalid');
  await expectNoAxeViolations(page, 'inline validation error');

  // Give a wrongly sent request time to show up before asserting there was none.
  await page.waitForLoadState('networkidle');
  assert.deepEqual(requests.slice(before), [], 'no request reached the API');
  assert.deepEqual(await createdEvents(page), []);
  const values = await formValues(form);
  assert.equal(values.subject, subject, 'the input is kept');
});

test('a week holding more appointments than one page shows "More…" and pages through them', async (t) => {
  const proxy = await startProxy(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  await page.goto(proxy.url);
  const templateId = await signInWithTemplate(page, proxy);
  // 120 appointments in the next days: more than one page (50) of the agenda.
  assert.equal(fillCalendar(proxy.dataDir, templateId, 120), 120);

  await page.reload();
  const agenda = listSection(page, TEXT.calendarHeading);
  const rows = agenda.locator('li');
  const more = agenda.getByRole('button', { name: TEXT.more });
  await more.waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await rows.count(), 50, 'one page of rows');
  const seen = new Set(await rows.allInnerTexts());
  // Each "More…" replaces the rows with the next page.
  // Functions, not strings: the page's CSP (rightly) forbids evaluating strings.
  const firstRowIsNot = (text) => [...document.querySelector('[aria-labelledby$="-calendar-heading"]').querySelectorAll('li')]
    .map((li) => li.innerText)[0] !== text;
  const rowCountIs = (n) => document.querySelector('[aria-labelledby$="-calendar-heading"]').querySelectorAll('li').length === n;
  const firstRow = await rows.first().innerText();
  await more.click();
  await agenda.getByRole('button', { name: TEXT.back }).waitFor({ timeout: UI_TIMEOUT });
  await page.waitForFunction(firstRowIsNot, firstRow);
  const second = await rows.allInnerTexts();
  assert.equal(second.length, 50);
  for (const text of second) assert.ok(!seen.has(text), `"${text}" was on the first page`);
  await more.click();
  await page.waitForFunction(rowCountIs, 20);
  assert.equal(await more.count(), 0, 'nothing follows the last page');
  await screenshot(page, 'index-agenda-last-page');
  await expectNoAxeViolations(page, 'agenda with items');

  // The whole week through the JSON API: every appointment once, in start order.
  const listed = await mailboxAppointments(page, proxy.url);
  assert.equal(listed.length, 120);
  assert.equal(new Set(listed.map((a) => a.id)).size, 120);
  assert.deepEqual(context.pageErrors, []);
});
