//! The widget's wasm32 dependency tree must stay free of the native server stack, and the
//! proxy built without its `sandbox` feature free of the fake Exchange.
//!
//! The widget ships to browsers: tokio, axum, hyper, sqlx or reqwest in its tree would mean a
//! server-side crate leaked into it (usually through a shared crate's default features), which
//! either breaks the wasm build later or bloats the download. The check reads the output of
//! `cargo tree -p exchange-forms --target wasm32-unknown-unknown -e normal --prefix depth`, so a
//! finding comes with the chain of crates that pulls the offender in.

/// Crates (and their `-*` companions such as `tokio-util`, `sqlx-core`) that must not appear.
/// utoipa: the model's OpenAPI schemas are for the proxy only (its `openapi` feature).
pub const FORBIDDEN: &[&str] = &["tokio", "axum", "hyper", "sqlx", "reqwest", "utoipa"];

/// One forbidden crate found in the tree, with the path from the root to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    /// The forbidden crate as cargo tree names it, e.g. `tokio v1.48.0`.
    pub krate: String,
    /// Root first, offender last, e.g. `["exchange-forms v0.1.0", "yew v0.23.0", "tokio v1.48.0"]`.
    pub chain: Vec<String>,
}

impl std::fmt::Display for Offence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (pulled in by {})",
            self.krate,
            self.chain.join(" -> ")
        )
    }
}

/// Whether a crate name is one of [`FORBIDDEN`] or one of its companions (`tokio-util`).
pub fn is_forbidden(name: &str) -> bool {
    FORBIDDEN.iter().any(|bad| {
        name == *bad
            || name
                .strip_prefix(bad)
                .is_some_and(|rest| rest.starts_with('-'))
    })
}

/// Parses `cargo tree --prefix depth` output and returns every forbidden crate with its chain.
///
/// Each line is `<depth><name> v<version>[ (<source>)][ (*)]`; a line whose depth is not a
/// number (cargo's warnings, blank lines) is ignored. Each forbidden crate is reported once,
/// at its first (shallowest-listed) occurrence.
pub fn find_offences(tree: &str) -> Vec<Offence> {
    let mut ancestors: Vec<String> = Vec::new();
    let mut offences: Vec<Offence> = Vec::new();
    for line in tree.lines() {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let Ok(depth) = line[..digits].parse::<usize>() else {
            continue;
        };
        let entry = crate_label(&line[digits..]);
        let Some(name) = entry.split_whitespace().next() else {
            continue;
        };
        ancestors.truncate(depth);
        ancestors.push(entry.clone());
        if is_forbidden(name) && !offences.iter().any(|o| o.krate == entry) {
            offences.push(Offence {
                krate: entry,
                chain: ancestors.clone(),
            });
        }
    }
    offences
}

/// What a production proxy (`--no-default-features`) must not contain: the sandbox crate and the
/// server side of the EWS codec.
pub const SANDBOX_ONLY: &[&str] = &[
    "exchange-forms-sandbox",
    "exchange-forms-ews feature \"server\"",
];

/// Lines of `cargo tree -e features,no-dev --prefix depth` output naming a [`SANDBOX_ONLY`]
/// crate or feature, each once.
pub fn sandbox_offences(tree: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in tree.lines() {
        let entry = line
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches(" (*)");
        let named = SANDBOX_ONLY
            .iter()
            .any(|bad| entry == *bad || entry.starts_with(&format!("{bad} ")));
        if named && !found.iter().any(|f| f == entry) {
            found.push(entry.to_owned());
        }
    }
    found
}

