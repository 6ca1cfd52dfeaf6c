// pkg/ as an npm package: the manifest the build writes points at files that exist, carries
// the widget's version, and its type declarations type-check a host's usage (tsc --noEmit).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

test('pkg/package.json names the widget version and files that exist', () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'pkg/package.json'), 'utf8'));
  const cargo = readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8').split('\n[package]')[1];
  assert.equal(manifest.version, /\nversion = "([^"]+)"/.exec(cargo)[1]);
  assert.equal(manifest.name, 'exchange-forms');
  for (const file of [manifest.module, manifest.types, manifest.exports['.'].default, manifest.exports['./exchange-forms.css']]) {
    assert.ok(existsSync(path.join(ROOT, 'pkg', file)), `${file} is in pkg/`);
  }
});

test('the type declarations check a host page\'s usage with tsc', () => {
  const tsc = path.join(ROOT, 'tests/e2e/node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tests/e2e/types/tsconfig.json')], { stdio: 'pipe' });
  // And a misuse is refused: an option that does not exist.
  assert.throws(() => execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'ES2022', '--module', 'ESNext',
    '--moduleResolution', 'Bundler', '--lib', 'ES2022,DOM', path.join(ROOT, 'tests/e2e/types/misuse.ts')], { stdio: 'pipe' }),
  (error) => /'readonly' does not exist/.test(String(error.stdout)));
});
