//! Makes `pkg/` a publishable npm package: `package.json` (name, version from the widget's
//! Cargo.toml) next to the hand-written type declarations (`npm/index.d.ts`) and the stylesheet.

use crate::{Ctx, Result};

pub fn write(ctx: &Ctx) -> Result<()> {
    let pkg = ctx.root.join("pkg");
    let manifest = ctx.root.join("Cargo.toml");
    let cargo = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let version = package_version(&cargo).ok_or("Cargo.toml: no [package] version")?;
    for (from, to) in [
        ("npm/index.d.ts", "index.d.ts"),
        ("www/exchange-forms.css", "exchange-forms.css"),
    ] {
        std::fs::copy(ctx.root.join(from), pkg.join(to))
            .map_err(|e| format!("cannot copy {from} into pkg/: {e}"))?;
    }
    let json = format!(
        r#"{{
  "name": "exchange-forms",
  "version": "{version}",
  "description": "Embeddable Exchange appointment and task forms (WebAssembly)",
  "license": "MIT",
  "type": "module",
  "module": "exchange_forms.js",
  "types": "index.d.ts",
  "exports": {{
    ".": {{ "types": "./index.d.ts", "default": "./exchange_forms.js" }},
    "./exchange-forms.css": "./exchange-forms.css"
  }},
  "files": ["exchange_forms.js", "exchange_forms_bg*.wasm", "snippets/", "index.d.ts", "exchange-forms.css"],
  "sideEffects": false
}}
"#
    );
    std::fs::write(pkg.join("package.json"), json)
        .map_err(|e| format!("cannot write pkg/package.json: {e}"))
}

/// `version = "…"` of the manifest's `[package]` table.
fn package_version(manifest: &str) -> Option<&str> {
    let table = manifest.split("\n[package]").nth(1)?;
    let table = table.split("\n[").next()?;
    table.lines().find_map(|line| {
        let value = line.trim().strip_prefix("version")?.trim_start();
        value
            .strip_prefix('=')?
            .trim()
            .strip_prefix('"')?
            .strip_suffix('"')
    })
}

#[cfg(test)]
mod tests {
    use super::package_version;

    #[test]
    fn reads_the_package_version_not_another_tables() {
        let manifest = "[workspace.package]\nversion = \"9.9.9\"\n\n[package]\nname = \"x\"\nversion = \"0.3.1\"\n\n[dependencies]\nversion = \"1\"\n";
        assert_eq!(package_version(manifest), Some("0.3.1"));
        assert_eq!(package_version("[package]\nname = \"x\"\n"), None);
    }
}
