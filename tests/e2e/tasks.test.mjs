// The whole task form end to end, on both mailbox backends: start and due dates, status and
// progress kept in step as the user changes either, a weekly repeat, importance, a reminder,
// categories and a description, created through the proxy, read back from the mailbox and
// opened again for editing. Microsoft To Do keeps no progress between 0 and 100%: on Graph the
// proxy refuses 40% on its field and the user's input stays.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeSignIn, launchBrowser, newContext, screenshot, startProxy, uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import { apiFromPage, confirmation, formValues, listSection, mailboxTasks, submitAndSignIn, taskForm, TEXT } from './widget.mjs';

const BACKENDS = [
  { name: 'ews', env: {} },
  { name: 'graph', env: { XF_BACKEND: 'graph' } },
];

for (const backend of BACKENDS) {
  test(`${backend.name}: a repeating task with its dates, progress, importance, reminder and categories is created and edited`, async (t) => {
    const proxy = await startProxy(t, { env: backend.env });
    const browser = await launchBrowser(t);
    const context = await newContext(browser, t);
    const page = await context.newPage();
    await page.goto(`${proxy.url}?kind=task`);
    const form = taskForm(page);
    await form.waitFor({ timeout: UI_TIMEOUT });
    await page.waitForLoadState('networkidle');

    const subject = uniqueSubject('Weekly report');
    const startDate = wallClock(1, 0).slice(0, 10);
    const dueDate = wallClock(4, 0).slice(0, 10);
    const remindAt = wallClock(3, 8, 30);
    await form.locator('[name="subject"]').fill(subject);
    await form.getByLabel('Start date').fill(startDate);
    await form.getByLabel('Due date').fill(dueDate);

    // Status and progress follow each other.
    const status = form.locator('[name="status"]');
    const percent = form.getByLabel('% complete');
    await percent.fill('40');
    assert.equal(await status.inputValue(), 'InProgress', 'progress on a task not started puts it in progress');
    await status.selectOption('Completed');
    assert.equal(await percent.inputValue(), '100', 'completed is 100%');
    await status.selectOption('InProgress');
    assert.equal(await percent.inputValue(), '', 'reopened: no longer 100%');
    await percent.fill('40');

    await form.getByLabel('Repeat').selectOption({ label: 'Weekly' });
    await form.getByRole('checkbox', { name: 'Friday' }).check();
    await form.getByLabel('Ends').selectOption({ label: 'After a number of times' });
    await form.getByLabel('Number of times').fill('4');
    await form.locator('.xf-summary-line').filter({ hasText: /^Every week on .*Fri.*, 4 times$/ }).waitFor({ timeout: UI_TIMEOUT });
    await form.getByLabel('Importance').selectOption({ label: 'High' });
    await form.getByLabel('Remind me at').fill(remindAt);
    await form.locator('[name="categories"]').fill('Finance,Weekly');
    await form.locator('[name="body"]').fill('Numbers from the ledger.');
    if (backend.name === 'ews') {
      await screenshot(page, 'task-form-filled');
      await expectNoAxeViolations(page, 'task form filled in');
    }

    if (backend.name === 'graph') {
      // To Do keeps 0 or 100% only: refused on its field, nothing created, the input kept.
      const typed = await formValues(form);
      const popup = context.waitForEvent('page');
      await form.locator('button[type="submit"]').click();
      await completeSignIn(await popup);
      await form.locator('[name="percentComplete"][aria-invalid="true"]').waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await formValues(form), typed, 'what the user typed is still there');
      assert.equal((await mailboxTasks(page, proxy.url)).filter((x) => x.subject === subject).length, 0);
      await percent.fill('0');
      assert.equal(await status.inputValue(), 'InProgress');
    }
    await submitAndSignIn(page, form, { subject });
    await confirmation(page, subject).first().waitFor({ timeout: UI_TIMEOUT });

    const [stored] = (await mailboxTasks(page, proxy.url)).filter((x) => x.subject === subject);
    assert.ok(stored, 'the task is in the mailbox');
    const { status: code, body } = await apiFromPage(page, proxy.url, `api/tasks/${encodeURIComponent(stored.id)}`);
    assert.equal(code, 200, JSON.stringify(body));
    assert.equal(body.startDate, startDate);
    assert.equal(body.dueDate, dueDate);
    assert.equal(body.status, 'InProgress');
    assert.equal(body.percentComplete, backend.name === 'graph' ? 0 : 40);
    assert.equal(body.importance, 'high');
    assert.deepEqual(body.categories, ['Finance', 'Weekly']);
    assert.equal(new Date(body.reminder).getTime(), await page.evaluate((local) => new Date(local).getTime(), remindAt),
      `the reminder ${body.reminder} is ${remindAt} in the browser's zone`);
    assert.ok(body.recurrence.pattern.weekly.days.includes('friday'), JSON.stringify(body.recurrence));
    assert.deepEqual(body.recurrence.end, { count: { count: 4 } });

    // Opened again: every field as it was typed; 100% completes it.
    const tasks = listSection(page, TEXT.tasksHeading);
    await tasks.locator('li').filter({ hasText: subject }).getByRole('button', { name: 'Edit' }).click();
    await form.getByRole('heading', { name: 'Edit task' }).waitFor({ timeout: UI_TIMEOUT });
    const shown = await formValues(form);
    assert.equal(shown.startDate, startDate);
    assert.equal(shown.dueDate, dueDate);
    assert.equal(shown.reminderAt, remindAt);
    assert.equal(shown.categories, 'Finance,Weekly');
    assert.equal(shown.percentComplete, backend.name === 'graph' ? '0' : '40');
    await percent.fill('100');
    assert.equal(await status.inputValue(), 'Completed');
    await form.locator('button[type="submit"]').click();
    await tasks.locator('li').filter({ hasText: subject }).getByText('Completed').waitFor({ timeout: UI_TIMEOUT });
    const after = await apiFromPage(page, proxy.url, `api/tasks/${encodeURIComponent(stored.id)}`);
    assert.equal(after.body.status, 'Completed');
    assert.equal(after.body.percentComplete, 100);
    assert.equal(after.body.importance, 'high', 'what the save did not touch stays');
    assert.deepEqual(context.pageErrors, []);
  });
}
