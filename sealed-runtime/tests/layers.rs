//! The modules of `sealed-runtime` import only downward: each may use those before it in
//! `LAYERS`, never one after it (the facade `lib.rs` re-exports them all).

const LAYERS: [&str; 15] = [
    "facts",
    "aead",
    "credentials",
    "error",
    "secret",
    "runtime",
    "client",
    "decrypt",
    "flight",
    "bundle",
    "overrides",
    "sealed",
    "builder",
    "prefetch",
    "testing",
];

#[test]
fn every_module_imports_only_layers_below_it() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".rs").map(str::to_owned))
        .filter(|name| name != "lib")
        .collect();
    modules.sort();
    let mut listed: Vec<String> = LAYERS.iter().map(|l| (*l).to_owned()).collect();
    listed.sort();
    assert_eq!(modules, listed, "every module has its place in LAYERS");
    for (rank, module) in LAYERS.iter().enumerate() {
        // the code, without comments and doc comments (intra-doc links name anything)
        let text: String = std::fs::read_to_string(src.join(format!("{module}.rs")))
            .unwrap()
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        // no grouped imports (`crate::{a, b}`) and nothing through the facade (`crate::Sealed`,
        // `crate::__private`): every use names its module, so the check below sees it
        assert!(
            !text.contains("crate::{"),
            "`{module}` groups crate imports"
        );
        let through_facade = text.match_indices("crate::").any(|(at, _)| {
            text[at + 7..]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c == '_')
        });
        assert!(!through_facade, "`{module}` imports through the facade");
        for (index, other) in LAYERS.iter().enumerate() {
            let named = text.contains(&format!("crate::{other}::"))
                || text.contains(&format!("crate::{other};"))
                || text.contains(&format!("crate::{other}}}"));
            assert!(
                !(named && index >= rank && other != module),
                "`{module}` imports `{other}`, which is not below it"
            );
        }
    }
}
