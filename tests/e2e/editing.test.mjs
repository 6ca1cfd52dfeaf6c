// Changes to existing items from the widget's lists, on both mailbox backends (EWS, the default,
// and Microsoft Graph), against the proxy in sandbox mode: an appointment edited (and a concurrent
// change resolved both ways) and deleted, a meeting cancelled and an invitation declined with a
// message, a task completed from the list and deleted after the session was lost. Each test gets
// its own proxy, data directory and browser context.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeSignIn, launchBrowser, newContext, screenshot, startProxy, uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import { CLIENT_SECRET, accessToken } from './sandbox-token.mjs';
import {
  apiFromPage, appointmentForm, fillAppointment, fillTask, formValues, itemEvents, listSection, mailboxAppointments,
  mailboxTasks, submitAndSignIn, taskForm, TEXT,
} from './widget.mjs';

const BACKENDS = [
  { name: 'ews', env: {} },
  { name: 'graph', env: { XF_BACKEND: 'graph' } },
];

/** The live region that says what the last change to an existing item did. */
function outcome(page, text) {
  return page.locator('[id$="-outcome"][role="status"]').filter({ hasText: text });
}

/** The row of `list` naming `subject`. */
function row(list, subject) {
  return list.locator('li').filter({ hasText: subject });
}

/** Confirms the question a row asked (`action`: its button), with `message` if given. */
async function confirm(page, action, subject, message, { scan = false } = {}) {
  const question = page.getByRole('group', { name: `${action} “${subject}”?` });
  await question.waitFor({ timeout: UI_TIMEOUT });
  if (scan) await expectNoAxeViolations(page, `${action} question on a row`);
  if (message !== undefined) await question.locator('textarea').fill(message);
  await question.getByRole('button', { name: action, exact: true }).click();
}

async function startPage(t, backend, path = '', env = {}) {
  const proxy = await startProxy(t, { env: { ...backend.env, ...env } });
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  await page.goto(new URL(path, proxy.url).href);
  return { proxy, context, page };
}

