//! The module structure ARCHITECTURE.md promises, read from the sources: no import cycles
//! between top-level modules, Typst only behind `typeset` (and `fonts`, which loads font files
//! into Typst's types), and `documents` independent of how templates are loaded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its code names through `crate::` (the crate root's
/// re-exports, such as `crate::Engine`, are the facade and not counted).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap().as_os_str().to_str().unwrap();
            let module = first.trim_end_matches(".rs").to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let code: String = std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .map(|line| line.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            let used = graph.entry(module.clone()).or_default();
            for name in crate_paths(&code) {
                if name != module && name.starts_with(|c: char| c.is_ascii_lowercase()) {
                    used.insert(name);
                }
            }
        }
    }
    graph
}

/// The first segment of every `crate::…` path, `crate::{a, b::c}` groups included.
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |text: &str| -> String {
        text.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
    };
    let mut names = Vec::new();
    for (start, _) in code.match_indices("crate::") {
        let rest = &code[start + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut item_start) = (0, 0);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        names.push(ident(&group[item_start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(ident(&group[item_start..i]));
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            names.push(ident(rest));
        }
    }
    names.retain(|name| !name.is_empty() && name != "self");
    names
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let graph = module_graph();
    assert!(graph.contains_key("documents") && graph.contains_key("typeset"), "{graph:?}");
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(module) {
            return;
        }
        if let Some(at) = path.iter().position(|m| *m == module) {
            panic!("import cycle: {} → {module}", path[at..].join(" → "));
        }
        path.push(module);
        for next in graph.get(module).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(module);
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done);
    }
    assert!(!graph["documents"].contains("catalog"), "documents takes TemplateParts, not catalog's types");
    assert!(!graph["documents"].contains("typeset"), "request options live in output.rs");
}

#[test]
fn only_typeset_and_fonts_import_typst() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut pending = vec![src.clone()];
    let mut importers = BTreeSet::new();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let code = std::fs::read_to_string(&path).unwrap();
                if code.lines().any(|line| {
                    let line = line.split("//").next().unwrap_or("");
                    ["typst::", "typst_layout::", "typst_pdf::", "typst_svg::", "ttf_parser::"]
                        .iter()
                        .any(|c| line.contains(c))
                }) {
                    importers.insert(path.strip_prefix(&src).unwrap().to_string_lossy().into_owned());
                }
            }
        }
    }
    let expected = ["fonts.rs", "typeset/mod.rs", "typeset/svg.rs"];
    assert_eq!(importers, expected.into_iter().map(String::from).collect::<BTreeSet<_>>());
}

#[test]
fn crate_paths_are_read_from_groups_too() {
    let code = "use crate::{error::{Error, Issue}, input};\nlet x = crate::vietnamese::upper(y);";
    assert_eq!(crate_paths(code), ["error", "input", "vietnamese"]);
}
