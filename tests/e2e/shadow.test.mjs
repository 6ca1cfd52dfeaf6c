// The <exchange-form> element renders into a shadow root with its own stylesheet: a host page's
// CSS cannot break the form, ours does not restyle the page, ids and labels still resolve
// inside the shadow root, and the documented custom properties, ::part() names and
// light/dark themes are what a host page can change.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newContext, startProxy, uniqueSubject, wallClock, UI_TIMEOUT, screenshot } from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import { hostPage, serveHostPages } from './host-page.mjs';
import { appointmentForm, createdEvents, fillAppointment, submitAndSignIn } from './widget.mjs';

// Everything a careless or hostile page stylesheet does to bare elements.
const HOSTILE_CSS = `<style>
  form, input, button, label, select, textarea, ul, section { display: none !important; }
  * { color: red !important; font-family: monospace !important; letter-spacing: 3px !important; }
  div { background: yellow !important; border: 5px dotted green !important; }
</style>`;

async function openPage(t, body, { head = '', colorScheme } = {}) {
  const proxy = await startProxy(t);
  const url = await serveHostPages(t, { '/': hostPage(proxy.url, body, { head }) });
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  if (colorScheme) await page.emulateMedia({ colorScheme });
  await page.goto(url);
  return { proxy, page, context };
}

/** A computed style property of the first element matching `selector` in the first widget's shadow root. */
function shadowStyle(page, selector, property, element = 'exchange-form') {
  return page.locator(element).first().evaluate((host, [sel, prop]) =>
    getComputedStyle(host.shadowRoot.querySelector(sel)).getPropertyValue(prop), [selector, property]);
}

test('host CSS cannot hide or restyle the form, and the form does not restyle the page', async (t) => {
  const { page, context } = await openPage(t, `
    <exchange-form kind="appointment"></exchange-form>
    <button id="host-button" class="xf-button">Host button</button>
    <div id="host-div" class="xf"><p class="xf-title">Host text</p></div>`, { head: HOSTILE_CSS });
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  assert.ok(await form.isVisible(), 'the form shows despite `form { display: none }`');
  assert.ok(await form.locator('[name="subject"]').isVisible());
  assert.notEqual(await shadowStyle(page, 'input[name="subject"]', 'color'), 'rgb(255, 0, 0)');
  assert.notEqual(await shadowStyle(page, '.xf-form', 'background-color'), 'rgb(255, 255, 0)');
  assert.equal(await shadowStyle(page, 'label', 'letter-spacing'), 'normal');
  // The stylesheet lives in the shadow root, not the document.
  assert.equal(await page.locator('head link[rel="stylesheet"]').count(), 0);
  const hostButton = await page.locator('#host-button').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(hostButton, 'rgb(11, 87, 208)', 'our .xf-button rule does not reach the page');
  const hostDiv = await page.locator('#host-div').evaluate((el) => getComputedStyle(el).maxWidth);
  assert.equal(hostDiv, 'none', 'our .xf rule does not reach the page');

  // Ids inside the shadow root: the first field to correct takes the focus, labels name fields.
  await form.locator('button[type="submit"]').click();
  await page.waitForFunction(() => document.querySelector('exchange-form').shadowRoot.activeElement?.name === 'subject',
    null, { timeout: UI_TIMEOUT });
  await form.locator('[name="start"]').focus();
  await form.locator('.xf-summary a').first().click();
  assert.equal(await page.evaluate(() => document.querySelector('exchange-form').shadowRoot.activeElement?.name), 'subject',
    'the error summary link focuses its field');
  assert.equal(await page.getByLabel('Location').getAttribute('name'), 'location', 'label for= resolves in the shadow root');
  assert.match(await form.locator('[name="subject"]').getAttribute('aria-describedby'), /^xf\d+-subject-error$/);

  const subject = uniqueSubject('Shadow');
  await fillAppointment(form, { subject, start: wallClock(5, 9), end: wallClock(5, 10), location: 'Attic' });
  await submitAndSignIn(page, form, { subject });
  assert.equal((await createdEvents(page)).filter((e) => e.detail.subject === subject).length, 1);
  await screenshot(page, 'shadow-hostile-css');
  assert.deepEqual(context.pageErrors, []);
});

test('custom properties, ::part() rules and the theme attribute restyle the form', async (t) => {
  const { page } = await openPage(t, `
    <exchange-form id="auto" kind="task"></exchange-form>
    <exchange-form id="light" kind="task" theme="light"></exchange-form>
    <exchange-form id="dark" kind="task" theme="dark"></exchange-form>`, {
    colorScheme: 'dark',
    head: `<style>
      #auto { --xf-accent: rgb(200, 0, 100); --xf-on-accent: #fff; --xf-radius: 0px; }
      #auto::part(button) { text-transform: uppercase; }
      #auto::part(input) { border-width: 3px; }
    </style>`,
  });
  for (const id of ['auto', 'light', 'dark']) {
    await page.locator(`#${id} form`).waitFor({ timeout: UI_TIMEOUT });
  }
  const style = (id, selector, property) => shadowStyle(page, selector, property, `#${id}`);
  assert.equal(await style('auto', '.xf-button', 'background-color'), 'rgb(200, 0, 100)', '--xf-accent');
  assert.equal(await style('auto', '.xf-form', 'border-top-left-radius'), '0px', '--xf-radius');
  assert.equal(await style('auto', '.xf-button', 'text-transform'), 'uppercase', '::part(button)');
  assert.equal(await style('auto', 'input[name="subject"]', 'border-top-width'), '3px', '::part(input)');
  assert.equal(await style('light', '.xf-button', 'background-color'), 'rgb(11, 87, 208)', 'unthemed elements keep ours');

  // The browser prefers dark: the element without a theme follows, theme="light" does not.
  const light = 'rgb(255, 255, 255)';
  const dark = 'rgb(28, 33, 40)';
  assert.equal(await style('auto', '.xf-form', 'background-color'), dark);
  assert.equal(await style('light', '.xf-form', 'background-color'), light);
  assert.equal(await style('dark', '.xf-form', 'background-color'), dark);
  await screenshot(page, 'shadow-themes-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await style('auto', '.xf-form', 'background-color'), light);
  assert.equal(await style('dark', '.xf-form', 'background-color'), dark, 'theme="dark" wins over the browser');
  // Each default palette in a shadow root, alone on the page (two forms of one kind would
  // be two landmarks of the same name).
  await page.evaluate(() => { for (const id of ['auto', 'light']) document.getElementById(id).remove(); });
  await expectNoAxeViolations(page, 'form in a shadow root, dark theme');
  await page.locator('#dark').evaluate((el) => el.setAttribute('theme', 'light'));
  assert.equal(await style('dark', '.xf-form', 'background-color'), light, 'the theme attribute applies at once');
  await expectNoAxeViolations(page, 'form in a shadow root, light theme');
});
