// Meetings with people and rooms, end to end on both mailbox backends (EWS and Graph): attendees
// picked from the directory through the combobox (keyboard only) or typed, a room picked from a
// room list with its free/busy at the chosen time (and a warning before a busy one is booked),
// the user's own busy times shown while choosing, "Find a time", and the weekly meeting read
// back from the sandbox mailbox.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import { apiFromPage, createdEvents, openAppointmentForm, submitAndSignIn } from './widget.mjs';

const BACKENDS = [
  { name: 'ews', env: {} },
  { name: 'graph', env: { XF_BACKEND: 'graph' } },
];

/** Signs in by creating a first appointment at `start`–`end` (the user's own busy time). */
async function signInWithAppointment(page, form, { subject, start, end }) {
  await form.locator('[name="subject"]').fill(subject);
  await form.locator('[name="start"]').fill(start);
  await form.locator('[name="end"]').fill(end);
  await submitAndSignIn(page, form, { subject, user: 'alice' });
}

/** Moves the combobox's active option down with the arrow key until it is `option`. */
async function activate(page, combobox, option) {
  const id = await option.getAttribute('id');
  for (let presses = 0; presses < 20; presses += 1) {
    if (await combobox.getAttribute('aria-activedescendant') === id) {
      assert.equal(await option.getAttribute('aria-selected'), 'true');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`the arrow keys never reached option ${id}`);
}

/** The browser's own IANA zone, as the widget sends it. */
function browserZone(page) {
  return page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
}

for (const backend of BACKENDS) {
  test(`${backend.name}: a weekly meeting with a picked and a typed attendee and a free room is created and read back`, async (t) => {
    const { proxy, context, page, form } = await openAppointmentForm(t, { env: backend.env });

    // Signed out, the room picker says why it cannot list rooms.
    await form.getByText('Sign in (create an item) to search the directory and book rooms.').waitFor({ timeout: UI_TIMEOUT });
    const [start, end] = [wallClock(5, 10), wallClock(5, 11)];
    const dentist = uniqueSubject('Dentist');
    await signInWithAppointment(page, form, { subject: dentist, start, end });

    // Room 4.12 is taken at that time (booked by a meeting of its own).
    const booked = await apiFromPage(page, proxy.url, 'api/appointments', {
      method: 'POST',
      headers: { 'Idempotency-Key': randomUUID() },
      body: { subject: uniqueSubject('Room taken'), start, end, timeZone: await browserZone(page), rooms: ['room-412@sandbox.test'] },
    });
    assert.equal(booked.status, 201, JSON.stringify(booked.body));

    const subject = uniqueSubject('Weekly planning');
    await form.locator('[name="subject"]').fill(subject);
    await form.locator('[name="start"]').fill(start);
    await form.locator('[name="end"]').fill(end);

    // The user's own appointment at that time is named while choosing it.
    const conflicts = form.locator('.xf-conflicts[role="status"]');
    await conflicts.filter({ hasText: dentist }).waitFor({ timeout: UI_TIMEOUT });
    assert.match(await conflicts.innerText(), /You already have at this time:/);

    // Required attendee picked from the directory, keyboard only.
    const required = form.getByRole('combobox', { name: 'Required attendees' });
    await required.focus();
    await page.keyboard.type('bo');
    const bob = form.getByRole('option', { name: 'Bob Sandbox <bob@sandbox.test>' });
    await bob.waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await required.getAttribute('aria-expanded'), 'true');
    const listboxId = await required.getAttribute('aria-controls');
    assert.equal(await form.locator(`[id="${listboxId}"]`).getAttribute('role'), 'listbox');
    assert.equal(await required.getAttribute('aria-activedescendant'), null);
    await page.keyboard.press('ArrowDown');
    const options = form.locator(`[id="${listboxId}"]`).getByRole('option');
    assert.equal(await required.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'));
    assert.equal(await options.first().getAttribute('aria-selected'), 'true');
    await activate(page, required, bob);
    if (backend.name === BACKENDS[0].name) await expectNoAxeViolations(page, 'attendee combobox open with an option active');
    await page.keyboard.press('Enter');
    const requiredChips = form.getByRole('list', { name: 'Required attendees' });
    await requiredChips.getByText('bob@sandbox.test').waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await required.inputValue(), '');
    assert.equal(await required.getAttribute('aria-expanded'), 'false');

    // A second one, removed again with Backspace on the empty input.
    await page.keyboard.type('dave');
    const dave = form.getByRole('option', { name: /dave@sandbox\.test/ });
    await dave.waitFor({ timeout: UI_TIMEOUT });
    await activate(page, required, dave);
    await page.keyboard.press('Enter');
    await requiredChips.getByText('dave@sandbox.test').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('Backspace');
    await requiredChips.getByText('dave@sandbox.test').waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    // Something that is not an address is refused, on its field.
    await page.keyboard.type('not-an-address');
    await page.keyboard.press('Enter');
    await form.getByText('\'not-an-address\' is not an e-mail address.').waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await required.getAttribute('aria-invalid'), 'true');
    await required.fill('');

    // A typed address, then removed with its remove button reached by Shift+Tab.
    await required.focus();
    await page.keyboard.type('erin@example.org');
    await page.keyboard.press('Enter');
    await requiredChips.getByText('erin@example.org').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Remove erin@example.org');
    await page.keyboard.press('Enter');
    await requiredChips.getByText('erin@example.org').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    // The focus goes back to the input.
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'combobox', null, { timeout: UI_TIMEOUT });

    // Optional attendee typed in full (Enter takes it).
    const optional = form.getByRole('combobox', { name: 'Optional attendees' });
    await optional.focus();
    await page.keyboard.type('carol@sandbox.test');
    await page.keyboard.press('Enter');
    await form.getByRole('list', { name: 'Optional attendees' }).getByText('carol@sandbox.test').waitFor({ timeout: UI_TIMEOUT });

    // Rooms: a list, then its rooms with their free/busy at the chosen time.
    await form.getByLabel('Room list').selectOption({ label: 'Paris office' });
    const busyRoom = form.getByRole('button', { name: 'Room 4.12 (Busy)' });
    const freeRoom = form.getByRole('button', { name: 'Salle Eiffel (Free)' });
    await busyRoom.waitFor({ timeout: UI_TIMEOUT });
    await freeRoom.waitFor({ timeout: UI_TIMEOUT });
    if (backend.name === BACKENDS[0].name) await expectNoAxeViolations(page, 'room picker with free/busy');

    // The busy room is not booked without asking; the user picks another.
    await busyRoom.click();
    const warning = form.getByRole('alert').filter({ hasText: 'Room 4.12 is already booked at this time.' });
    await warning.waitFor({ timeout: UI_TIMEOUT });
    if (backend.name === BACKENDS[0].name) await expectNoAxeViolations(page, 'busy room warning');
    await warning.getByRole('button', { name: 'Choose another room' }).click();
    await warning.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const roomChips = form.getByRole('list', { name: 'Rooms' });
    assert.equal(await roomChips.getByText('room-412@sandbox.test').count(), 0);
    await freeRoom.click();
    await roomChips.getByText('eiffel@sandbox.test').waitFor({ timeout: UI_TIMEOUT });

    // Find a time: the user is busy at 10:00 (the dentist), so the first time everyone is free
    // is 11:00; choosing it moves the meeting and keeps its hour.
    await form.getByRole('button', { name: 'Find a time' }).click();
    const suggestions = form.getByRole('list', { name: 'Times when everyone is free' });
    await suggestions.waitFor({ timeout: UI_TIMEOUT });
    await suggestions.getByRole('button').first().click();
    assert.equal(await form.locator('[name="start"]').inputValue(), wallClock(5, 11));
    assert.equal(await form.locator('[name="end"]').inputValue(), wallClock(5, 12));
    await conflicts.filter({ hasText: dentist }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    await form.getByLabel('Repeat').selectOption({ label: 'Weekly' });
    await form.getByLabel('Ends').selectOption({ label: 'After a number of times' });
    await form.getByLabel('Number of times').fill('4');

    await submitAndSignIn(page, form, { subject });
    const events = await createdEvents(page);
    const event = events.find((e) => e.detail?.subject === subject);
    assert.ok(event?.detail?.id, 'the created meeting was announced with its id');

    const { status, body } = await apiFromPage(page, proxy.url, `api/appointments/${encodeURIComponent(event.detail.id)}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.subject, subject);
    assert.equal(body.recurrence.pattern.weekly.interval, 1);
    assert.deepEqual(body.recurrence.end, { count: { count: 4 } });
    assert.deepEqual(body.requiredAttendees.map((a) => a.email), ['bob@sandbox.test']);
    assert.deepEqual(body.optionalAttendees.map((a) => a.email), ['carol@sandbox.test']);
    assert.deepEqual(body.rooms.map((a) => a.email), ['eiffel@sandbox.test']);
    assert.equal((new Date(body.end) - new Date(body.start)) / 60_000, 60);
    assert.deepEqual(context.pageErrors, []);
  });
}

test('an older directory answer that arrives late does not replace the newer one', async (t) => {
  const { page, form } = await openAppointmentForm(t);
  await signInWithAppointment(page, form, { subject: uniqueSubject('Sign-in'), start: wallClock(6, 9), end: wallClock(6, 10) });

  // The answer for "bo" is held back until the answer for "car" has been shown.
  let releaseBob;
  const bobHeld = new Promise((resolve) => { releaseBob = resolve; });
  let asked = 0;
  await page.route('**/api/people?q=bo', async (route) => {
    asked += 1;
    await bobHeld;
    await route.continue();
  });
  const required = form.getByRole('combobox', { name: 'Required attendees' });
  await required.focus();
  await page.keyboard.type('bo');
  const deadline = Date.now() + UI_TIMEOUT;
  while (asked === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(asked, 1, 'the directory was asked for "bo"');
  await required.fill('');
  await page.keyboard.type('car');
  await form.getByRole('option', { name: /carol@sandbox\.test/ }).waitFor({ timeout: UI_TIMEOUT });
  releaseBob();
  await page.waitForResponse((r) => r.url().includes('/api/people?q=bo'));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await form.getByRole('option', { name: /bob@sandbox\.test/ }).count(), 0);
  assert.equal(await form.getByRole('option', { name: /carol@sandbox\.test/ }).count(), 1);
});

test('a meeting opened for editing does not find its own room booked or its own time taken', async (t) => {
  const { proxy, page, form } = await openAppointmentForm(t);
  await signInWithAppointment(page, form, { subject: uniqueSubject('Sign-in'), start: wallClock(6, 8), end: wallClock(6, 9) });
  const [start, end] = [wallClock(6, 14), wallClock(6, 15)];
  const subject = uniqueSubject('Room of its own');
  const made = await apiFromPage(page, proxy.url, 'api/appointments', {
    method: 'POST',
    headers: { 'Idempotency-Key': randomUUID() },
    body: { subject, start, end, timeZone: await browserZone(page), rooms: ['room-412@sandbox.test'] },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));

  const roomChips = form.getByRole('list', { name: 'Rooms' });
  await page.reload();
  await form.waitFor({ timeout: UI_TIMEOUT });

  // Opened for editing, its own booking counts for nothing: the room is free at its time.
  const agenda = page.locator('section, [role="region"]').filter({ has: page.getByRole('heading', { name: 'Upcoming appointments' }) }).first();
  await agenda.locator('li').filter({ hasText: subject }).getByRole('button', { name: 'Edit' }).click();
  await form.getByRole('heading', { name: 'Edit appointment' }).waitFor({ timeout: UI_TIMEOUT });
  const chip = roomChips.locator('li').filter({ hasText: 'room-412@sandbox.test' });
  await chip.filter({ hasText: '(Free)' }).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await form.locator('.xf-conflicts').innerText(), '', 'no conflict with itself');

  // Find a time, searching from the meeting's start, proposes that very time first: neither
  // the user's calendar nor the room counts the meeting against itself.
  await form.getByRole('button', { name: 'Find a time' }).click();
  const suggestions = form.getByRole('list', { name: 'Times when everyone is free' });
  await suggestions.waitFor({ timeout: UI_TIMEOUT });
  await suggestions.getByRole('button').first().click();
  assert.equal(await form.locator('[name="start"]').inputValue(), start);
  assert.equal(await form.locator('[name="end"]').inputValue(), end);
});
