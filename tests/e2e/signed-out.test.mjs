// A signed-out visitor's first page load: the widget knows it has no session, so it asks the
// proxy nothing it would be refused (no 401 logged in the console), shows the lists' sign-in
// prompt instead, and the page passes the accessibility scan.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations } from './axe.mjs';
import { launchBrowser, newContext, startProxy, UI_TIMEOUT } from './harness.mjs';
import { appointmentForm, listSection, TEXT } from './widget.mjs';

const LIST_NEEDS_SIGN_IN = 'Sign in (create an item) to see this list.';

for (const host of [{ name: 'index', path: '' }, { name: 'demo', path: 'www/demo.html' }]) {
  test(`${host.name}: a signed-out page load logs no console error and no failed request`, async (t) => {
    const proxy = await startProxy(t);
    const browser = await launchBrowser(t);
    const context = await newContext(browser, t);
    const page = await context.newPage();
    const problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    });
    await page.goto(new URL(host.path, proxy.url).href);
    await appointmentForm(page).waitFor({ timeout: UI_TIMEOUT });
    await listSection(page, TEXT.calendarHeading).getByText(LIST_NEEDS_SIGN_IN).waitFor({ timeout: UI_TIMEOUT });
    await page.waitForLoadState('networkidle');

    assert.deepEqual(problems, [], `a signed-out load of ${host.name} is clean`);
    assert.deepEqual(context.pageErrors, []);
    await expectNoAxeViolations(page, `${host.name}: signed out`);
  });
}
