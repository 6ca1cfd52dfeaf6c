// Attacks on the sign-in, performed as an attacker would: a script outside any browser (which
// may forge every header, `Origin` included) starts a sign-in, and a victim's real browser is
// sent the link. The victim has a sign-in session and consents; the attacker must still get
// no session handle, and no authorization code may be exchanged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { completeSignIn, launchBrowser, newContext, screenshot, startProxyWithOidc, UI_TIMEOUT } from './harness.mjs';

const NOT_FROM_THE_FORM = 'Open this sign-in from the form you were using';

/** A DPoP proof as anyone can make one, with the attacker's own key. */
async function attackerProof(method, url) {
  const { subtle } = globalThis.crypto;
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${part({
    htm: method, htu: url, iat: Math.floor(Date.now() / 1000), jti: randomBytes(16).toString('base64url'),
  })}`;
  const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, Buffer.from(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

/** What the attacker's script does first: a flow with its own secret and key, `Origin` forged. */
async function attackerStartsFlow(proxy, { returnTo } = {}) {
  const origin = new URL(proxy.url).origin;
  const secret = randomBytes(32).toString('base64url');
  const secretHash = createHash('sha256').update(secret).digest('base64url');
  const flowsUrl = new URL('api/auth/flows', proxy.url).href;
  const response = await fetch(flowsUrl, {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': 'application/json', DPoP: await attackerProof('POST', flowsUrl) },
    body: JSON.stringify({ secretHash, ...(returnTo ? { returnTo } : {}) }),
  });
  assert.equal(response.status, 201, 'the attacker can start a flow (it proves nothing yet)');
  const flow = await response.json();
  return { ...flow, secret, origin };
}

/** The attacker binds its own flow from its script and gets the authorization server's URL. */
async function attackerBinds(flow, origin) {
  const response = await fetch(flow.authorizeUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ secret: flow.secret }),
  });
  assert.equal(response.status, 303);
  return response.headers.get('location');
}

async function attackerPolls(proxy, flow) {
  const response = await fetch(new URL(`api/auth/flows/${flow.flowId}?wait=2`, proxy.url), {
    headers: { Origin: flow.origin, 'Flow-Secret': flow.secret },
  });
  return response.json();
}

/** Requests the victim's browser sends to the authorization server. */
function watchServer(context, issuer) {
  const seen = [];
  context.on('request', (request) => {
    if (request.url().startsWith(issuer)) seen.push(request.url());
  });
  return seen;
}

test('attack: a popup sign-in started by a script and completed in a victim\'s browser yields no handle', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t);
  const browser = await launchBrowser(t);
  const victim = await newContext(browser, t);
  const toServer = watchServer(victim, op.issuer);
  const flow = await attackerStartsFlow(proxy);

  // The link alone: a plain page of the proxy, and not one request to the sign-in server.
  const page = await victim.newPage();
  await page.goto(flow.authorizeUrl);
  await page.getByText(NOT_FROM_THE_FORM).waitFor({ timeout: UI_TIMEOUT });
  await page.waitForTimeout(1_000);
  assert.equal(new URL(page.url()).origin, flow.origin, 'the page stayed on the proxy');
  assert.deepEqual(toServer, [], 'the sign-in server was never reached');
  await screenshot(page, 'security-link-opened-alone');

  // Bound by the attacker's script instead, the sign-in server's URL goes to the victim, who
  // signs in and allows: the callback lands without the binding cookie, and ends the flow.
  const serverUrl = await attackerBinds(flow, flow.origin);
  await page.goto(serverUrl);
  await completeSignIn(page, { user: 'victim', doneWhen: (url) => url.pathname.endsWith('/auth/callback') });
  await page.getByText('started in another browser').waitFor({ timeout: UI_TIMEOUT });

  const polled = await attackerPolls(proxy, flow);
  assert.equal(polled.status, 'failed', JSON.stringify(polled));
  assert.equal(polled.sessionHandle, undefined, 'no session handle for the attacker');
  assert.equal(op.events.codeExchanges, 0, 'the victim\'s code was never exchanged');
});

test('attack: a full-page sign-in started by a script and completed in a victim\'s browser yields no handle', async (t) => {
  const { op, proxy } = await startProxyWithOidc(t);
  const browser = await launchBrowser(t);
  const victim = await newContext(browser, t);
  const returnTo = new URL('index.html', proxy.url).href;
  const flow = await attackerStartsFlow(proxy, { returnTo });
  const page = await victim.newPage();

  // The link alone goes nowhere.
  await page.goto(flow.authorizeUrl);
  await page.getByText(NOT_FROM_THE_FORM).waitFor({ timeout: UI_TIMEOUT });

  // A page on another site makes the victim's browser post the secret: the browser names that
  // site in `Origin`, so the proxy refuses and sets no cookie.
  await page.goto(`${op.issuer}/.well-known/openid-configuration`);
  await page.evaluate(({ action, secret }) => {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = action;
    const input = document.createElement('input');
    input.name = 'secret';
    input.value = secret;
    form.append(input);
    document.body.append(form);
    form.submit();
  }, { action: flow.authorizeUrl, secret: flow.secret });
  await page.getByText(NOT_FROM_THE_FORM).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(new URL(page.url()).origin, flow.origin, 'not sent on to the sign-in server');

  // Bound by the attacker's script, the victim completes the sign-in: no redirect back to the
  // page with a handle, no code exchanged, nothing for the attacker's poll.
  const serverUrl = await attackerBinds(flow, flow.origin);
  await page.goto(serverUrl);
  await completeSignIn(page, { user: 'victim', doneWhen: (url) => url.pathname.endsWith('/auth/callback') });
  await page.getByText('started in another browser').waitFor({ timeout: UI_TIMEOUT });
  assert.ok(!page.url().includes('xf_session'), page.url());
  const polled = await attackerPolls(proxy, flow);
  assert.equal(polled.sessionHandle, undefined, JSON.stringify(polled));
  assert.equal(op.events.codeExchanges, 0);
});
