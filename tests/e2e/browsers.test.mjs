// The main flows a user goes through, in each browser engine the widget supports (Chromium,
// Firefox, WebKit; see browsers.mjs for how each is driven): on a signed-out page the first
// Create opens the sign-in popup, the user signs in there, and the held-back create then happens
// exactly once, is confirmed and is listed after a reload; a task created next needs no popup.
// And, where the engine keeps left pages in its back/forward cache, Back from a full-page sign-in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, uniqueSubject, UI_TIMEOUT, wallClock } from './harness.mjs';
import { BROWSERS, openPage } from './browsers.mjs';
import { mailboxAppointments, mailboxTasks, TEXT } from './widget.mjs';

// Off UTC, and by a half hour, so that an engine reading or sending the time zone wrong puts
// the appointment at another instant. The browsers and the proxy started below inherit it.
process.env.TZ = 'Asia/Kolkata';

const NOT_SIGNED_IN = 'Not signed in';
const CONFIRMATION = '[role="status"]';
const LISTS = 'section.xf-list';
const SANDBOX_SIGN_IN = 'Sign in to the sandbox';

const RUNS = [
  ...BROWSERS.map((browser) => ({ browser, backend: 'ews', env: {} })),
  // The Graph backend once: the browser sees the same API whichever backend answers.
  { browser: 'firefox', backend: 'graph', env: { XF_BACKEND: 'graph' } },
];

for (const run of RUNS) {
  test(`${run.browser}, ${run.backend} backend: the first Create signs in through the popup and creates once; a task follows without one`, async (t) => {
    const proxy = await startProxy(t, { env: run.env });
    const page = await openPage(t, run.browser);
    const shot = (step) => page.screenshot(`browsers-${run.browser}-${run.backend}-${step}`);

    await page.goto(proxy.url);
    await page.waitForText(NOT_SIGNED_IN);
    const subject = uniqueSubject(`Review in ${run.browser}`);
    const start = wallClock(2, 10);
    await page.fill('Subject', subject);
    await page.fill('Start', start);
    await page.fill('End', wallClock(2, 11, 30));
    await page.fill('Location', 'Room 4.12');
    await page.click('Create');

    const popup = await onlyPopup(page);
    await page.waitForText(TEXT.waiting);
    await popup.completeSandboxSignIn({ user: 'alice' });
    await page.waitForText(subject, { within: CONFIRMATION });
    await page.waitForText(TEXT.signedInAs);
    await shot('appointment-created');
    const appointments = (await mailboxAppointments(page, proxy.url)).filter((a) => a.subject === subject);
    assert.equal(appointments.length, 1, 'the create held back for the sign-in ran exactly once');
    assert.equal(appointments[0].location, 'Room 4.12');
    assert.equal(new Date(appointments[0].start).toISOString(), new Date(start).toISOString(), `${start} in ${process.env.TZ}`);

    await page.reload();
    await page.waitForText(subject, { within: LISTS });

    // Signed in now: a task is created at once, with no popup.
    await page.goto(new URL('?kind=task', proxy.url).href);
    await page.waitForText(TEXT.signedInAs);
    const task = uniqueSubject(`Follow up in ${run.browser}`);
    const dueDate = wallClock(5, 0).slice(0, 10);
    await page.fill('Subject', task);
    await page.fill('Due date', dueDate);
    await page.fill('Status', 'InProgress');
    await page.click('Create');
    await page.waitForText(task, { within: CONFIRMATION });
    assert.deepEqual(await page.popups(), [], 'no sign-in popup once signed in');
    await shot('task-created');
    const tasks = (await mailboxTasks(page, proxy.url)).filter((x) => x.subject === task);
    assert.equal(tasks.length, 1, 'exactly one task in the mailbox');
    assert.equal(tasks[0].status, 'InProgress');
    assert.equal(tasks[0].dueDate, dueDate);
    await page.reload();
    await page.waitForText(task, { within: LISTS });
    const errors = page.pageErrors();
    if (errors) assert.deepEqual(errors, [], 'no uncaught error in the page');
  });
}

// Firefox and WebKit keep a page the user leaves in their back/forward cache (Chromium does
// too, but not under playwright-core, which turns it off): Back from a full-page sign-in shows
// the page exactly as it was left, in the middle of "Redirecting to sign in…".
for (const browser of ['firefox', 'webkit']) {
  test(`${browser}: Back from the full-page sign-in gives the form back with its input, and a retry creates once`, async (t) => {
    const proxy = await startProxy(t);
    const page = await openPage(t, browser);
    const demo = new URL('www/demo.html?authMode=redirect', proxy.url);
    const backOnDemo = async () => new URL(await page.url()).pathname === demo.pathname;

    await page.goto(demo.href);
    await page.waitForText(NOT_SIGNED_IN);
    const subject = uniqueSubject(`Back in ${browser}`);
    await page.fill('Subject', subject);
    await page.fill('Start', wallClock(4, 9));
    await page.fill('End', wallClock(4, 10));
    await page.click('Create');
    await page.waitForText(SANDBOX_SIGN_IN);
    await page.back();
    await page.waitForText(TEXT.cancelled);
    assert.equal(await page.value('Subject'), subject, 'the input is still there');
    await page.screenshot(`browsers-${browser}-back-from-sign-in`);

    await page.click('Create');
    await page.waitForText(SANDBOX_SIGN_IN);
    await page.completeSandboxSignIn({ user: 'alice', done: backOnDemo });
    await page.waitForText(subject, { within: CONFIRMATION });
    const stored = (await mailboxAppointments(page, proxy.url)).filter((a) => a.subject === subject);
    assert.equal(stored.length, 1, 'created once, by the retry');
  });
}

/** The one sign-in popup the page opened (waits for it to appear). */
async function onlyPopup(page) {
  const popups = await page.poll(async () => {
    const open = await page.popups();
    return open.length ? open : null;
  }, UI_TIMEOUT);
  assert.ok(popups, `${page.browser}: Create on a signed-out page opened no sign-in popup`);
  assert.equal(popups.length, 1, 'one sign-in popup');
  return popups[0];
}
