// The <exchange-form> custom element: one script tag and one element embed the widget.
//
//   <script type="module" src="https://proxy.example/www/exchange-form.js"></script>
//   <exchange-form kind="appointment" proxy="https://proxy.example" locale="fr"></exchange-form>
//
// Attributes: kind ("appointment" | "task"), proxy (base URL of the exchange-forms proxy;
// default: the origin this script was loaded from), locale (BCP 47; default: the browser's),
// auth-mode ("popup" | "redirect"). The widget dispatches `exchange-form:created` (bubbles,
// composed) on the element when it creates an item.

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

function addStylesOnce() {
  if (document.querySelector('link[data-exchange-forms]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = stylesUrl.href;
  link.dataset.exchangeForms = '';
  document.head.append(link);
}

const ATTRIBUTES = { kind: 'kind', proxy: 'proxy', locale: 'locale', 'auth-mode': 'authMode' };

class ExchangeFormElement extends HTMLElement {
  static get observedAttributes() { return Object.keys(ATTRIBUTES); }

  constructor() {
    super();
    this.handle = null;
    this.generation = 0;
  }

  options() {
    const options = { proxy: scriptOrigin };
    for (const [attribute, option] of Object.entries(ATTRIBUTES)) {
      if (this.hasAttribute(attribute)) options[option] = this.getAttribute(attribute);
    }
    return options;
  }

  async connectedCallback() {
    addStylesOnce();
    const generation = ++this.generation;
    try {
      const widget = await loadWidget();
      if (generation !== this.generation || !this.isConnected) return;
      this.unmount();
      this.handle = widget.mount(this, this.options());
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
    this.replaceChildren(message);
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
