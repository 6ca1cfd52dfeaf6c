// How a TypeScript host uses the npm package: checked with `tsc --noEmit` by
// npm-package.test.mjs against pkg/ as the build writes it.
import init, { mount, type WidgetHandle, type FormValues } from 'exchange-forms';

export async function show(slot: HTMLElement): Promise<WidgetHandle> {
  await init();
  const handle = mount(slot, { kind: 'task', values: { subject: 'Buy milk' }, readOnly: ['status'], hidden: ['body'], heading: 'Shopping' });
  const values: FormValues = handle.getValues();
  handle.setValues({ subject: `${values.subject ?? ''}!` });
  slot.addEventListener('exchange-form:error', (event) => console.log(event.detail.error, event.detail.message));
  slot.addEventListener('exchange-form:authorized', (event) => console.log(event.detail.user));
  return handle;
}
