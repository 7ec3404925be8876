//! Handlebars text patterns: the standard sentences of each template and file-name patterns.
//!
//! Patterns render to plain strings that reach Typst as data, so a committee can reword a
//! sentence without touching Typst and a pattern can never produce Typst markup. HTML escaping is
//! off (the output is not HTML) and strict mode is on, so a misspelt variable is an error rather
//! than a silently empty word in an official document.

use std::collections::BTreeMap;

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason};
use serde::Serialize;

use crate::vietnamese;

/// A set of named patterns, compiled once when the template is loaded.
pub struct TextPatterns {
    registry: Handlebars<'static>,
}

impl TextPatterns {
    /// Compiles named patterns; `origin` names their file in error messages.
    pub fn compile(patterns: &BTreeMap<String, String>, origin: &str) -> Result<Self, String> {
        let mut registry = new_registry();
        for (name, pattern) in patterns {
            registry
                .register_template_string(name, pattern)
                .map_err(|e| format!("{origin}: pattern `{name}`: {e}"))?;
        }
        Ok(TextPatterns { registry })
    }

    /// Renders pattern `name` over `context`. A missing pattern or variable is a template bug.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, String> {
        self.registry.render(name, context).map_err(|e| format!("pattern `{name}`: {e}"))
    }

    /// Whether a pattern with this name exists.
    pub fn has(&self, name: &str) -> bool {
        self.registry.has_template(name)
    }
}

/// Renders a one-off pattern (a batch request's `file_name`) over `context`.
pub fn render_once(pattern: &str, context: &impl Serialize) -> Result<String, String> {
    new_registry().render_template(pattern, context).map_err(|e| e.to_string())
}

fn new_registry() -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(handlebars::no_escape);
    registry.register_helper("slug", Box::new(slug_helper));
    registry.register_helper("pad", Box::new(pad_helper));
    registry
}

/// `{{slug issuer.name}}`: ASCII, diacritics folded (`CHI BỘ THÔN ĐÔNG HẢI` → `chi-bo-thon-dong-hai`).
fn slug_helper(
    helper: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let value = helper.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex("slug", 0))?;
    let text = match value.value() {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    out.write(&vietnamese::slug(&text))?;
    Ok(())
}

/// `{{pad number.seq 3}}`: zero-pads a number to a width (default 2).
fn pad_helper(
    helper: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let value = helper.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex("pad", 0))?;
    let width = helper.param(1).and_then(|w| w.value().as_u64()).unwrap_or(2).min(20) as usize;
    let text = match value.value() {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        _ => String::new(),
    };
    out.write(&format!("{text:0>width$}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_render_plain_text_without_escaping() {
        let patterns = BTreeMap::from([("s".to_string(), "{{a}} & <{{b}}>".to_string())]);
        let compiled = TextPatterns::compile(&patterns, "test").expect("compiles");
        let text = compiled.render("s", &json!({ "a": "*x*", "b": "#panic(\"x\")" })).expect("renders");
        assert_eq!(text, "*x* & <#panic(\"x\")>");
    }

    #[test]
    fn missing_variables_are_errors() {
        let patterns = BTreeMap::from([("s".to_string(), "{{missing}}".to_string())]);
        let compiled = TextPatterns::compile(&patterns, "test").expect("compiles");
        assert!(compiled.render("s", &json!({})).is_err());
    }

    #[test]
    fn slug_and_pad_helpers() {
        let name = render_once(
            "NQ-{{pad number.seq 3}}-{{slug issuer.name}}.pdf",
            &json!({ "number": { "seq": 7 }, "issuer": { "name": "CHI BỘ THÔN ĐÔNG HẢI" } }),
        );
        assert_eq!(name.as_deref(), Ok("NQ-007-chi-bo-thon-dong-hai.pdf"));
    }
}