/** Someone else's change to appointment `id`, through the API with its current version. */
async function changeBehindTheForm(page, proxy, id, subject) {
  const path = `api/appointments/${encodeURIComponent(id)}`;
  const { status, body: item } = await apiFromPage(page, proxy.url, path);
  assert.equal(status, 200);
  const draft = {
    subject, start: item.start.slice(0, 16), end: item.end.slice(0, 16), location: item.location, timeZone: 'UTC',
  };
  const changed = await apiFromPage(page, proxy.url, path, {
    method: 'PUT', body: draft, headers: { 'If-Match': `"${item.changeKey}"` },
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
}

for (const backend of BACKENDS) {
  test(`${backend.name}: an appointment is edited, a concurrent change is reloaded or overwritten, and it is deleted`, async (t) => {
    const { proxy, context, page } = await startPage(t, backend);
    const form = appointmentForm(page);
    await form.waitFor({ timeout: UI_TIMEOUT });
    const created = uniqueSubject('Planning');
    await fillAppointment(form, { subject: created, start: wallClock(1, 10), end: wallClock(1, 11), location: 'Room 1', body: 'Agenda' });
    await submitAndSignIn(page, form, { subject: created, user: 'alice' });
    const agenda = listSection(page, TEXT.calendarHeading);

    // Edit: the form is filled from the item, Create becomes Save.
    await row(agenda, created).getByRole('button', { name: 'Edit' }).click();
    await form.getByRole('heading', { name: 'Edit appointment' }).waitFor({ timeout: UI_TIMEOUT });
    const loaded = await formValues(form);
    assert.equal(loaded.subject, created);
    assert.equal(loaded.location, 'Room 1');
    assert.equal(loaded.body, 'Agenda', 'the description comes from the item itself');
    assert.equal(loaded.start, wallClock(1, 10));
    assert.equal(await form.locator('button[type="submit"]').innerText(), 'Save');
    const saved = uniqueSubject('Planning moved');
    await form.locator('[name="subject"]').fill(saved);
    await form.locator('[name="location"]').fill('Room 9');
    await form.locator('[name="end"]').fill(wallClock(1, 12));
    await form.locator('button[type="submit"]').click();
    await outcome(page, `Saved “${saved}”.`).waitFor({ timeout: UI_TIMEOUT });
    assert.equal((await formValues(form)).subject, '', 'a fresh form after saving');
    const stored = (await mailboxAppointments(page, proxy.url)).filter((a) => a.subject === saved);
    assert.equal(stored.length, 1, 'the edited appointment, once');
    assert.equal(stored[0].location, 'Room 9');
    assert.equal(Date.parse(stored[0].end), new Date(wallClock(1, 12)).getTime());
    const updated = await itemEvents(page, 'updated');
    assert.equal(updated.length, 1);
    assert.equal(updated[0].detail.subject, saved);
    const { id } = stored[0];

    // Someone else changes it while the form holds an edit: nothing typed is lost, Reload
    // takes their version.
    await row(agenda, saved).getByRole('button', { name: 'Edit' }).click();
    await form.getByRole('heading', { name: 'Edit appointment' }).waitFor({ timeout: UI_TIMEOUT });
    const mine = uniqueSubject('Mine');
    await form.locator('[name="subject"]').fill(mine);
    const theirs = uniqueSubject('Theirs');
    await changeBehindTheForm(page, proxy, id, theirs);
    await form.locator('button[type="submit"]').click();
    const prompt = page.getByRole('alert').filter({ hasText: 'Someone changed this item' });
    await prompt.waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, `${backend.name}-edit-conflict`);
    if (backend.name === 'ews') await expectNoAxeViolations(page, 'editor with the conflict prompt');
    assert.equal((await formValues(form)).subject, mine, 'the edit is kept until the user chooses');
    await prompt.getByRole('button', { name: /Reload/ }).click();
    await page.waitForFunction((subject) => document.querySelector('[name="subject"]').value === subject, theirs);
    assert.equal(await prompt.count(), 0);

    // Again, and Overwrite saves the form's version over theirs.
    const mineAgain = uniqueSubject('Mine again');
    await form.locator('[name="subject"]').fill(mineAgain);
    await changeBehindTheForm(page, proxy, id, uniqueSubject('Theirs again'));
    await form.locator('button[type="submit"]').click();
    await prompt.getByRole('button', { name: /Overwrite/ }).click();
    await outcome(page, `Saved “${mineAgain}”.`).waitFor({ timeout: UI_TIMEOUT });
    const overwritten = await apiFromPage(page, proxy.url, `api/appointments/${encodeURIComponent(id)}`);
    assert.equal(overwritten.body.subject, mineAgain);

    // Delete, after confirming.
    await row(agenda, mineAgain).getByRole('button', { name: 'Delete' }).click();
    await confirm(page, 'Delete', mineAgain);
    await outcome(page, `Deleted “${mineAgain}”.`).waitFor({ timeout: UI_TIMEOUT });
    await row(agenda, mineAgain).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    assert.deepEqual((await mailboxAppointments(page, proxy.url)).filter((a) => a.id === id), []);
    const deleted = await itemEvents(page, 'deleted');
    assert.deepEqual(deleted.map((e) => e.detail), [{ id, subject: mineAgain }]);
    assert.deepEqual(context.pageErrors, []);
  });

  test(`${backend.name}: a meeting is cancelled and an invitation declined, each with a message; another accepted`, async (t) => {
    const { proxy, context, page } = await startPage(t, backend, '', { XF_AUTH_CLIENT_SECRET: CLIENT_SECRET });
    const form = appointmentForm(page);
    await form.waitFor({ timeout: UI_TIMEOUT });
    const first = uniqueSubject('First');
    await fillAppointment(form, { subject: first, start: wallClock(1, 8), end: wallClock(1, 9) });
    await submitAndSignIn(page, form, { subject: first, user: 'alice' });

    // Alice organises a meeting with Bob; Bob invites Alice to his (straight at the sandbox's Graph).
    const organised = uniqueSubject('Alice meets Bob');
    const meeting = await apiFromPage(page, proxy.url, 'api/appointments', {
      method: 'POST',
      headers: { 'Idempotency-Key': crypto.randomUUID() },
      body: { subject: organised, start: wallClock(2, 9), end: wallClock(2, 10), timeZone: 'UTC', requiredAttendees: ['bob@sandbox.test'] },
    });
    assert.equal(meeting.status, 201, JSON.stringify(meeting.body));
    const bob = await accessToken(proxy, 'bob');
    const graph = (path, init = {}) => fetch(new URL(`sandbox/graph/v1.0${path}`, proxy.url), {
      ...init, headers: { Authorization: `Bearer ${bob}`, 'Content-Type': 'application/json' },
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const invite = async (subject, day) => {
      const start = new Date(wallClock(day, 14)).toISOString().slice(0, 19);
      const end = new Date(wallClock(day, 15)).toISOString().slice(0, 19);
      const created = await graph('/me/events', {
        method: 'POST',
        body: JSON.stringify({
          subject, start: { dateTime: start, timeZone: 'UTC' }, end: { dateTime: end, timeZone: 'UTC' },
          attendees: [{ emailAddress: { address: 'alice@sandbox.test' }, type: 'required' }],
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created;
    };
    const invitation = uniqueSubject('Bob invites Alice');
    const bobs = await invite(invitation, 3);
    const welcome = uniqueSubject('Bob welcomes Alice');
    await invite(welcome, 4);

    await page.reload();
    const agenda = listSection(page, TEXT.calendarHeading);
    const invited = row(agenda, invitation);
    await invited.getByText('Not answered yet').waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await row(agenda, organised).getByRole('button', { name: 'Accept' }).count(), 0, 'no answers to one\'s own meeting');
    await screenshot(page, `${backend.name}-agenda-invitation`);

    // Decline with a message: the organiser's copy records it; a declined meeting leaves the calendar.
    await invited.getByRole('button', { name: 'Decline' }).click();
    await confirm(page, 'Decline', invitation, 'On leave that week.', { scan: backend.name === 'ews' });
    await outcome(page, `You declined “${invitation}”.`).waitFor({ timeout: UI_TIMEOUT });
    await invited.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const responded = await itemEvents(page, 'responded');
    assert.equal(responded.length, 1);
    assert.equal(responded[0].detail.reply, 'decline');
    assert.equal(responded[0].detail.message, 'On leave that week.');
    const organiserCopy = await graph(`/me/events/${encodeURIComponent(bobs.body.id)}`);
    const alice = organiserCopy.body.attendees.find((a) => a.emailAddress.address === 'alice@sandbox.test');
    assert.equal(alice.status.response, 'declined');

    // Accept without a message: the list shows the answer.
    await row(agenda, welcome).getByRole('button', { name: 'Accept' }).click();
    await confirm(page, 'Accept', welcome, '');
    await outcome(page, `You accepted “${welcome}”.`).waitFor({ timeout: UI_TIMEOUT });
    await row(agenda, welcome).getByText('Accepted').waitFor({ timeout: UI_TIMEOUT });

    // Cancel the meeting Alice organises, with a message: gone from her calendar, cancelled in Bob's.
    await row(agenda, organised).getByRole('button', { name: 'Cancel meeting' }).click();
    await confirm(page, 'Cancel meeting', organised, 'Moved to next month.');
    await outcome(page, `Cancelled for everyone “${organised}”.`).waitFor({ timeout: UI_TIMEOUT });
    await row(agenda, organised).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const cancelled = await itemEvents(page, 'cancelled');
    assert.deepEqual(cancelled.map((e) => e.detail.message), ['Moved to next month.']);
    assert.deepEqual((await mailboxAppointments(page, proxy.url)).filter((a) => a.subject === organised), []);
    const bobsCalendar = await graph('/me/events');
    // Exchange marks the attendee's copy cancelled and names it so ("Canceled: …").
    const bobsCopy = bobsCalendar.body.value.find((e) => e.subject.endsWith(organised));
    assert.ok(bobsCopy, `Bob's copy of the meeting: ${JSON.stringify(bobsCalendar.body)}`);
    assert.equal(bobsCopy.isCancelled, true, 'the attendee sees the cancellation');
    assert.deepEqual(context.pageErrors, []);
  });

  test(`${backend.name}: a task is completed from the list, the list filters and sorts, a task is deleted after signing in again`, async (t) => {
    const { proxy, context, page } = await startPage(t, backend, '?kind=task');
    const form = taskForm(page);
    await form.waitFor({ timeout: UI_TIMEOUT });
    const sooner = uniqueSubject('Due sooner');
    await fillTask(form, { subject: sooner, dueDate: wallClock(2, 0).slice(0, 10) });
    await submitAndSignIn(page, form, { subject: sooner, user: 'alice' });
    const later = uniqueSubject('Due later');
    await fillTask(form, { subject: later, dueDate: wallClock(6, 0).slice(0, 10), status: 'InProgress', body: 'Keep this description.' });
    await submitAndSignIn(page, form, { subject: later, user: 'alice' });
    const tasks = listSection(page, TEXT.tasksHeading);
    const firstRowNames = (subject) => document.querySelector('[aria-labelledby$="-tasks-heading"] li')?.innerText.includes(subject);
    await page.waitForFunction(firstRowNames, later);
    await tasks.getByLabel('Sort by').selectOption('due');
    await page.waitForFunction(firstRowNames, sooner);

    // Mark complete: the whole task stays as it was (its description too), completed.
    await row(tasks, later).getByRole('button', { name: 'Mark complete' }).click();
    await outcome(page, `Completed “${later}”.`).waitFor({ timeout: UI_TIMEOUT });
    await row(tasks, later).getByText('Completed').waitFor({ timeout: UI_TIMEOUT });
    const done = (await mailboxTasks(page, proxy.url)).find((x) => x.subject === later);
    const read = await apiFromPage(page, proxy.url, `api/tasks/${encodeURIComponent(done.id)}`);
    assert.equal(read.body.status, 'Completed');
    assert.equal(read.body.percentComplete, 100);
    assert.equal(read.body.body.trim(), 'Keep this description.');
    await tasks.getByLabel('Show').selectOption('open');
    await row(tasks, later).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    assert.equal(await row(tasks, sooner).count(), 1, 'open tasks stay listed');

    // The session is gone (expired, revoked): Delete signs in first, then deletes, once.
    await page.evaluate(() => {
      for (const key of Object.keys(localStorage)) if (key.startsWith('exchange-forms:session:')) localStorage.removeItem(key);
    });
    await row(tasks, sooner).getByRole('button', { name: 'Delete' }).click();
    const popup = context.waitForEvent('page', { timeout: UI_TIMEOUT });
    await confirm(page, 'Delete', sooner);
    await completeSignIn(await popup, { user: 'alice' });
    await outcome(page, `Deleted “${sooner}”.`).waitFor({ timeout: UI_TIMEOUT });
    assert.deepEqual((await mailboxTasks(page, proxy.url)).map((x) => x.subject), [later]);
    assert.equal((await itemEvents(page, 'deleted')).length, 1, 'deleted exactly once');
    assert.deepEqual(context.pageErrors, []);
  });
}
