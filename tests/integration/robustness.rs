//! Hostile and broken input (issue 6): property-based fuzzing of every template over arbitrary
//! JSON and over mutated valid examples (never a panic, never a server error, and a PDF that
//! parses whenever one is produced), and the templates folder as a sandbox.

use std::panic::{AssertUnwindSafe, catch_unwind};

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use vanban::Error;

use crate::util::{Pdf, TEMPLATES, custom_template_engine, engine, fixture};

/// Renders `body` and checks the outcome is a parseable PDF or a client error.
fn assert_client_safe(template: &str, body: &[u8]) {
    let engine = engine();
    let result = catch_unwind(AssertUnwindSafe(|| engine.render(template, body)));
    match result {
        Err(_) => panic!("{template}: panicked on {}", String::from_utf8_lossy(body)),
        Ok(Ok(rendered)) => assert!(Pdf::parse(&rendered.pdf).pages() >= 1),
        Ok(Err(Error::Invalid(issues))) => assert!(!issues.is_empty(), "a 422 names its problems"),
        Ok(Err(Error::MalformedJson { .. } | Error::TooLarge(_))) => {}
        Ok(Err(other)) => panic!("{template}: server error {other:?} on {}", String::from_utf8_lossy(body)),
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        Just(json!("#panic(\"x\") *x* $x$ @x ]) }")),
        Just(json!("2026-02-30")),
        Just(json!("25:99")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// JSON pointers of every value inside `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| pointers(v, format!("{at}/{k}"), out)),
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out))
        }
        _ => {}
    }
    out.push(at);
}

/// The bundled example with up to three values replaced or removed.
fn mutated_example() -> impl Strategy<Value = (&'static str, Value)> {
    let mutation = (any::<prop::sample::Index>(), prop::option::of(arbitrary_json()));
    (prop::sample::select(TEMPLATES.to_vec()), prop::collection::vec(mutation, 1..4)).prop_map(
        |(template, mutations)| {
            let mut value = fixture(&format!("{template}.json"));
            for (index, replacement) in mutations {
                let mut all = Vec::new();
                pointers(&value, String::new(), &mut all);
                let pointer = index.get(&all).clone();
                let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
                match (value.pointer_mut(parent), replacement) {
                    (Some(Value::Object(map)), None) => {
                        map.remove(key);
                    }
                    (Some(Value::Array(items)), None) => {
                        let i: usize = key.parse().unwrap_or(0);
                        if i < items.len() {
                            items.remove(i);
                        }
                    }
                    (_, Some(new)) if !pointer.is_empty() => {
                        if let Some(slot) = value.pointer_mut(&pointer) {
                            *slot = new;
                        }
                    }
                    _ => {}
                }
            }
            (template, value)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_is_a_pdf_or_a_client_error(
        template in prop::sample::select(TEMPLATES.to_vec()),
        value in arbitrary_json(),
    ) {
        assert_client_safe(template, &serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn mutated_examples_are_a_pdf_or_a_client_error((template, value) in mutated_example()) {
        assert_client_safe(template, &serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn arbitrary_bytes_are_a_client_error(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        assert_client_safe("minutes", &bytes);
    }
}

#[test]
fn typst_warnings_reach_the_caller_as_data() {
    let (_dir, engine) = crate::util::custom_template("#text(font: \"Không Có Phông\")[Chi bộ họp.]");
    let rendered =
        engine.render("custom", &serde_json::to_vec(&fixture("resolution.json")).unwrap()).unwrap();
    let [warning] = rendered.template_warnings.as_slice() else {
        panic!("one warning: {:?}", rendered.template_warnings)
    };
    assert_eq!(warning.severity, vanban::Severity::Warning);
    assert_eq!(warning.location.as_deref(), Some("/custom/main.typ:1:13"), "{warning}");
    assert!(warning.message.contains("unknown font family"), "{warning}");
    assert!(rendered.warnings.is_empty(), "not a problem of the request: {:?}", rendered.warnings);
}

#[test]
fn a_templates_folder_is_a_sandbox() {
    for attempt in [
        r#"#read("../../secret.txt")"#,
        r#"#read("/../secret.txt")"#,
        r#"#read("/etc/passwd")"#,
        r#"#read("link.txt")"#,
        r#"#json("../../secret.txt")"#,
        r#"#image("/../../secret.txt")"#,
        r#"#include "../../secret.txt""#,
    ] {
        // The engine renders the folder's example at start-up, so the escape is refused there.
        match custom_template_engine(attempt).1 {
            Err(Error::Setup(message)) => {
                assert!(!message.contains("TOP SECRET"), "{attempt}: {message}");
                assert!(message.contains("/custom/main.typ:1:"), "names the file: {message}");
                let refused = ["not found", "does not exist", "escape the project root"];
                assert!(refused.iter().any(|r| message.contains(r)), "{attempt}: {message}");
            }
            Ok(_) => panic!("{attempt}: the engine started"),
            Err(other) => panic!("{attempt}: {other:?}"),
        }
    }
}
