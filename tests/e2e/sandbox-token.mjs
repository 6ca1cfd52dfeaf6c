// An access token from the sandbox's development sign-in server, obtained the way a client
// does (authorization code flow with PKCE, sign-in page, consent, code exchange), for the
// third-party client tests. The proxy under test must be started with
// `XF_AUTH_CLIENT_SECRET: CLIENT_SECRET`.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';

// The proxy's client registration at its development sign-in server, made known to the test.
export const CLIENT_ID = 'exchange-forms-sandbox';
export const CLIENT_SECRET = 'ews-client-test-secret';

/** The value of the hidden `request` field of a sign-in server page. */
function requestField(html) {
  const match = /name="request" value="([^"]+)"/.exec(html);
  assert.ok(match, `no sign-in request in the page:\n${html}`);
  return match[1];
}

/**
 * An access token for `user` from the sandbox's development sign-in server, through the whole
 * authorization code flow with PKCE (sign-in page, consent, code exchange), as a client would.
 */
export async function accessToken(proxy, user) {
  const oauth = new URL('sandbox/oauth/', proxy.url);
  const redirectUri = new URL('auth/callback', proxy.url).href;
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL('authorize', oauth);
  authorize.search = new URLSearchParams({
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: redirectUri, scope: 'openid email profile',
    state: crypto.randomUUID(), nonce: crypto.randomUUID(), code_challenge: challenge, code_challenge_method: 'S256',
  });
  const signInPage = await fetch(authorize);
  assert.equal(signInPage.status, 200);
  const request = requestField(await signInPage.text());
  const post = (path, form) => fetch(new URL(path, oauth), { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
  const consentPage = await post('signin', { request, user });
  assert.equal(consentPage.status, 200);
  const decided = await post('consent', { request: requestField(await consentPage.text()), decision: 'allow' });
  assert.equal(decided.status, 303);
  const code = new URL(decided.headers.get('location')).searchParams.get('code');
  assert.ok(code, `no code in ${decided.headers.get('location')}`);
  const token = await fetch(new URL('token', oauth), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  assert.equal(token.status, 200);
  return (await token.json()).access_token;
}

