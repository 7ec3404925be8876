//! The template catalogue: every template folder, loaded once into memory at start-up.
//!
//! A folder holds `template.json` (title, description, data model, file-name pattern),
//! `main.typ`, `schema.json`, `example.json` and `sentences.json` (Handlebars patterns of the
//! standard sentences). Folders without `template.json` (such as `lib/`) are shared Typst code.
//! The bundled `templates/` are compiled into the binary; `--templates DIR` serves a user's folder
//! instead. Only the files read here are visible to Typst, which makes a template folder a
//! sandbox, and bounds the number of Typst file ids to the number of files loaded.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::documents::{Model, TemplateParts};
use crate::error::{Error, Result};
use crate::input::Schema;
use crate::text_patterns::TextPatterns;

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Most files a templates folder may hold (each becomes a Typst file id, of which there are 65 535).
pub const MAX_FILES: usize = 2_000;
/// Most bytes a templates folder may hold in all.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Definitions shared by all template schemas, merged into each.
pub const COMMON_SCHEMA_PATH: &str = "/lib/common.schema.json";

/// Virtual path at which the request's data is served to Typst; a file there is shadowed.
pub const DATA_PATH: &str = "/data.json";

/// Virtual path at which the request itself is served to Typst, for the template to attach to the
/// PDF (`embed_data`); `null` otherwise. A file there is shadowed.
pub const REQUEST_PATH: &str = "/request.json";

/// One file of a templates folder, by its virtual path (`/minutes/main.typ`).
pub struct TemplateFile {
    /// Absolute virtual path inside the templates root, with `/` separators.
    pub path: String,
    /// Contents.
    pub data: Vec<u8>,
}

/// What `template.json` declares.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateMeta {
    /// Vietnamese title, e.g. `Biên bản sinh hoạt chi bộ thường kỳ`.
    pub title: String,
    /// What the document is for, in a sentence or two.
    pub description: String,
    /// Which data model (and so which computations and checks) the template uses; defaults to
    /// the folder name.
    #[serde(default)]
    pub model: Option<Model>,
    /// Handlebars pattern of the PDF's file name, over the request data.
    pub file_name: String,
}

/// A loaded template.
pub struct Template {
    /// Folder name, used in URLs: `minutes`.
    pub id: String,
    /// Declared metadata.
    pub meta: TemplateMeta,
    /// Data model of the template.
    pub model: Model,
    /// Compiled JSON Schema of the request.
    pub schema: Schema,
    /// A complete, valid request.
    pub example: Value,
    /// Standard sentences.
    pub sentences: TextPatterns,
    /// Virtual path of the Typst entry point.
    pub main_path: String,
}

impl Template {
    /// What the document code needs of this template.
    pub fn parts(&self) -> TemplateParts<'_> {
        TemplateParts { id: &self.id, model: self.model, schema: &self.schema, sentences: &self.sentences }
    }
}

/// All loaded templates plus every file Typst may read.
pub struct Catalog {
    templates: BTreeMap<String, Template>,
    files: Vec<TemplateFile>,
}

impl Catalog {
    /// The templates compiled into the binary.
    pub fn bundled() -> Result<Self> {
        let mut files = Vec::new();
        collect_embedded(&BUNDLED, &mut files);
        Self::from_files(files)
    }

    /// A user's templates folder.
    pub fn from_dir(root: &Path) -> Result<Self> {
        let mut files = Vec::new();
        let mut total = 0;
        collect_dir(root, root, &mut files, &mut total)?;
        Self::from_files(files)
    }

    fn from_files(mut files: Vec<TemplateFile>) -> Result<Self> {
        files.retain(|f| f.path != DATA_PATH && f.path != REQUEST_PATH);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut templates = BTreeMap::new();
        for meta_file in files.iter().filter(|f| is_template_meta(&f.path)) {
            let id = meta_file.path.trim_start_matches('/').trim_end_matches("/template.json");
            let template = load_template(id, &files)?;
            templates.insert(id.to_string(), template);
        }
        if templates.is_empty() {
            return Err(Error::Setup("the templates folder holds no template (no */template.json)".into()));
        }
        Ok(Catalog { templates, files })
    }

    /// The template with this id.
    pub fn get(&self, id: &str) -> Result<&Template> {
        self.templates.get(id).ok_or_else(|| Error::UnknownTemplate(id.to_string()))
    }

