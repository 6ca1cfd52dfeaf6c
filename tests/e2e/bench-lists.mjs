// How the form's speed depends on how full the calendar is. For calendars holding 10, 1,000 and
// 10,000 appointments in the next days, the widget (appointment form on index.html, headless
// Chromium, the proxy in sandbox mode) is signed in as a user would be, then measured inside the
// page with performance.now():
//
// - keystroke: an input event in Subject until the widget has rendered it (Yew's scheduler has
//   run and the layout is up to date);
// - click → confirmation: a click on Create until the confirmation naming the subject is in the
//   page;
// - proxy: the same create request's time at the proxy as the page sees it (Resource Timing,
//   request sent → response received);
// - click → request: how long the page took before sending the create request.
//
// A benchmark that prints a table, not a test (node --test does not pick it up):
//
//     node tests/e2e/bench-lists.mjs [--sizes 10,1000,10000] [--runs 15]
//
// after `cargo xtask build` (the widget, release) and a proxy build; XF_PROXY_BIN picks the
// proxy binary (e.g. target/release/exchange-forms-proxy). The calendar is filled directly in the
// sandbox's SQLite store (sqlite3 CLI): each appointment is a copy of one the widget created
// through the proxy, under a new id, subject and time, so the widget reads exactly what a user
// with such a calendar would see.

import { parseArgs } from 'node:util';
import { launchBrowser, newContext, startProxy, UI_TIMEOUT, uniqueSubject, wallClock } from './harness.mjs';
import { fillCalendar, signInWithTemplate } from './sandbox-store.mjs';
import { appointmentForm } from './widget.mjs';

const { values: options } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,1000,10000' },
    runs: { type: 'string', default: '15' },
  },
});
const SIZES = options.sizes.split(',').map(Number);
const RUNS = Math.max(15, Number(options.runs));
const WARM_UP = 3;

// startProxy and the browser helpers want a node:test context for clean-up; a stand-in collects it.
const cleanups = [];
const t = { after: (f) => cleanups.push(f), fullName: 'bench-lists' };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Counts the page's fetches in flight, so measurements start with the page at rest. */
function countFetches() {
  window.__xfInflight = 0;
  const original = window.fetch;
  window.fetch = async (...args) => {
    window.__xfInflight += 1;
    try {
      return await original(...args);
    } finally {
      window.__xfInflight -= 1;
    }
  };
}

async function atRest(page) {
  await page.waitForFunction(() => window.__xfInflight === 0, null, { timeout: 60_000, polling: 20 });
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
}

/** Input events in Subject, each until the widget has rendered it. */
function measureKeystrokes({ runs, warmUp }) {
  const input = document.querySelector('form [name="subject"]');
  input.focus();
  const samples = [];
  // The next task, without the 4 ms clamp browsers put on nested setTimeout(0).
  const rendered = () => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
  return (async () => {
    for (let i = 0; i < runs + warmUp; i += 1) {
      const t0 = performance.now();
      input.value += 'k';
      input.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: 'k' }));
      // Yew renders from a microtask: a macrotask later it is done; then force the layout.
      await rendered();
      void document.body.getBoundingClientRect().height;
      const t1 = performance.now();
      if (i >= warmUp) samples.push(t1 - t0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return samples;
  })();
}

/** One click on Create until the confirmation naming `subject` shows; with the request's timing. */
function measureCreate({ subject }) {
  const form = document.querySelector('form');
  const button = form.querySelector('button[type="submit"]');
  const confirmed = () => [...document.querySelectorAll('[role="status"]')].some((el) => el.textContent.includes(subject));
  performance.clearResourceTimings();
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`no confirmation naming ${subject}`)), 30_000);
    let t0 = 0;
    const observer = new MutationObserver(() => {
      if (!confirmed()) return;
      const t1 = performance.now();
      observer.disconnect();
      clearTimeout(timeout);
      const post = performance.getEntriesByType('resource')
        .filter((e) => e.initiatorType === 'fetch' && new URL(e.name).pathname.endsWith('/api/appointments') && !new URL(e.name).search)
        .at(-1);
      resolve({
        click: t1 - t0,
        proxy: post ? post.responseEnd - post.requestStart : NaN,
        beforeRequest: post ? post.requestStart - t0 : NaN,
      });
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    t0 = performance.now();
    button.click();
  });
}

/** Sets the form's fields the way typing does (input events), outside the measurements. */
function setFields(values) {
  const form = document.querySelector('form');
  for (const [name, value] of Object.entries(values)) {
    const field = form.querySelector(`[name="${name}"]`);
    field.value = value;
    field.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }
}

async function measureSize(page, proxy, templateId, size) {
  const count = fillCalendar(proxy.dataDir, templateId, size);
  await page.reload();
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  // The list has loaded when its first row shows (the template appointment is always there).
  await page.locator('.xf-items li').first().waitFor({ timeout: 60_000 });
  await atRest(page);
  const rows = await page.locator('.xf-items li').count();

  const keystrokes = await page.evaluate(measureKeystrokes, { runs: RUNS * 2, warmUp: WARM_UP });

  const creates = [];
  for (let i = 0; i < RUNS + 1; i += 1) {
    const subject = uniqueSubject(`Bench create ${size}`);
    await page.evaluate(setFields, {
      subject, start: wallClock(3, 9 + (i % 8)), end: wallClock(3, 9 + (i % 8), 30), location: 'Room 1', body: '',
    });
    await atRest(page);
    const sample = await page.evaluate(measureCreate, { subject });
    if (i > 0) creates.push(sample);
    await atRest(page);
  }
  return {
    size: count,
    rows,
    keystroke: median(keystrokes),
    click: median(creates.map((c) => c.click)),
    proxy: median(creates.map((c) => c.proxy)),
    beforeRequest: median(creates.map((c) => c.beforeRequest)),
  };
}

try {
  const proxy = await startProxy(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t);
  await context.addInitScript(countFetches);
  const page = await context.newPage();
  await page.goto(proxy.url);
  const templateId = await signInWithTemplate(page, proxy);

  const results = [];
  for (const size of SIZES) {
    const result = await measureSize(page, proxy, templateId, size);
    results.push(result);
    console.error(`measured ${size}: ${JSON.stringify(result)}`);
  }

  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log(`\nmedians of ${RUNS * 2} keystrokes and ${RUNS} creates per size (headless Chromium, performance.now() in the page)\n`);
  console.log('| appointments | rows rendered | keystroke → render | click → confirmation | proxy (create) | click → request sent |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.size.toLocaleString('en')} | ${r.rows} | ${ms(r.keystroke)} | ${ms(r.click)} | ${ms(r.proxy)} | ${ms(r.beforeRequest)} |`);
  }
} finally {
  for (const f of cleanups.reverse()) await f();
}
