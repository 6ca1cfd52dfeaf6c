//! Puts the wasm-bindgen snippets (`pkg/snippets/…/*.js`, the widget's own JS modules) into the
//! glue that imports them. A snippet is a module the browser finds only once it has the glue,
//! so it cost a round trip of its own before the wasm could start (and a revalidation on every
//! repeat visit). Inlined, each becomes an object built at the top of the glue; the glue's
//! imports of it become reads of that object, and nothing else in the glue changes.

use crate::Result;
use oxc_allocator::Allocator;
use oxc_ast::ast::{Declaration, ImportDeclarationSpecifier, Statement};
use oxc_parser::Parser;
use oxc_span::SourceType;

/// `glue` with every import of `specifier` replaced by the module `snippet` itself, built into
/// the top-level constant `object` (a name of its own for each snippet inlined).
pub fn inline(glue: &str, specifier: &str, snippet: &str, object: &str) -> Result<String> {
    let module = snippet_as_object(snippet)?;
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, glue, SourceType::mjs()).parse();
    if let Some(error) = parsed.diagnostics.first() {
        return Err(format!("cannot parse the glue: {error}"));
    }
    // (start, end, replacement) of each import of the snippet, in source order.
    let mut edits = Vec::new();
    for statement in &parsed.program.body {
        let Statement::ImportDeclaration(import) = statement else {
            continue;
        };
        if import.source.value.as_str() != specifier {
            continue;
        }
        let span = import.span;
        let replacement = if edits.is_empty() {
            format!("const {object} = {module};\n")
        } else {
            String::new()
        };
        let mut bindings = Vec::new();
        for binding in import.specifiers.iter().flatten() {
            bindings.push(match binding {
                ImportDeclarationSpecifier::ImportSpecifier(named) => format!(
                    "const {} = {object}[{:?}];",
                    named.local.name.as_str(),
                    named.imported.name().as_str()
                ),
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(namespace) => {
                    format!("const {} = {object};", namespace.local.name.as_str())
                }
                ImportDeclarationSpecifier::ImportDefaultSpecifier(_) => {
                    return Err(format!("{specifier}: a default import cannot be inlined"));
                }
            });
        }
        edits.push((
            span.start as usize,
            span.end as usize,
            replacement + &bindings.join("\n"),
        ));
    }
    if edits.is_empty() {
        return Err(format!("the glue does not import {specifier}"));
    }
    let mut out = glue.to_owned();
    for (start, end, replacement) in edits.into_iter().rev() {
        out.replace_range(start..end, &replacement);
    }
    Ok(out)
}

/// `snippet` (an ES module without imports, exporting function and variable declarations) as
/// a JS expression: an arrow function called at once that returns its exports.
fn snippet_as_object(snippet: &str) -> Result<String> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, snippet, SourceType::mjs()).parse();
    if let Some(error) = parsed.diagnostics.first() {
        return Err(format!("cannot parse the snippet: {error}"));
    }
    let mut body = snippet.to_owned();
    let mut exports = Vec::new();
    // `export ` prefixes to drop, as (start, end), in source order.
    let mut prefixes = Vec::new();
    for statement in &parsed.program.body {
        match statement {
            Statement::ExportDeclaration(export) => {
                let names = match &export.declaration {
                    Declaration::FunctionDeclaration(function) => {
                        function.id.iter().map(|id| id.name.to_string()).collect()
                    }
                    Declaration::VariableDeclaration(variables) => variables
                        .declarations
                        .iter()
                        .map(|d| {
                            d.id.get_binding_identifier()
                                .map(|id| id.name.to_string())
                                .ok_or("a destructuring export cannot be inlined")
                        })
                        .collect::<std::result::Result<Vec<_>, _>>()?,
                    _ => return Err("only functions and variables can be inlined".into()),
                };
                exports.extend(names);
                let declaration_start = match &export.declaration {
                    Declaration::FunctionDeclaration(function) => function.span.start,
                    Declaration::VariableDeclaration(variables) => variables.span.start,
                    _ => unreachable!("refused above"),
                };
                prefixes.push((export.span.start as usize, declaration_start as usize));
            }
            Statement::ImportDeclaration(_) => {
                return Err("a snippet that imports other modules cannot be inlined".into());
            }
            other if other.is_module_declaration() => {
                return Err("only `export function` and `export const` can be inlined".into());
            }
            _ => {}
        }
    }
    for (start, end) in prefixes.into_iter().rev() {
        body.replace_range(start..end, "");
    }
    Ok(format!(
        "(() => {{\n{body}\nreturn {{ {} }};\n}})()",
        exports.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNIPPET: &str = "\
        const secret = 41;\n\
        const helper = () => secret + 1;\n\
        export async function answer(x) { return helper() + x; }\n\
        export const name = 'snippet';\n";

    #[test]
    fn imports_of_the_snippet_become_reads_of_the_inlined_module() {
        let glue = "\
            import { answer } from './snippets/x/dpop.js';\n\
            import * as import1 from \"./snippets/x/dpop.js\"\n\
            import { name as n } from './snippets/x/dpop.js';\n\
            import { other } from './elsewhere.js';\n\
            export function run() { return [answer(1), import1.name, n, other]; }\n";
        let out = inline(glue, "./snippets/x/dpop.js", SNIPPET, "__snippet0").unwrap();
        assert!(!out.contains("snippets/x/dpop.js"), "{out}");
        assert!(
            out.contains("import { other } from './elsewhere.js';"),
            "{out}"
        );
        assert!(
            out.contains("const answer = __snippet0[\"answer\"];"),
            "{out}"
        );
        assert!(out.contains("const import1 = __snippet0;"), "{out}");
        assert!(out.contains("const n = __snippet0[\"name\"];"), "{out}");
        assert!(out.contains("return { answer, name };"), "{out}");
        // The snippet's private names stay inside its function: nothing leaks into the glue.
        assert!(out.contains("(() => {\nconst secret = 41;"), "{out}");
        assert!(out.contains("async function answer(x)"), "{out}");
        assert!(!out.contains("export async"), "{out}");
        assert!(out.contains("export function run()"), "{out}");
        // Still a module the minifier (and so a browser) parses.
        crate::minify::module(&out).unwrap();
    }

    #[test]
    fn what_cannot_be_inlined_is_refused() {
        let glue = "import { a } from './s.js';\n";
        for snippet in [
            "import x from './y.js';\nexport function a() {}",
            "export default function a() {}",
            "function a() {}\nexport { a };",
            "export const { a } = {};",
            "export class A {}",
        ] {
            assert!(inline(glue, "./s.js", snippet, "s").is_err(), "{snippet}");
        }
        assert!(inline(glue, "./other.js", "export function a() {}", "s").is_err());
    }
}
