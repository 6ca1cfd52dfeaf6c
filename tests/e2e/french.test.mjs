// The French interface end to end: a browser whose language is French gets every label, error,
// recurrence summary, confirmation and list heading in French, creates a repeating appointment and
// a task through the sign-in popup, and the result is the same in the mailbox as in English.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newContext, screenshot, startProxy, uniqueSubject, wallClock, UI_TIMEOUT } from './harness.mjs';
import { expectNoAxeViolations } from './axe.mjs';
import {
  apiFromPage, appointmentForm, confirmation, createdEvents, listSection, mailboxTasks, submitAndSignIn, taskForm,
} from './widget.mjs';

test('in French: labels, an inline error, the recurrence summary, a meeting and a task created and listed', async (t) => {
  const proxy = await startProxy(t);
  const browser = await launchBrowser(t);
  const context = await newContext(browser, t, { locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(proxy.url);
  const form = appointmentForm(page);
  await form.waitFor({ timeout: UI_TIMEOUT });
  await page.waitForLoadState('networkidle');

  await form.getByRole('heading', { name: 'Nouveau rendez-vous' }).waitFor({ timeout: UI_TIMEOUT });
  for (const label of ['Objet', 'Début', 'Lieu', 'Description', 'Fuseau horaire', 'Répétition']) {
    assert.equal(await form.getByLabel(label, { exact: false }).count() > 0, true, `a field labelled "${label}"`);
  }
  assert.equal(await form.locator('button[type="submit"]').innerText(), 'Créer');
  await screenshot(page, 'fr-appointment-empty');
  await expectNoAxeViolations(page, 'French appointment form');

  // Nothing typed: the error is French, tied to its field, and takes the focus.
  await form.locator('button[type="submit"]').click();
  const subjectField = form.locator('[name="subject"][aria-invalid="true"]');
  await subjectField.waitFor({ timeout: UI_TIMEOUT });
  const describedBy = await subjectField.getAttribute('aria-describedby');
  const message = await page.locator(`[id="${describedBy.split(/\s+/)[0]}"]`).innerText();
  assert.match(message, /^\W*Saisissez un objet\.$/, `the error is French: ${message}`);
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'subject', null, { timeout: UI_TIMEOUT });
  await expectNoAxeViolations(page, 'French inline error');

  const subject = uniqueSubject('Point d’équipe');
  await form.locator('[name="subject"]').fill(subject);
  // The series starts on the next Monday or Thursday (1 to 4 days ahead), so that its first
  // meeting is in the agenda's first 7 days whatever day the test runs: started on a Friday, an
  // every-2-weeks Monday and Thursday series would first meet 10 days later.
  const day = [1, 2, 3, 4].find((n) => {
    const date = new Date();
    date.setDate(date.getDate() + n);
    return [1, 4].includes(date.getDay());
  });
  await form.locator('[name="start"]').fill(wallClock(day, 9));
  await form.locator('[name="end"]').fill(wallClock(day, 9, 30));
  await form.locator('[name="location"]').fill('Salle Lumière');
  await form.getByLabel('Répétition').selectOption({ label: 'Toutes les semaines' });
  await form.getByLabel('Tous les (jours, semaines ou mois)').fill('2');
  await form.getByRole('checkbox', { name: 'lundi' }).check();
  await form.getByRole('checkbox', { name: 'jeudi' }).check();
  await form.getByLabel('Se termine').selectOption({ label: 'Après un nombre de fois' });
  await form.getByLabel('Nombre de fois').fill('6');
  await form.locator('.xf-summary-line').filter({ hasText: 'Toutes les 2 semaines le lun. et jeu., 6 fois' })
    .waitFor({ timeout: UI_TIMEOUT });
  await form.getByLabel('Rappel').selectOption({ label: '15 minutes avant' });
  await screenshot(page, 'fr-appointment-filled');
  await expectNoAxeViolations(page, 'French meeting with recurrence');

  await submitAndSignIn(page, form, { subject });
  const done = await confirmation(page, subject).first().innerText();
  assert.match(done, new RegExp(`« ${subject} » créé le`), `the confirmation is French: ${done}`);
  const [event] = await createdEvents(page);
  const { status, body } = await apiFromPage(page, proxy.url, `api/appointments/${encodeURIComponent(event.detail.id)}`);
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body.recurrence.pattern, { weekly: { interval: 2, days: ['monday', 'thursday'] } });
  assert.deepEqual(body.recurrence.end, { count: { count: 6 } });
  assert.equal(body.reminderMinutes, 15);
  assert.equal(body.location, 'Salle Lumière');

  // The agenda lists it under its French heading.
  await listSection(page, 'Rendez-vous à venir').getByText(subject).first().waitFor({ timeout: UI_TIMEOUT });

  // The task form, in French too.
  await page.getByRole('tab', { name: 'Task' }).click();
  const tasks = taskForm(page);
  await tasks.waitFor({ timeout: UI_TIMEOUT });
  await tasks.getByRole('heading', { name: 'Nouvelle tâche' }).waitFor({ timeout: UI_TIMEOUT });
  const statusLabels = await tasks.locator('[name="status"] option').allInnerTexts();
  assert.deepEqual(statusLabels, ['Non commencée', 'En cours', 'Terminée', 'En attente d’autres personnes', 'Reportée']);
  const taskSubject = uniqueSubject('Relire le contrat');
  await tasks.locator('[name="subject"]').fill(taskSubject);
  await tasks.getByLabel('Échéance').fill('2027-01-15');
  await tasks.locator('[name="status"]').selectOption({ label: 'En cours' });
  await screenshot(page, 'fr-task-filled');
  await expectNoAxeViolations(page, 'French task form');
  await tasks.locator('button[type="submit"]').click();
  const taskDone = await confirmation(page, taskSubject).first().innerText({ timeout: UI_TIMEOUT });
  assert.match(taskDone, new RegExp(`Tâche « ${taskSubject} » créée, échéance`), `the confirmation is French: ${taskDone}`);
  await listSection(page, 'Tâches').getByText(taskSubject).first().waitFor({ timeout: UI_TIMEOUT });
  const stored = (await mailboxTasks(page, proxy.url)).filter((x) => x.subject === taskSubject);
  assert.equal(stored.length, 1, 'exactly one task in the mailbox');
  assert.equal(stored[0].status, 'InProgress');
  assert.equal(stored[0].dueDate, '2027-01-15');
  assert.deepEqual(context.pageErrors, []);
});
