// What the user typed survives: a reload, a refused submit and a sign-in that was cancelled all
// leave the draft in the form, in both forms; once the item is created the form is empty, also
// after a reload.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newContext, startProxy, uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { appointmentForm, fillAppointment, fillTask, formValues, submitAndSignIn, taskForm } from './widget.mjs';

async function reloaded(page, formOf) {
  await page.reload();
  const form = formOf(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  await page.waitForLoadState('networkidle');
  return form;
}

test('a draft is restored after a reload, a refused submit and a cancelled sign-in, and cleared once created', async (t) => {
  const proxy = await startProxy(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  await page.goto(proxy.url);
  let form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  await page.waitForLoadState('networkidle');

  const subject = uniqueSubject('Half-typed');
  // Ends before it starts: the submit is refused with an inline error.
  await fillAppointment(form, { subject, start: wallClock(2, 11), end: wallClock(2, 10), location: 'Annex', body: 'Agenda: budget' });
  await form.getByLabel('Repeat').selectOption({ label: 'Weekly' });
  await form.locator('button[type="submit"]').click();
  await form.locator('[name="end"][aria-invalid="true"]').waitFor({ timeout: UI_TIMEOUT });
  const typed = await formValues(form);

  form = await reloaded(page, appointmentForm);
  assert.deepEqual(await formValues(form), typed, 'every field as typed, after a reload');

  // A sign-in the user cancels (denies) keeps it too, across another reload.
  await form.locator('[name="end"]').fill(wallClock(2, 12));
  await submitAndSignIn(page, form, { subject, deny: true });
  await form.getByText('Access was denied').waitFor({ timeout: UI_TIMEOUT });
  const corrected = await formValues(form);
  form = await reloaded(page, appointmentForm);
  assert.deepEqual(await formValues(form), corrected, 'the draft outlives a refused sign-in and a reload');

  // Created: the form empties, and a reload does not bring the draft back.
  await submitAndSignIn(page, form, { subject });
  assert.equal(await form.locator('[name="subject"]').inputValue(), '');
  form = await reloaded(page, appointmentForm);
  assert.equal(await form.locator('[name="subject"]').inputValue(), '', 'no draft after the item was created');
  assert.equal(await form.locator('[name="location"]').inputValue(), '');

  // The task form keeps its own draft.
  await page.getByRole('tab', { name: 'Task' }).click();
  let tasks = taskForm(page);
  await tasks.waitFor({ timeout: UI_TIMEOUT });
  const taskSubject = uniqueSubject('Task draft');
  await fillTask(tasks, { subject: taskSubject, dueDate: '2027-02-01', status: 'Deferred', body: 'Later' });
  const taskTyped = await formValues(tasks);
  await page.reload();
  await page.getByRole('tab', { name: 'Task' }).click();
  tasks = taskForm(page);
  await tasks.waitFor({ timeout: UI_TIMEOUT });
  await page.waitForLoadState('networkidle');
  assert.deepEqual(await formValues(tasks), taskTyped);
  // …and the appointment form stayed empty.
  assert.equal(await appointmentForm(page).locator('[name="subject"]').inputValue(), '');
  assert.deepEqual(context.pageErrors, []);
});