    /// All templates, sorted by id.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.templates.values()
    }

    /// Every file of the folder, for the Typst world.
    pub fn files(&self) -> &[TemplateFile] {
        &self.files
    }
}

fn is_template_meta(path: &str) -> bool {
    // Exactly `/<id>/template.json`: one folder level.
    path.strip_prefix('/')
        .and_then(|p| p.strip_suffix("/template.json"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

fn load_template(id: &str, files: &[TemplateFile]) -> Result<Template> {
    let read = |name: &str| -> Result<&[u8]> {
        let path = format!("/{id}/{name}");
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.data.as_slice())
            .ok_or_else(|| Error::Setup(format!("template `{id}` has no {name}")))
    };
    let json = |name: &str| -> Result<Value> {
        serde_json::from_slice(read(name)?).map_err(|e| Error::Setup(format!("template `{id}`: {name}: {e}")))
    };
    let meta: TemplateMeta = serde_json::from_value(json("template.json")?)
        .map_err(|e| Error::Setup(format!("template `{id}`: template.json: {e}")))?;
    let model = match meta.model {
        Some(model) => model,
        None => Model::from_id(id)
            .ok_or_else(|| Error::Setup(format!("template `{id}`: template.json must name its `model`")))?,
    };
    read("main.typ")?;
    let mut schema = json("schema.json")?;
    if let Some(common) = files.iter().find(|f| f.path == COMMON_SCHEMA_PATH) {
        let common: Value = serde_json::from_slice(&common.data)
            .map_err(|e| Error::Setup(format!("{COMMON_SCHEMA_PATH}: {e}")))?;
        merge_common_defs(&mut schema, &common);
    }
    let schema = Schema::compile(schema, &format!("template `{id}`"))?;
    let mut sentences: BTreeMap<String, String> = serde_json::from_value(json("sentences.json")?)
        .map_err(|e| Error::Setup(format!("template `{id}`: sentences.json: {e}")))?;
    // Keys such as `$comment` document the file; they are not patterns.
    sentences.retain(|name, _| !name.starts_with('$'));
    let sentences = TextPatterns::compile(&sentences, &format!("template `{id}`: sentences.json"))
        .map_err(Error::Setup)?;
    Ok(Template {
        id: id.to_string(),
        model,
        schema,
        example: json("example.json")?,
        sentences,
        main_path: format!("/{id}/main.typ"),
        meta,
    })
}

/// Adds the shared `$defs` to a template's schema (the template's own definitions win), so each
/// served schema is self-contained while the source keeps one copy of each definition.
fn merge_common_defs(schema: &mut Value, common: &Value) {
    let (Some(schema), Some(common_defs)) =
        (schema.as_object_mut(), common.get("$defs").and_then(Value::as_object))
    else {
        return;
    };
    let defs = schema.entry("$defs").or_insert_with(|| Value::Object(Default::default()));
    if let Some(defs) = defs.as_object_mut() {
        for (name, definition) in common_defs {
            defs.entry(name.clone()).or_insert_with(|| definition.clone());
        }
    }
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<TemplateFile>) {
    for file in dir.files() {
        let path = format!("/{}", file.path().to_string_lossy().replace('\\', "/"));
        out.push(TemplateFile { path, data: file.contents().to_vec() });
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn collect_dir(root: &Path, dir: &Path, out: &mut Vec<TemplateFile>, total: &mut u64) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Setup(format!("cannot read templates folder {}: {e}", dir.display())))?;
    for entry in entries {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        // Symbolic links are skipped: they could lead out of the sandbox.
        if kind.is_dir() {
            collect_dir(root, &path, out, total)?;
        } else if kind.is_file() {
            let Ok(relative) = path.strip_prefix(root) else { continue };
            let Some(relative) = relative.to_str() else { continue };
            let data = std::fs::read(&path)?;
            *total += data.len() as u64;
            if out.len() >= MAX_FILES || *total > MAX_BYTES {
                return Err(Error::Setup(format!(
                    "templates folder {} is larger than {MAX_FILES} files or {MAX_BYTES} bytes",
                    root.display()
                )));
            }
            out.push(TemplateFile { path: format!("/{}", relative.replace('\\', "/")), data });
        }
    }
    Ok(())
}