/// `name vX.Y.Z`, without the path/registry source and the `(*)` "already shown" marker.
fn crate_label(rest: &str) -> String {
    let mut words = rest.split_whitespace();
    match (words.next(), words.next()) {
        (Some(name), Some(version)) if version.starts_with('v') => format!("{name} {version}"),
        (Some(name), _) => name.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAN: &str = "\
0exchange-forms v0.1.0 (/home/user/exchange-forms)
1exchange-forms-model v0.1.0 (/home/user/exchange-forms/crates/model)
2chrono v0.4.42
3num-traits v0.2.19
2serde v1.0.228
1gloo-net v0.7.0
2futures-channel v0.3.31
3futures-core v0.3.31
1yew v0.23.0
2wasm-bindgen v0.2.130
2futures-core v0.3.31 (*)
";

    #[test]
    fn clean_tree_has_no_offence() {
        assert_eq!(find_offences(CLEAN), Vec::new());
    }

    #[test]
    fn reports_offender_with_the_chain_that_pulls_it_in() {
        let tree = "\
0exchange-forms v0.1.0 (/home/user/exchange-forms)
1exchange-forms-model v0.1.0 (/home/user/exchange-forms/crates/model)
2serde v1.0.228
1exchange-forms-ews v0.1.0 (/home/user/exchange-forms/crates/ews)
2quick-xml v0.42.0
2reqwest v0.12.24
3hyper v1.8.1
4tokio v1.48.0
1yew v0.23.0
2tokio v1.48.0 (*)
";
        let offences = find_offences(tree);
        let names: Vec<&str> = offences.iter().map(|o| o.krate.as_str()).collect();
        assert_eq!(names, ["reqwest v0.12.24", "hyper v1.8.1", "tokio v1.48.0"]);
        assert_eq!(
            offences[2].chain,
            [
                "exchange-forms v0.1.0",
                "exchange-forms-ews v0.1.0",
                "reqwest v0.12.24",
                "hyper v1.8.1",
                "tokio v1.48.0",
            ]
        );
        assert_eq!(
            offences[0].to_string(),
            "reqwest v0.12.24 (pulled in by exchange-forms v0.1.0 -> exchange-forms-ews v0.1.0 -> reqwest v0.12.24)"
        );
    }

    #[test]
    fn companions_are_forbidden_but_lookalikes_are_not() {
        assert!(is_forbidden("tokio"));
        assert!(is_forbidden("tokio-util"));
        assert!(is_forbidden("sqlx-core"));
        assert!(is_forbidden("axum-core"));
        assert!(!is_forbidden("tokioish"));
        assert!(!is_forbidden("hyperloglog"));
        assert!(!is_forbidden("wasm-bindgen"));
    }

    #[test]
    fn ignores_noise_lines() {
        let tree = "warning: something\n\n0exchange-forms v0.1.0 (/home/user/exchange-forms)\n1axum v0.8.9\n";
        let offences = find_offences(tree);
        assert_eq!(offences.len(), 1);
        assert_eq!(offences[0].chain, ["exchange-forms v0.1.0", "axum v0.8.9"]);
    }

    #[test]
    fn a_production_proxy_tree_without_the_sandbox_passes() {
        let tree = "\
0exchange-forms-proxy v0.1.0 (/home/user/exchange-forms/crates/proxy)
1exchange-forms-ews feature \"default\"
2exchange-forms-ews v0.1.0 (/home/user/exchange-forms/crates/ews)
3quick-xml feature \"default\"
";
        assert_eq!(sandbox_offences(tree), Vec::<String>::new());
    }

    #[test]
    fn the_sandbox_or_the_codecs_server_side_in_the_proxy_tree_is_reported() {
        let tree = "\
0exchange-forms-proxy v0.1.0 (/home/user/exchange-forms/crates/proxy)
1exchange-forms-sandbox feature \"default\"
2exchange-forms-sandbox v0.1.0 (/home/user/exchange-forms/crates/sandbox)
3exchange-forms-ews feature \"server\"
4exchange-forms-ews v0.1.0 (/home/user/exchange-forms/crates/ews)
1exchange-forms-ews feature \"server\" (*)
";
        assert_eq!(
            sandbox_offences(tree),
            [
                "exchange-forms-sandbox feature \"default\"",
                "exchange-forms-sandbox v0.1.0 (/home/user/exchange-forms/crates/sandbox)",
                "exchange-forms-ews feature \"server\"",
            ]
        );
    }
}
