// What a proof of possession (DPoP) adds to each API request in the browser: the widget's
// proof signing in the page (WebCrypto, non-extractable P-256 key from IndexedDB), measured in
// headless Chromium with the widget's own module as the proxy serves it. A benchmark that
// prints figures, not a test:
//
//     node tests/e2e/bench-dpop.mjs            (after `cargo xtask build` and a debug proxy build)
//
// The proxy's side (signature check and replay memory) is measured natively:
//     cargo test --release -p exchange-forms-proxy --test suite dpop:: -- --ignored --nocapture

import { chromium } from 'playwright-core';
import { startProxy } from './harness.mjs';
import { dpopModulePath } from './widget.mjs';

const RUNS = 200;


// startProxy wants a node:test context for clean-up; a tiny stand-in collects the callbacks.
const cleanups = [];
const t = { after: (f) => cleanups.push(f), fullName: 'bench-dpop' };
const proxy = await startProxy(t);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage();
  await page.goto(proxy.url);
  const figures = await page.evaluate(async ({ module, runs, base }) => {
    const { proof } = await import(module);
    const url = `${base}/api/auth/status`;
    const handle = 'A'.repeat(43);
    await proof(base, 'GET', url, handle); // creates and stores the key once
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const sign = [];
    for (let i = 0; i < runs; i += 1) {
      const t0 = performance.now();
      await proof(base, 'GET', url, handle);
      sign.push(performance.now() - t0);
    }
    const mean = sign.reduce((a, b) => a + b, 0) / sign.length;
    return { sign: median(sign), mean, p95: sign.sort((a, b) => a - b)[Math.floor(runs * 0.95)] };
  }, { module: new URL(dpopModulePath(), proxy.url).href, runs: RUNS, base: proxy.url.replace(/\/+$/, '') });
  const ms = (x) => `${x.toFixed(2)} ms`;
  console.log(`proof signing in the page (headless Chromium, ${RUNS} proofs): median ${ms(figures.sign)}, mean ${ms(figures.mean)}, p95 ${ms(figures.p95)}`);
} finally {
  await browser.close();
  for (const f of cleanups.reverse()) await f();
}
