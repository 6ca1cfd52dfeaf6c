// Creating a repeating appointment with the keyboard alone: Tab moves through the form in order,
// dates and times are typed into the browser's own date-time fields, the recurrence is chosen
// with the arrow keys and Space, and Enter on the Create button sends it. Only the identity
// provider's sign-in page (not ours) is driven with the mouse.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newContext, startProxy, uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { apiFromPage, appointmentForm, createdEvents, submitAndSignIn } from './widget.mjs';

/** The `name` (or, for buttons, the text) of the focused element. */
async function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute('name') || el?.textContent?.trim() || el?.tagName || '';
  });
}

/** Presses Tab until the focus is on `target`; fails after `limit` presses. */
async function tabTo(page, target, limit = 40) {
  const seen = [];
  for (let i = 0; i < limit; i += 1) {
    const now = await focused(page);
    if (now === target) return;
    seen.push(now);
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached "${target}"; it went through: ${seen.join(' → ')}`);
}

/**
 * Types `value` (`YYYY-MM-DDTHH:MM`) into the focused date-time field segment by segment, as a
 * user of an en-US browser does: month, day, year, hour, minute, AM/PM.
 */
async function typeDateTime(page, value) {
  const [, year, month, day, hour, minute] = value.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/);
  const h = Number(hour);
  const twelve = String(h % 12 === 0 ? 12 : h % 12).padStart(2, '0');
  await page.keyboard.type(`${month}${day}${year}`);
  // A year may have more than four digits, so the field stays on it: move on by hand.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.type(`${twelve}${minute}`);
  await page.keyboard.type(h < 12 ? 'A' : 'P');
}

test('a repeating appointment is created with the keyboard alone', async (t) => {
  const proxy = await startProxy(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t, { locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(proxy.url);
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  await page.waitForLoadState('networkidle');

  const subject = uniqueSubject('Keyboard only');
  const start = wallClock(5, 9);
  const end = wallClock(5, 10, 30);
  await tabTo(page, 'subject');
  await page.keyboard.type(subject);
  await tabTo(page, 'start');
  await typeDateTime(page, start);
  assert.equal(await form.locator('[name="start"]').inputValue(), start, 'the start typed segment by segment');
  await tabTo(page, 'end');
  await typeDateTime(page, end);
  assert.equal(await form.locator('[name="end"]').inputValue(), end);
  await tabTo(page, 'location');
  await page.keyboard.type('Room 4');

  // Repeat: Weekly, with the arrow keys on the closed list.
  await tabTo(page, 'recurrence');
  for (let i = 0; i < 6 && (await form.locator('[name="recurrence"] option:checked').innerText()) !== 'Weekly'; i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  assert.equal(await form.locator('[name="recurrence"] option:checked').innerText(), 'Weekly');
  // Tick Friday with Space (the start's own weekday may already be ticked).
  const friday = form.getByRole('checkbox', { name: 'Friday' });
  await friday.waitFor({ timeout: UI_TIMEOUT });
  const fridayTicked = await friday.isChecked();
  for (let i = 0; i < 40; i += 1) {
    if (await friday.evaluate((el) => el === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  assert.ok(await friday.evaluate((el) => el === document.activeElement), 'Tab reaches the Friday box');
  if (!fridayTicked) await page.keyboard.press('Space');
  assert.equal(await friday.isChecked(), true);

  // The Create button, pressed with Enter.
  await tabTo(page, 'Create');
  await submitAndSignIn(page, form, { subject, submit: () => page.keyboard.press('Enter') });

  const [event] = await createdEvents(page);
  const { status, body } = await apiFromPage(page, proxy.url, `api/appointments/${encodeURIComponent(event.detail.id)}`);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.subject, subject);
  assert.equal(body.location, 'Room 4');
  assert.ok(body.recurrence.pattern.weekly.days.includes('friday'), JSON.stringify(body.recurrence));
  assert.equal((new Date(body.end) - new Date(body.start)) / 60_000, 90);
  assert.deepEqual(context.pageErrors, []);
});
