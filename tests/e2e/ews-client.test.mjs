// A third-party EWS client against the sandbox mailbox: ews-javascript-api (a port of Microsoft's
// EWS Managed API) signs in with a bearer token from the sandbox's development sign-in server,
// creates an appointment and a task, and reads them back, exactly as it would from Exchange.
// Whatever it sends that the sandbox does not answer like Exchange fails here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import ews from 'ews-javascript-api';
import { startProxy, uniqueSubject } from './harness.mjs';
import { CLIENT_SECRET, accessToken } from './sandbox-token.mjs';

const {
  Appointment, BasePropertySet, CalendarFolder, CalendarView, DateTime, ExchangeService, ExchangeVersion, Folder,
  ItemView, MessageBody, OAuthCredentials, PropertySet, SendInvitationsMode, Task, TaskStatus, Uri,
  WellKnownFolderName,
} = ews;

/** ews-javascript-api's service object for `user`'s sandbox mailbox. */
async function exchangeService(proxy, user) {
  const service = new ExchangeService(ExchangeVersion.Exchange2013_SP1);
  // `verbatim`: the library expects Azure AD's JWT access tokens; the sign-in server's are
  // opaque, as OAuth allows.
  service.Credentials = new OAuthCredentials(await accessToken(proxy, user), true);
  service.Url = new Uri(new URL('sandbox/ews/Exchange.asmx', proxy.url).href);
  return service;
}

test('ews-javascript-api creates an appointment and a task in the sandbox mailbox and reads them back', async (t) => {
  const proxy = await startProxy(t, { env: { XF_AUTH_CLIENT_SECRET: CLIENT_SECRET } });
  const service = await exchangeService(proxy, 'alice');

  // What a client does first: open the distinguished folders it works in.
  const calendar = await CalendarFolder.Bind(service, WellKnownFolderName.Calendar);
  assert.equal(calendar.DisplayName, 'Calendar');
  const tasks = await Folder.Bind(service, WellKnownFolderName.Tasks);
  assert.equal(tasks.DisplayName, 'Tasks');

  const subject = uniqueSubject('EWS client meeting');
  const appointment = new Appointment(service);
  appointment.Subject = subject;
  // Plain text only: this library writes strings into its XML unescaped (`&` or `<` would make
  // the request malformed, and Exchange would refuse it as the sandbox does).
  appointment.Body = new MessageBody('Agenda: budget and risks');
  appointment.Start = new DateTime(Date.UTC(2026, 11, 1, 9, 0));
  appointment.End = new DateTime(Date.UTC(2026, 11, 1, 10, 30));
  appointment.Location = 'Room 4.12';
  await appointment.Save(WellKnownFolderName.Calendar, SendInvitationsMode.SendToNone);
  assert.ok(appointment.Id?.UniqueId, 'the saved appointment has an id');

  const stored = await Appointment.Bind(service, appointment.Id, new PropertySet(BasePropertySet.FirstClassProperties));
  assert.equal(stored.Subject, subject);
  assert.equal(stored.Location, 'Room 4.12');
  assert.equal(stored.Body.Text, 'Agenda: budget and risks');
  assert.equal(stored.Start.TotalMilliSeconds, Date.UTC(2026, 11, 1, 9, 0));
  assert.equal(stored.End.TotalMilliSeconds, Date.UTC(2026, 11, 1, 10, 30));

  const view = new CalendarView(new DateTime(Date.UTC(2026, 11, 1)), new DateTime(Date.UTC(2026, 11, 2)));
  const found = await service.FindAppointments(WellKnownFolderName.Calendar, view);
  assert.deepEqual(found.Items.map((a) => a.Subject), [subject]);

  const title = uniqueSubject('EWS client task');
  const task = new Task(service);
  task.Subject = title;
  task.Body = new MessageBody('Send the minutes');
  task.DueDate = new DateTime(Date.UTC(2026, 11, 3));
  task.Status = TaskStatus.InProgress;
  await task.Save(WellKnownFolderName.Tasks);
  assert.ok(task.Id?.UniqueId, 'the saved task has an id');

  const storedTask = await Task.Bind(service, task.Id);
  assert.equal(storedTask.Subject, title);
  assert.equal(storedTask.Status, TaskStatus.InProgress);
  assert.equal(storedTask.Body.Text, 'Send the minutes');

  const listed = await service.FindItems(WellKnownFolderName.Tasks, new ItemView(10));
  assert.deepEqual(listed.Items.map((i) => i.Subject), [title]);

  // Another user's token opens another mailbox: Alice's appointment is not Bob's.
  const bob = await exchangeService(proxy, 'bob');
  const bobs = await bob.FindAppointments(WellKnownFolderName.Calendar, view);
  assert.deepEqual(bobs.Items, []);
});
