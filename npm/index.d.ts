// Type declarations of the `exchange-forms` npm package (pkg/ as the build writes it): the
// wasm module's initialiser, mount(), its options and handle, and the host element's events.
// Kept by hand (wasm-bindgen only knows `any` for the options and values); the build copies it.

/** The names of the form's fields, as the proxy's JSON API spells them. */
export type AppointmentField =
  | 'subject' | 'start' | 'end' | 'location' | 'body' | 'timeZone' | 'allDay' | 'reminder'
  | 'showAs' | 'importance' | 'private' | 'categories' | 'requiredAttendees'
  | 'optionalAttendees' | 'rooms' | 'recurrence';
export type TaskField =
  | 'subject' | 'dueDate' | 'status' | 'body' | 'startDate' | 'percentComplete' | 'importance'
  | 'categories' | 'reminderAt' | 'recurrence';
export type FieldName = AppointmentField | TaskField;

/** Field values by name: text fields take strings (`start`: `YYYY-MM-DDTHH:MM`, local). */
export interface FormValues {
  subject?: string;
  start?: string;
  end?: string;
  /** Sets `end` that many minutes after `start` (appointments; `setValues` and `values`). */
  durationMinutes?: number | string;
  location?: string;
  body?: string;
  timeZone?: string;
  allDay?: boolean;
  reminder?: string;
  private?: boolean;
  categories?: string[];
  requiredAttendees?: string[];
  optionalAttendees?: string[];
  rooms?: string[];
  dueDate?: string;
  status?: 'NotStarted' | 'InProgress' | 'Completed' | 'WaitingOnOthers' | 'Deferred';
  startDate?: string;
  percentComplete?: string;
  reminderAt?: string;
  [field: string]: unknown;
}

export interface MountOptions {
  /** The proxy's base URL; default: the page's origin. */
  proxy?: string;
  kind?: 'appointment' | 'task';
  /** BCP 47 tag, e.g. `fr`; default: the browser's language. */
  locale?: string;
  authMode?: 'popup' | 'redirect';
  /** Prefilled values; the form goes back to them after each item it creates. */
  values?: FormValues;
  /** Fields shown but not editable by the user. */
  readOnly?: FieldName[];
  /** Fields not shown; their values are still sent. */
  hidden?: FieldName[];
  /** IANA zone of an appointment's start and end; default: the browser's. */
  timeZone?: string;
  /**
   * The new-item form's title (at most 120 characters); it also names the form's landmarks,
   * so two forms of one kind on a page each need their own. Default: "New appointment" /
   * "New task" in the form's language.
   */
  heading?: string;
}

export interface WidgetHandle {
  /** The current form's values (fields at their default are left out). */
  getValues(): FormValues;
  /** Fills the named fields; throws, changing nothing, on an unknown field or a bad value. */
  setValues(values: FormValues): void;
  /** Unmounts the form (idempotent). */
  destroy(): void;
  readonly destroyed: boolean;
  free(): void;
}

/** Mounts the form into `element`; throws an `Error` naming a bad option. */
export function mount(element: Element, options?: MountOptions): WidgetHandle;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;
/** Loads the wasm (default: next to this module). Call once before `mount`. */
export default function init(
  moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> },
): Promise<unknown>;

/** The `detail` of each event on the host element (`exchange-form:<name>`, bubbles, composed). */
export interface ExchangeFormEventMap {
  'exchange-form:created': CustomEvent<Record<string, unknown> & { id: string; subject: string }>;
  'exchange-form:updated': CustomEvent<Record<string, unknown> & { id: string; subject: string }>;
  'exchange-form:deleted': CustomEvent<{ id: string; subject: string }>;
  'exchange-form:cancelled': CustomEvent<{ id: string; subject: string; message?: string }>;
  'exchange-form:responded': CustomEvent<{ id: string; subject: string; reply?: string; message?: string }>;
  /** `error`: the API's error code (`validation_failed`, `forbidden`, …) or `network_error`,
   *  `server_error`, `unexpected_answer`; `message`: what the form shows; `fields`: each
   *  refused field's message (`validation_failed`). */
  'exchange-form:error': CustomEvent<{ error: string; message: string; fields?: Record<string, string> }>;
  'exchange-form:authorization-required': CustomEvent<{ mode: 'popup' | 'redirect' }>;
  'exchange-form:authorized': CustomEvent<{ user: string | null }>;
}

declare global {
  interface HTMLElementEventMap extends ExchangeFormEventMap {}
}
