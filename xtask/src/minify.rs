//! Minifies the JavaScript modules the build writes into `pkg/` (wasm-bindgen's glue and its
//! snippets): comments, indentation and long local names are a third of their gzip size.
//! Exports, property names and function and class names are kept, so nothing that imports
//! these modules or reads a name sees a difference. Sources (`www/`, `src/js/`) stay as written.

use crate::Result;
use oxc_allocator::Allocator;
use oxc_codegen::{Codegen, CodegenOptions};
use oxc_minifier::{
    CompressOptions, CompressOptionsKeepNames, MangleOptions, MangleOptionsKeepNames, Minifier,
    MinifierOptions,
};
use oxc_parser::Parser;
use oxc_span::SourceType;
use std::path::Path;

/// `source`, an ES module, minified.
pub fn module(source: &str) -> Result<String> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::mjs()).parse();
    if let Some(error) = parsed.diagnostics.first() {
        return Err(format!("cannot parse the module to minify it: {error}"));
    }
    let mut program = parsed.program;
    let options = MinifierOptions {
        mangle: Some(MangleOptions {
            keep_names: MangleOptionsKeepNames::all_true(),
            ..MangleOptions::default()
        }),
        compress: Some(CompressOptions {
            keep_names: CompressOptionsKeepNames::all_true(),
            ..CompressOptions::smallest()
        }),
        ..MinifierOptions::default()
    };
    let minified = Minifier::new(options).minify(&allocator, &mut program);
    Ok(Codegen::new()
        .with_options(CodegenOptions::minify())
        .with_scoping(minified.scoping)
        .with_private_member_mappings(minified.class_private_mappings)
        .build(&program)
        .code)
}

/// Minifies the module at `path` in place.
pub fn file_in_place(path: &Path) -> Result<()> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let minified = module(&source).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(path, minified).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_gets_smaller_and_keeps_its_exports_and_names() {
        let source = "\
            // A comment that goes.\n\
            export class WidgetHandle {\n    destroy() { return 1; }\n}\n\
            function helperWithALongName(argumentWithALongName) {\n    \
                return argumentWithALongName + 1;\n}\n\
            export function mount(element) {\n    return helperWithALongName(element);\n}\n\
            export { mount as default };\n";
        let minified = module(source).unwrap();
        assert!(minified.len() < source.len() * 3 / 4, "{minified}");
        assert!(!minified.contains("comment"), "{minified}");
        assert!(!minified.contains("argumentWithALongName"), "{minified}");
        for kept in ["WidgetHandle", "destroy", "mount", "default"] {
            assert!(minified.contains(kept), "{kept} is gone: {minified}");
        }
    }

    #[test]
    fn a_module_that_does_not_parse_is_refused() {
        assert!(module("export function (").is_err());
    }
}
