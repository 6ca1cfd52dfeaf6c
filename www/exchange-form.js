// The <exchange-form> custom element: one script tag and one element embed the widget.
//
//   <script type="module" src="https://proxy.example/www/exchange-form.js"></script>
//   <exchange-form kind="appointment" proxy="https://proxy.example" locale="fr"></exchange-form>
//
// The form renders into the element's shadow root with its own stylesheet (a <link>, so a
// strict `style-src` CSP allows it): the page's CSS cannot reach the form, nor ours the page.
// Attributes, methods, parts and events are listed in docs/embedding.md.

const moduleUrl = new URL('../pkg/exchange_forms.js', import.meta.url);
const wasmUrl = new URL('../pkg/exchange_forms_bg.wasm', import.meta.url);
const stylesUrl = new URL('./exchange-forms.css', import.meta.url);
const scriptOrigin = new URL(import.meta.url).origin;

let ready = null;

/**
 * Imports and initialises the wasm module once, shared by every element on the page. The wasm
 * is fetched and compiled (`WebAssembly.compileStreaming`: the proxy sends application/wasm)
 * from its stable name while the glue (`pkg/exchange_forms.js`) loads, rather than after it:
 * the glue alone knows the wasm's content-hashed name. On a repeat visit the wasm is
 * revalidated (304) alongside the glue.
 */
function loadWidget() {
  if (!ready) {
    const compiled = WebAssembly.compileStreaming(fetch(wasmUrl));
    ready = Promise.all([import(moduleUrl.href), compiled]).then(async ([widget, module]) => {
      await widget.default({ module_or_path: module });
      return widget;
    });
    ready.catch(() => { ready = null; });
  }
  return ready;
}

// Attribute -> mount() option; `values` is JSON, the two lists are field names.
const ATTRIBUTES = {
  kind: 'kind', proxy: 'proxy', locale: 'locale', 'auth-mode': 'authMode', 'time-zone': 'timeZone',
  values: 'values', 'read-only-fields': 'readOnly', 'hidden-fields': 'hidden', heading: 'heading',
};
const list = (text) => text.split(/[\s,]+/).filter(Boolean);

// ::part() names on the main pieces of the form, for the page's own CSS.
const PARTS = {
  form: '.xf-form', field: '.xf-field', input: 'input,select,textarea', button: '.xf-button',
  error: '.xf-error,.xf-summary,.xf-notice--error', list: '.xf-list',
};

function exposeParts(root) {
  for (const [part, selector] of Object.entries(PARTS)) {
    for (const element of root.querySelectorAll(selector)) element.part.add(part);
  }
}

class ExchangeFormElement extends HTMLElement {
  static get observedAttributes() { return Object.keys(ATTRIBUTES); }

  constructor() {
    super();
    this.handle = null;
    this.generation = 0;
    this.destroyed = false;
    this.mounted = new Promise((resolve) => { this.resolveMounted = resolve; });
    const root = this.attachShadow({ mode: 'open' });
    const styles = document.createElement('link');
    styles.rel = 'stylesheet';
    styles.href = stylesUrl.href;
    this.container = document.createElement('div');
    root.append(styles, this.container);
    new MutationObserver(() => exposeParts(this.container))
      .observe(this.container, { childList: true, subtree: true });
  }

  options() {
    const options = { proxy: scriptOrigin };
    for (const [attribute, option] of Object.entries(ATTRIBUTES)) {
      const value = this.getAttribute(attribute);
      if (value === null) continue;
      if (option === 'values') options.values = JSON.parse(value);
      else options[option] = option === 'readOnly' || option === 'hidden' ? list(value) : value;
    }
    return options;
  }

  async connectedCallback() {
    if (this.destroyed) return;
    const generation = ++this.generation;
    try {
      const widget = await loadWidget();
      if (generation !== this.generation || !this.isConnected) return;
      this.unmount();
      this.handle = widget.mount(this.container, this.options());
      this.resolveMounted(this);
    } catch (error) {
      if (generation !== this.generation) return;
      this.showError(error);
    }
  }

  disconnectedCallback() {
    this.generation += 1;
    this.unmount();
  }

  attributeChangedCallback(_name, oldValue, newValue) {
    if (oldValue !== newValue && this.handle) {
      this.unmount();
      this.connectedCallback();
    }
  }

  /** The form's values by field name (`subject`, `start`, `dueDate`, …). */
  getValues() { return this.mountedHandle().getValues(); }

  /** Fills the named fields; throws on a field the form does not have. */
  setValues(values) { this.mountedHandle().setValues(values); }

  /** Removes the form for good (an element put back in the page stays empty). */
  destroy() {
    this.destroyed = true;
    this.disconnectedCallback();
  }

  mountedHandle() {
    if (!this.handle) throw new Error('exchange-form: the form is not mounted (await element.mounted)');
    return this.handle;
  }

  unmount() {
    if (this.handle) {
      this.handle.destroy();
      this.handle.free?.();
      this.handle = null;
    }
  }

  showError(error) {
    console.error('exchange-form:', error);
    const message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.className = 'xf-notice xf-notice--error';
    message.textContent = `The form could not be loaded: ${error?.message ?? error}`;
    const box = document.createElement('div');
    box.className = 'xf';
    box.append(message);
    this.container.replaceChildren(box);
  }
}

if (!customElements.get('exchange-form')) {
  customElements.define('exchange-form', ExchangeFormElement);
}

// Start fetching and compiling now rather than when the first element connects: a page that
// loads this script shows a form, maybe one it adds later. Errors surface in the elements.
loadWidget().catch(() => {});

// A page's first Intl.DateTimeFormat loads the date data (10-25 ms) the first render needs.
try { new Intl.DateTimeFormat(); } catch { /* no Intl: dates fall back to ISO text */ }
