// Each form in each theme and language, as a host page shows it: screenshots kept with the test
// output (target/e2e-screenshots), and an axe scan of each (colour contrast included), with a
// validation error showing so that the error colours are checked too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newContext, screenshot, startProxy, UI_TIMEOUT } from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import { hostPage, serveHostPages } from './host-page.mjs';

const FORMS = [
  { kind: 'appointment', title: { en: 'New appointment', fr: 'Nouveau rendez-vous' } },
  { kind: 'task', title: { en: 'New task', fr: 'Nouvelle tâche' } },
];

test('every form in light and dark, English and French: screenshots and no axe violations', async (t) => {
  const proxy = await startProxy(t);
  const pages = {};
  for (const { kind } of FORMS) {
    for (const theme of ['light', 'dark']) {
      for (const locale of ['en', 'fr']) {
        pages[`/${kind}-${theme}-${locale}`] = hostPage(proxy.url,
          `<exchange-form kind="${kind}" theme="${theme}" locale="${locale}"></exchange-form>`);
      }
    }
  }
  const base = await serveHostPages(t, pages);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  const page = await context.newPage();
  for (const { kind, title } of FORMS) {
    for (const theme of ['light', 'dark']) {
      for (const locale of ['en', 'fr']) {
        const name = `${kind}-${theme}-${locale}`;
        await page.goto(new URL(name, base).href);
        const form = page.locator('form').first();
        await form.getByRole('heading', { name: title[locale] }).waitFor({ timeout: UI_TIMEOUT });
        await page.waitForLoadState('networkidle');
        await form.locator('button[type="submit"]').click();
        await form.locator('[name="subject"][aria-invalid="true"]').waitFor({ timeout: UI_TIMEOUT });
        const background = await form.evaluate((el) => getComputedStyle(el).backgroundColor);
        assert.equal(background === 'rgb(255, 255, 255)', theme === 'light', `${name}: ${background}`);
        await screenshot(page, `form-${name}`);
        await expectNoAxeViolations(page, `${kind} form, ${theme}, ${locale}, with an error`);
      }
    }
  }
  assert.deepEqual(context.pageErrors, []);
});
