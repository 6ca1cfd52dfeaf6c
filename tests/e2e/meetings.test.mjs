// The appointment form's meeting options end to end, on both mailbox backends (EWS, the
// default, and Microsoft Graph): a repeating appointment with its reminder, free/busy,
// importance, privacy, categories and time zone, typed into the widget, created through the
// proxy and read back from the sandbox mailbox.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import { apiFromPage, createdEvents, openAppointmentForm, submitAndSignIn } from './widget.mjs';

const BACKENDS = [
  { name: 'ews', env: {} },
  { name: 'graph', env: { XF_BACKEND: 'graph' } },
];

for (const backend of BACKENDS) {
  test(`${backend.name}: a meeting repeating every 2 weeks on Mon and Thu is created with its options and read back`, async (t) => {
    const { proxy, context, page, form } = await openAppointmentForm(t, { env: backend.env });

    const subject = uniqueSubject('Fortnightly sync');
    await form.locator('[name="subject"]').fill(subject);
    await form.locator('[name="start"]').fill(wallClock(3, 10));
    await form.locator('[name="end"]').fill(wallClock(3, 10, 45));
    // Moving the start keeps the 45 minutes.
    await form.locator('[name="start"]').fill(wallClock(4, 14));
    assert.equal(await form.locator('[name="end"]').inputValue(), wallClock(4, 14, 45));
    await form.locator('[name="timeZone"]').fill('Europe/Paris');
    await form.getByLabel('Repeat').selectOption({ label: 'Weekly' });
    await form.getByLabel('Every (days, weeks or months)').fill('2');
    await form.getByRole('checkbox', { name: 'Monday' }).check();
    await form.getByRole('checkbox', { name: 'Thursday' }).check();
    await form.getByLabel('Ends').selectOption({ label: 'After a number of times' });
    await form.getByLabel('Number of times').fill('6');
    await form.locator('.xf-summary-line').filter({ hasText: 'Every 2 weeks on Mon and Thu, 6 times' })
      .waitFor({ timeout: UI_TIMEOUT });
    await form.getByLabel('Reminder').selectOption({ label: '15 minutes before' });
    await form.getByLabel('Show as').selectOption({ label: 'Tentative' });
    await form.getByLabel('Importance').selectOption({ label: 'High' });
    await form.getByRole('checkbox', { name: 'Private' }).check();
    await form.locator('[name="categories"]').fill('Blue,Project X');
    if (backend.name === BACKENDS[0].name) await expectNoAxeViolations(page, 'meeting options and recurrence filled in');

    await submitAndSignIn(page, form, { subject, user: 'alice' });
    const [event] = await createdEvents(page);
    assert.ok(event?.detail?.id, 'the created meeting was announced with its id');

    const { status, body } = await apiFromPage(page, proxy.url, `api/appointments/${encodeURIComponent(event.detail.id)}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.subject, subject);
    assert.deepEqual(body.recurrence.pattern, { weekly: { interval: 2, days: ['monday', 'thursday'] } });
    assert.deepEqual(body.recurrence.end, { count: { count: 6 } });
    assert.equal(body.reminderMinutes, 15);
    assert.equal(body.showAs, 'tentative');
    assert.equal(body.importance, 'high');
    assert.equal(body.private, true);
    assert.deepEqual(body.categories, ['Blue', 'Project X']);
    // 14:00 in Paris, whatever the browser's own zone: the instant is 13:00 or 12:00 UTC.
    const startUtc = new Date(body.start).getUTCHours();
    assert.ok(startUtc === 13 || startUtc === 12, `start ${body.start} is 14:00 Paris time`);
    assert.equal((new Date(body.end) - new Date(body.start)) / 60_000, 45);
    assert.deepEqual(context.pageErrors, []);
  });
}
