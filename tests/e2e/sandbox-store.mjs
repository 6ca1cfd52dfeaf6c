// The sandbox mailbox's SQLite store, filled directly: a calendar of thousands of appointments in
// a second (through the JSON API it would take minutes). Each appointment is a copy of one the
// widget created through the proxy, under its own id, change key, subject, UID and time, so
// what the widget then reads is exactly what a user with such a calendar would see.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { uniqueSubject, UI_TIMEOUT, wallClock } from './harness.mjs';
import { appointmentForm, fillAppointment, submitAndSignIn } from './widget.mjs';

/**
 * Signs in the way a user does, on the widget's page (the appointment form): the first Create
 * opens the sign-in popup. Returns the id in the store of the appointment it created (tomorrow
 * 08:00), the template of `fillCalendar`'s copies.
 */
export async function signInWithTemplate(page, proxy) {
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  const subject = uniqueSubject('Template');
  await fillAppointment(form, { subject, start: wallClock(1, 8), end: wallClock(1, 8, 30), location: 'Room 1' });
  await submitAndSignIn(page, form, { subject, user: 'alice' });
  const id = sql(proxy.dataDir, `SELECT id FROM items WHERE subject = '${subject}'`);
  if (!id) throw new Error('the template appointment is not in the sandbox store');
  return id;
}

/** Runs SQL on the sandbox mailbox's store (the proxy keeps running: SQLite's WAL allows it). */
export function sql(dataDir, statement) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(dataDir, 'sandbox.sqlite'), statement], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }).trim();
}

/**
 * Tops the calendar up to `size` appointments: copies of `templateId` spread over the five days
 * after tomorrow's local midnight (inside both the widget's default week and any longer window),
 * 30 minutes each, with their own ids, change keys, subjects, UIDs and times.
 */
export function fillCalendar(dataDir, templateId, size) {
  const have = Number(sql(dataDir, "SELECT COUNT(*) FROM items WHERE folder = 'calendar'"));
  const missing = size - have;
  if (missing <= 0) return have;
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(0, 0, 0, 0);
  const first = Math.floor(tomorrow.getTime() / 1000);
  const step = Math.floor((5 * 86_400) / missing);
  const at = (offset) => `strftime('%Y-%m-%dT%H:%M:%SZ', ${first} + (seq.i - 1) * ${step}${offset}, 'unixepoch')`;
  const tag = `${have}-`;
  sql(dataDir, `
    BEGIN;
    WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${missing})
    INSERT INTO items (id, change_key, mailbox, folder, item_class, subject, start_utc, end_utc,
                       client_request_id, data, created_at, updated_at, uid, recurring)
    SELECT 'AAMkSBXbench${tag}' || seq.i, 'CQAAABbench' || seq.i, t.mailbox, t.folder, t.item_class,
           'Bench ${tag}' || seq.i, ${at('')}, ${at(' + 1800')}, NULL,
           json_set(t.data,
                    '$.itemId.id', 'AAMkSBXbench${tag}' || seq.i,
                    '$.itemId.changeKey', 'CQAAABbench' || seq.i,
                    '$.subject', 'Bench ${tag}' || seq.i,
                    '$.start', ${at('')},
                    '$.end', ${at(' + 1800')},
                    '$.uid', 'bench-${tag}' || seq.i,
                    '$.extendedProperties', json('[]')),
           t.created_at, t.updated_at, 'bench-${tag}' || seq.i, 0
    FROM seq, (SELECT * FROM items WHERE id = '${templateId}') AS t;
    COMMIT;`);
  // The stored item (what EWS answers) must carry the copy's own id and times, not the template's.
  const [count, ids, times] = sql(dataDir, `SELECT COUNT(*), COUNT(DISTINCT json_extract(data, '$.itemId.id')),
    SUM(json_extract(data, '$.start') = start_utc) FROM items WHERE folder = 'calendar'`).split('|').map(Number);
  if (ids !== count || times !== count) {
    throw new Error(`the copies do not match their rows: ${count} items, ${ids} ids, ${times} matching starts`);
  }
  return count;
}
