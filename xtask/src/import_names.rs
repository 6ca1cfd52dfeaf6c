//! Short names for what the wasm imports from its JS glue.
//!
//! wasm-bindgen names each import `__wbg_<what>_<16 hex digits>` (some 200 of them), and every
//! name is written twice, in the wasm's import section and in the glue's import object: random
//! hex digits are what compression cannot shrink (about 7 KB gzip of the bundle). The names are
//! private to the two files, so they are renamed in both, to `$0`, `$1`, … in import order.

use crate::Result;
use std::collections::HashMap;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{Parser, Payload};

/// The module name wasm-bindgen gives the glue's own imports (`--target web`).
pub const GLUE_MODULE: &str = "./exchange_forms_bg.js";
/// What the glue's module is called once shortened.
const SHORT_MODULE: &str = "$";

/// The wasm and the glue with the glue's imports renamed consistently. Fails, naming what is
/// wrong, if the glue does not define an import the wasm asks for or already uses a short name.
pub fn shorten(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String)> {
    let mut renames: HashMap<String, String> = HashMap::new();
    let mut module = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| format!("the wasm does not parse: {e}"))?;
        if let Payload::ImportSection(reader) = &payload {
            let mut imports = wasm_encoder::ImportSection::new();
            for import in reader.clone().into_imports() {
                let import = import.map_err(|e| format!("the wasm's imports do not parse: {e}"))?;
                let ty = RoundtripReencoder
                    .entity_type(import.ty)
                    .map_err(|e| format!("cannot re-encode import {}: {e}", import.name))?;
                if import.module == GLUE_MODULE {
                    let count = renames.len();
                    let short = renames
                        .entry(import.name.to_owned())
                        .or_insert_with(|| format!("${count}"));
                    imports.import(SHORT_MODULE, short, ty);
                } else {
                    imports.import(import.module, import.name, ty);
                }
            }
            module.section(&imports);
        } else if let Some((id, range)) = payload.as_section() {
            module.section(&wasm_encoder::RawSection {
                id,
                data: &wasm[range],
            });
        }
    }
    let glue = rename_in_glue(glue, &renames)?;
    Ok((module.finish(), glue))
}

/// The glue with every identifier that is an old import name replaced by its short name, and
/// the module key of its import object shortened.
fn rename_in_glue(glue: &str, renames: &HashMap<String, String>) -> Result<String> {
    if renames.is_empty() {
        return Ok(glue.to_owned());
    }
    let module_key = format!("\"{GLUE_MODULE}\":");
    if glue.matches(&module_key).count() != 1 {
        return Err(format!(
            "expected the glue to name {module_key} once (did wasm-bindgen change its output?)"
        ));
    }
    let glue = glue.replace(&module_key, &format!("\"{SHORT_MODULE}\":"));
    let mut out = String::with_capacity(glue.len());
    let mut found = 0;
    let mut rest = glue.as_str();
    while let Some(start) = rest.find(is_identifier_char) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c| !is_identifier_char(c)).unwrap_or(rest.len());
        let word = &rest[..end];
        if word.len() > 1 && word.starts_with('$') && word[1..].bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!("the glue already uses the identifier {word}"));
        }
        match renames.get(word) {
            Some(short) => {
                found += 1;
                out.push_str(short);
            }
            None => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    if found < renames.len() {
        return Err(format!(
            "the glue defines {found} of the wasm's {} imports (did wasm-bindgen change its \
             output?)",
            renames.len()
        ));
    }
    Ok(out)
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, Instruction,
        TypeSection, ValType,
    };

    /// A module importing `(i32) -> i32` functions, and exporting a function `run` that calls
    /// the first of them.
    fn module_importing(imports: &[(&str, &str)]) -> Vec<u8> {
        let mut module = wasm_encoder::Module::new();
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32], [ValType::I32]);
        module.section(&types);
        let mut section = wasm_encoder::ImportSection::new();
        for (module_name, name) in imports {
            section.import(module_name, name, EntityType::Function(0));
        }
        module.section(&section);
        let mut functions = FunctionSection::new();
        functions.function(0);
        module.section(&functions);
        let mut exports = ExportSection::new();
        exports.export("run", ExportKind::Func, imports.len() as u32);
        module.section(&exports);
        let mut code = CodeSection::new();
        let mut body = Function::new([]);
        body.instruction(&Instruction::LocalGet(0));
        body.instruction(&Instruction::Call(0));
        body.instruction(&Instruction::End);
        code.function(&body);
        module.section(&code);
        module.finish()
    }

    fn imports_of(wasm: &[u8]) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::ImportSection(reader) = payload.unwrap() {
                for import in reader.into_imports() {
                    let import = import.unwrap();
                    found.push((import.module.to_owned(), import.name.to_owned()));
                }
            }
        }
        found
    }

    #[test]
    fn glue_imports_get_short_names_in_the_wasm_and_the_glue() {
        let wasm = module_importing(&[
            (GLUE_MODULE, "__wbg_alert_0123456789abcdef"),
            ("./snippets/x/dpop.js", "proof"),
            (GLUE_MODULE, "__wbg_alert_fedcba9876543210"),
        ]);
        let glue = "function imports() {\n    const import0 = {\n        \
            __wbg_alert_0123456789abcdef: function(a) { return alert(a); },\n        \
            __wbg_alert_fedcba9876543210: function(a) { return a; },\n    };\n    \
            return { \"./exchange_forms_bg.js\": import0, \"./snippets/x/dpop.js\": import1 };\n}\n";

        let (wasm, glue) = shorten(&wasm, glue).unwrap();

        assert_eq!(
            imports_of(&wasm),
            [
                ("$".to_owned(), "$0".to_owned()),
                ("./snippets/x/dpop.js".to_owned(), "proof".to_owned()),
                ("$".to_owned(), "$1".to_owned()),
            ]
        );
        assert!(
            glue.contains("$0: function(a) { return alert(a); }"),
            "{glue}"
        );
        assert!(glue.contains("$1: function(a) { return a; }"), "{glue}");
        assert!(glue.contains("\"$\": import0"), "{glue}");
        assert!(!glue.contains("__wbg_"), "{glue}");
        wasmparser::validate(&wasm).unwrap();
    }

    #[test]
    fn a_glue_missing_an_import_or_using_a_short_name_is_refused() {
        let wasm = module_importing(&[(GLUE_MODULE, "__wbg_alert_0123456789abcdef")]);
        let missing = "const import0 = {}; return { \"./exchange_forms_bg.js\": import0 };";
        assert!(shorten(&wasm, missing).is_err());
        let clash = "const $0 = 1; const import0 = { __wbg_alert_0123456789abcdef: f }; \
            return { \"./exchange_forms_bg.js\": import0 };";
        assert!(shorten(&wasm, clash).is_err());
    }
}
