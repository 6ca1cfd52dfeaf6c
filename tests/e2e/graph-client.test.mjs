// A third-party Graph client against the sandbox mailbox: Microsoft's own Graph SDK for
// JavaScript (@microsoft/microsoft-graph-client) signs in with a bearer token from the sandbox's
// development sign-in server, creates an event and a To Do task, reads them back and lists the
// calendar view, exactly as it would against graph.microsoft.com. Whatever it sends that the
// sandbox does not answer like Graph fails here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, HTTPMessageHandler, RedirectHandler, RetryHandler } from '@microsoft/microsoft-graph-client';
import { startProxy, uniqueSubject } from './harness.mjs';
import { CLIENT_SECRET, accessToken } from './sandbox-token.mjs';

/**
 * The SDK's client for `user`'s sandbox mailbox. The SDK adds the bearer token only for
 * https Graph hosts (or https custom hosts); the test proxy speaks plain http, so a one-line
 * middleware adds it instead, ahead of the SDK's own retry, redirect and HTTP handlers. The
 * SDK appends the version (`v1.0`) to the base URL itself.
 */
async function graphClient(proxy, user) {
  const token = await accessToken(proxy, user);
  const bearer = {
    async execute(context) {
      const headers = new Headers(context.options?.headers);
      headers.set('Authorization', `Bearer ${token}`);
      context.options = { ...context.options, headers };
      return this.next.execute(context);
    },
    setNext(next) { this.next = next; },
  };
  const baseUrl = new URL('sandbox/graph', proxy.url).href;
  const client = Client.initWithMiddleware({
    baseUrl,
    middleware: [bearer, new RetryHandler(), new RedirectHandler(), new HTTPMessageHandler()],
  });
  // `@odata.nextLink` is absolute; the SDK parses only https links, so the test hands it the
  // path under the version.
  const relative = (link) => link.slice(new URL('sandbox/graph/v1.0', proxy.url).href.length);
  return { client, relative };
}

test('the Microsoft Graph SDK creates an event and a task in the sandbox mailbox and reads them back', async (t) => {
  const proxy = await startProxy(t, { env: { XF_AUTH_CLIENT_SECRET: CLIENT_SECRET } });
  const { client, relative } = await graphClient(proxy, 'alice');

  const me = await client.api('/me').get();
  assert.equal(me.mail, 'alice@sandbox.test');

  const subject = uniqueSubject('Graph client meeting');
  const created = await client.api('/me/events').post({
    subject,
    body: { contentType: 'text', content: 'Agenda: budget and risks' },
    start: { dateTime: '2026-12-01T10:00:00', timeZone: 'Europe/Paris' },
    end: { dateTime: '2026-12-01T11:30:00', timeZone: 'Europe/Paris' },
    location: { displayName: 'Room 4.12' },
    transactionId: `graph-client-${subject}`,
  });
  assert.ok(created.id, 'the created event has an id');
  assert.match(created['@odata.etag'], /^W\/".+"$/);

  const read = await client.api(`/me/events/${created.id}`).header('Prefer', 'outlook.timezone="Europe/Paris"').get();
  assert.equal(read.subject, subject);
  assert.equal(read.body.content, 'Agenda: budget and risks');
  assert.equal(read.location.displayName, 'Room 4.12');
  assert.equal(read.start.dateTime, '2026-12-01T10:00:00.0000000');
  assert.equal(read.start.timeZone, 'Europe/Paris');
  assert.equal(read.type, 'singleInstance');

  // A retry with the same transactionId gets the same event, not a second one.
  const again = await client.api('/me/events').post({
    subject, start: read.start, end: read.end, transactionId: `graph-client-${subject}`,
  });
  assert.equal(again.id, created.id);

  // A weekly series beside it; the calendar view expands it and pages through the window.
  await client.api('/me/events').post({
    subject: 'Stand-up',
    start: { dateTime: '2026-11-30T09:00:00', timeZone: 'W. Europe Standard Time' },
    end: { dateTime: '2026-11-30T09:15:00', timeZone: 'W. Europe Standard Time' },
    recurrence: {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'] },
      range: { type: 'numbered', startDate: '2026-11-30', numberOfOccurrences: 4 },
    },
  });
  const subjects = [];
  let page = await client.api('/me/calendarView')
    .query({ startDateTime: '2026-11-30T00:00:00Z', endDateTime: '2026-12-31T00:00:00Z' })
    .orderby('start/dateTime').top(2).get();
  for (;;) {
    subjects.push(...page.value.map((e) => e.subject));
    if (!page['@odata.nextLink']) break;
    page = await client.api(relative(page['@odata.nextLink'])).get();
  }
  assert.deepEqual(subjects, ['Stand-up', subject, 'Stand-up', 'Stand-up', 'Stand-up']);

  const lists = await client.api('/me/todo/lists').get();
  const defaultList = lists.value.find((l) => l.wellknownListName === 'defaultList');
  assert.ok(defaultList, 'a default task list');
  const title = uniqueSubject('Graph client task');
  const task = await client.api(`/me/todo/lists/${defaultList.id}/tasks`).post({
    title,
    body: { contentType: 'text', content: 'Send the minutes' },
    dueDateTime: { dateTime: '2026-12-03T00:00:00', timeZone: 'UTC' },
    status: 'inProgress',
  });
  const storedTask = await client.api(`/me/todo/lists/${defaultList.id}/tasks/${task.id}`).get();
  assert.equal(storedTask.title, title);
  assert.equal(storedTask.status, 'inProgress');
  assert.equal(storedTask.body.content, 'Send the minutes');
  const done = await client.api(`/me/todo/lists/${defaultList.id}/tasks/${task.id}`)
    .header('If-Match', storedTask['@odata.etag']).patch({ status: 'completed' });
  assert.equal(done.status, 'completed');
  const tasks = await client.api(`/me/todo/lists/${defaultList.id}/tasks`).orderby('createdDateTime desc').get();
  assert.deepEqual(tasks.value.map((x) => x.title), [title]);

  // A stale ETag is refused with Graph's error, which the SDK surfaces as a GraphError.
  await assert.rejects(
    client.api(`/me/todo/lists/${defaultList.id}/tasks/${task.id}`).header('If-Match', storedTask['@odata.etag']).patch({ title: 'lost' }),
    (error) => error.statusCode === 412 && error.code === 'ErrorIrresolvableConflict',
  );

  // Another user's token opens another mailbox: Alice's event is not Bob's.
  const { client: bob } = await graphClient(proxy, 'bob');
  await assert.rejects(bob.api(`/me/events/${created.id}`).get(), (error) => error.statusCode === 404 && error.code === 'ErrorItemNotFound');
  const bobs = await bob.api('/me/calendarView').query({ startDateTime: '2026-11-30T00:00:00Z', endDateTime: '2026-12-31T00:00:00Z' }).get();
  assert.deepEqual(bobs.value, []);
});
