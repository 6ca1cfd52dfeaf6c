// Must NOT type-check (npm-package.test.mjs): a misspelt option.
import { mount } from '../../../pkg/index.js';

mount(document.body, { readonly: ['status'] });
