// How long until a user can use the form: navigation start to "interactive" (the submit button
// is enabled and the subject input is there), for the widget (www/bench/widget.html: loader,
// wasm, first render) against a plain HTML form with the same fields (www/bench/plain.html),
// both served by the same proxy, in headless Chromium. A benchmark that prints figures, not a
// test (`node --test` does not pick it up):
//
//     node tests/e2e/bench-load.mjs [--runs N]    (after `cargo xtask build` and a proxy build;
//                                                 `cargo xtask size` does all of it)
//
// Each run opens a fresh browser context (empty cache) and loads the page ("first visit"), then
// loads it again in the same context ("repeat visit": hashed files from the cache, the rest
// revalidated). The two pages alternate, so drift hits both alike. After each load the bench
// types into the subject input and checks that the text stayed: an input that drops typing is
// not interactive. Two networks: the loopback as it is, and a throttled one (40 ms round trip,
// 10 Mbit/s down) where download size shows.

import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startProxy } from './harness.mjs';

const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 15;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs needs a positive whole number');

const PAGES = { widget: 'www/bench/widget.html', plain: 'www/bench/plain.html' };
const NETWORKS = {
  loopback: null,
  throttled: { offline: false, latency: 40, downloadThroughput: (10e6 / 8), uploadThroughput: (5e6 / 8) },
};

// Runs in the page before its own scripts: resolves with performance.now() (milliseconds since
// navigation start) at the first moment the form is usable.
const WATCH_INTERACTIVE = () => {
  window.__xfInteractive = new Promise((resolve) => {
    // The <exchange-form> element renders in a shadow root: look there too, and watch each
    // shadow root as it is attached (a document's observer does not see inside them).
    const roots = [document];
    const usable = () => roots.some((root) => {
      const button = root.querySelector('form button[type="submit"]');
      const input = root.querySelector('form input[name="subject"]');
      return button && !button.disabled && input && !input.disabled;
    });
    const observer = new MutationObserver(() => {
      if (usable()) {
        observer.disconnect();
        resolve(performance.now());
      }
    });
    const watch = (root) => observer.observe(root, { subtree: true, childList: true, attributes: true });
    const attachShadow = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function attachWatched(init) {
      const root = attachShadow.call(this, init);
      roots.push(root);
      watch(root);
      return root;
    };
    watch(document);
    document.addEventListener('DOMContentLoaded', () => {
      if (usable()) {
        observer.disconnect();
        resolve(performance.now());
      }
    });
  });
};

async function loadOnce(page, url) {
  await page.goto(url, { waitUntil: 'commit' });
  const interactiveMs = await page.evaluate(() => window.__xfInteractive);
  const subject = page.locator('form input[name="subject"]');
  await subject.pressSequentially('Standup');
  await page.waitForTimeout(20);
  assert.equal(await subject.inputValue(), 'Standup', `${url}: typing was not kept`);
  // Emptied again, so that the repeat visit does not open with this visit's draft restored.
  await subject.fill('');
  await page.waitForTimeout(20);
  const entries = await page.evaluate(() => performance.getEntriesByType('resource')
    .concat(performance.getEntriesByType('navigation'))
    .map((entry) => ({ name: entry.name, transferSize: entry.transferSize || 0 })));
  // The loader compiles the wasm from its stable name and hands it to the glue: a second
  // download (the glue fetching the hashed name itself) would cost as much again.
  const wasmRequests = entries.filter((entry) => new URL(entry.name).pathname.endsWith('.wasm'));
  assert.ok(wasmRequests.length <= 1, `${url}: the wasm was requested ${wasmRequests.length} times`);
  const bytes = entries.reduce((sum, entry) => sum + entry.transferSize, 0);
  return { interactiveMs, bytes };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// startProxy wants a node:test context for clean-up; a tiny stand-in collects the callbacks.
const cleanups = [];
const t = { after: (f) => cleanups.push(f), fullName: 'bench-load' };
const proxy = await startProxy(t);
const browser = await chromium.launch({
  executablePath: process.env.XF_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const results = {};
  for (const [network, conditions] of Object.entries(NETWORKS)) {
    for (let run = 0; run < RUNS; run += 1) {
      for (const [name, path] of Object.entries(PAGES)) {
        const context = await browser.newContext();
        await context.addInitScript(WATCH_INTERACTIVE);
        const page = await context.newPage();
        if (conditions) {
          const cdp = await context.newCDPSession(page);
          await cdp.send('Network.enable');
          await cdp.send('Network.emulateNetworkConditions', conditions);
        }
        const url = `${proxy.url.replace(/\/$/, '')}/${path}`;
        const first = await loadOnce(page, url);
        const repeat = await loadOnce(page, url);
        await context.close();
        for (const [visit, figures] of [['first', first], ['repeat', repeat]]) {
          const key = `${network}/${visit}/${name}`;
          (results[key] ??= []).push(figures);
        }
      }
    }
  }

  console.log(`navigation to interactive form, median of ${RUNS} loads each (ms), and bytes over the wire`);
  console.log('network    visit    plain form          widget               widget / plain');
  for (const network of Object.keys(NETWORKS)) {
    for (const visit of ['first', 'repeat']) {
      const [plain, widget] = ['plain', 'widget'].map((name) => {
        const figures = results[`${network}/${visit}/${name}`];
        return {
          ms: median(figures.map((f) => f.interactiveMs)),
          bytes: median(figures.map((f) => f.bytes)),
        };
      });
      const cell = (f) => `${f.ms.toFixed(0).padStart(5)} ms ${String(Math.round(f.bytes)).padStart(7)} B`;
      console.log(
        `${network.padEnd(10)} ${visit.padEnd(8)} ${cell(plain)}   ${cell(widget)}   ${(widget.ms / plain.ms).toFixed(2)}x`,
      );
    }
  }
} finally {
  await browser.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
}
