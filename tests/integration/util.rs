//! Shared helpers: one engine per test process, fixtures, and a small PDF inspector built on
//! lopdf so tests assert what a reader of the PDF would see.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use lopdf::{Document, Object};
use serde_json::Value;
use vanban::{Engine, EngineConfig};

/// Every bundled template, each with a fixture of the same name in `tests/fixtures`.
pub const TEMPLATES: [&str; 6] =
    ["minutes", "thematic-minutes", "resolution", "results-report", "review-report", "dues-report"];

/// The engine, built once (fonts parsed once) and shared by all tests, like the server does.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Arc::new(Engine::new(&EngineConfig::default()).expect("bundled templates and fonts load"))
        })
        .clone()
}

/// Path of a fixture under `tests/fixtures`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A fixture parsed as JSON.
pub fn fixture(name: &str) -> Value {
    let data = std::fs::read(fixture_path(name)).expect("fixture exists");
    serde_json::from_slice(&data).expect("fixture is JSON")
}

/// A templates folder holding the bundled `lib` and one template, `custom`: the resolution's
/// schema and sentences with the given `main.typ`. Beside the folder lies `secret.txt`, and the
/// template holds `link.txt`, a symlink to it, for the sandbox tests. Returns the temporary
/// directory and the engine over its `templates` folder (an error if the example does not render).
pub fn custom_template_engine(main_typ: &str) -> (tempfile::TempDir, vanban::Result<Engine>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "TOP SECRET MEMBER LIST").unwrap();
    let root = dir.path().join("templates");
    let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for (folder, target) in [("lib", root.join("lib")), ("resolution", root.join("custom"))] {
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(bundled.join(folder)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
    }
    std::fs::write(root.join("custom/main.typ"), main_typ).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("custom/link.txt")).unwrap();
    let engine = Engine::new(&EngineConfig { templates: Some(root), ..EngineConfig::default() });
    (dir, engine)
}

/// [`custom_template_engine`] for a `main.typ` that renders the example.
pub fn custom_template(main_typ: &str) -> (tempfile::TempDir, Engine) {
    let (dir, engine) = custom_template_engine(main_typ);
    (dir, engine.unwrap_or_else(|e| panic!("{e}")))
}

/// Renders a JSON value with a template, panicking with the error on failure.
pub fn render(template: &str, value: &Value) -> vanban::Rendered {
    engine()
        .render(template, &serde_json::to_vec(value).expect("serialises"))
        .unwrap_or_else(|e| panic!("{e:?}"))
}

/// Renders a JSON value and checks what every document must be (DOCUMENTS.md §2.14 items 1–2):
/// the PDF parses, has the pages the engine reported, is A4 and uses only the embedded font.
pub fn render_print_ready(template: &str, value: &Value) -> (vanban::Rendered, Pdf) {
    let rendered = render(template, value);
    let pdf = Pdf::parse(&rendered.pdf);
    assert_eq!(rendered.pages, pdf.pages(), "{template}: reported pages");
    pdf.assert_print_ready();
    (rendered, pdf)
}

/// The pointers of a 422's issues, sorted.
pub fn invalid_pointers(result: vanban::Result<vanban::Rendered>) -> Vec<String> {
    match result {
        Err(vanban::Error::Invalid(issues)) => {
            let mut pointers: Vec<_> = issues.into_iter().map(|i| i.pointer).collect();
            pointers.sort();
            pointers
        }
        Err(other) => panic!("expected invalid input, got {other:?}"),
        Ok(_) => panic!("expected invalid input, got a PDF"),
    }
}

/// A parsed PDF.
pub struct Pdf {
    doc: Document,
}

impl Pdf {
    /// Parses PDF bytes.
    pub fn parse(bytes: &[u8]) -> Self {
        Pdf { doc: Document::load_mem(bytes).expect("a parseable PDF") }
    }

    /// Number of pages.
    pub fn pages(&self) -> usize {
        self.doc.get_pages().len()
    }

    /// Width and height of a page (1-based) in millimetres.
    pub fn page_size_mm(&self, page: u32) -> (f64, f64) {
        let id = self.doc.get_pages()[&page];
        let dict = self.doc.get_dictionary(id).expect("page dictionary");
        let media_box = dict.get(b"MediaBox").expect("MediaBox").as_array().expect("array");
        let n: Vec<f64> = media_box.iter().map(|o| o.as_float().map(f64::from).expect("number")).collect();
        let mm = |pt: f64| pt / 72.0 * 25.4;
        (mm(n[2] - n[0]), mm(n[3] - n[1]))
    }

    /// DOCUMENTS.md §2.14 items 1–2: every page A4 portrait (±0.5 mm), and every font the
    /// document font (Liberation Serif), embedded: no fallback or host font slipped in.
    pub fn assert_print_ready(&self) {
        for page in 1..=self.pages() as u32 {
            let (w, h) = self.page_size_mm(page);
            assert!((w - 210.0).abs() < 0.5 && (h - 297.0).abs() < 0.5, "page {page} is {w}x{h} mm");
        }
        let fonts = self.fonts();
        assert!(!fonts.is_empty() && fonts.iter().all(|f| f.starts_with("LiberationSerif")), "{fonts:?}");
        assert!(self.all_fonts_embedded(), "every font is embedded");
    }

    /// DOCUMENTS.md §2.14 item 9: no number on page 1; pages 2, 3… show theirs on a line of its
    /// own (body lines never consist of a lone number in these documents).
    pub fn assert_page_numbers_from_two(&self) {
        let has_number_line =
            |page: u32, number: &str| self.page_text(page).lines().any(|l| l.trim() == number);
        assert!(!has_number_line(1, "1"), "no number on page 1");
        for page in 2..=self.pages() as u32 {
            assert!(has_number_line(page, &page.to_string()), "page {page} shows its number");
        }
    }

    /// Text of one page (1-based).
    pub fn page_text(&self, page: u32) -> String {
        self.doc.extract_text(&[page]).expect("text extracts")
    }

    /// Text of all pages, with line breaks folded to spaces so sentences can be searched whole.
    pub fn text(&self) -> String {
        let pages: Vec<u32> = (1..=self.pages() as u32).collect();
        let text = self.doc.extract_text(&pages).expect("text extracts");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// BaseFont names of all embedded fonts, without subset tags (`LiberationSerif-Bold`).
    pub fn fonts(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for object in self.doc.objects.values() {
            let Ok(dict) = object.as_dict() else { continue };
            let is_font = dict.get(b"Type").and_then(Object::as_name).is_ok_and(|t| t == b"Font");
            if !is_font {
                continue;
            }
            if let Ok(name) = dict.get(b"BaseFont").and_then(Object::as_name) {
                let name = String::from_utf8_lossy(name);
                let name = name.split_once('+').map_or(name.as_ref(), |(_, rest)| rest);
                names.insert(name.to_string());
            }
        }
        names
    }

    /// Whether every font is embedded (each descriptor has a font file).
    pub fn all_fonts_embedded(&self) -> bool {
        let descriptors: Vec<_> = self
            .doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter(|d| d.get(b"Type").and_then(Object::as_name).is_ok_and(|t| t == b"FontDescriptor"))
            .collect();
        !descriptors.is_empty()
            && descriptors.iter().all(|d| d.has(b"FontFile2") || d.has(b"FontFile3") || d.has(b"FontFile"))
    }

    /// The document information dictionary's title.
    pub fn title(&self) -> Option<String> {
        self.info(b"Title")
    }

    /// The document catalogue.
    fn catalog(&self) -> &lopdf::Dictionary {
        self.doc.catalog().expect("a catalogue")
    }

    /// The AcroForm signature fields: name, page (1-based) and `[left, bottom, right, top]`.
    /// Each must also be among its page's annotations, as a printable widget with an appearance.
    pub fn signature_fields(&self) -> Vec<(String, u32, [f64; 4])> {
        let Ok(form) = self.catalog().get(b"AcroForm") else { return Vec::new() };
        let form = self.doc.dereference(form).expect("AcroForm resolves").1.as_dict().expect("dict");
        let page_of: std::collections::HashMap<_, _> =
            self.doc.get_pages().into_iter().map(|(number, id)| (id, number)).collect();
        let fields = form.get(b"Fields").and_then(Object::as_array).expect("Fields array");
        fields
            .iter()
            .map(|field| {
                let id = field.as_reference().expect("field is a reference");
                let dict = self.doc.get_dictionary(id).expect("field dictionary");
                assert_eq!(dict.get(b"FT").and_then(Object::as_name).unwrap(), b"Sig");
                assert_eq!(dict.get(b"F").and_then(Object::as_i64).unwrap(), 4, "print flag");
                assert!(dict.get(b"AP").is_ok(), "widget has an appearance");
                let name = lopdf::decode_text_string(dict.get(b"T").unwrap()).unwrap();
                let page_id = dict.get(b"P").and_then(Object::as_reference).expect("/P page");
                let page = page_of[&page_id];
                let annots = self.doc.get_dictionary(page_id).unwrap().get(b"Annots").expect("page Annots");
                let annots = self.doc.dereference(annots).unwrap().1.as_array().unwrap();
                assert!(annots.contains(&Object::Reference(id)), "{name} is among its page's annotations");
                let rect: Vec<f64> = dict
                    .get(b"Rect")
                    .and_then(Object::as_array)
                    .unwrap()
                    .iter()
                    .map(|v| v.as_float().unwrap() as f64)
                    .collect();
                (name, page, [rect[0], rect[1], rect[2], rect[3]])
            })
            .collect()
    }

    /// The XMP metadata packet.
    pub fn xmp(&self) -> String {
        let Ok(metadata) = self.catalog().get(b"Metadata") else { return String::new() };
        let stream = self.doc.dereference(metadata).unwrap().1.as_stream().expect("metadata stream");
        String::from_utf8_lossy(&stream.content).into_owned()
    }

    /// The catalogue's output intent subtypes (`GTS_PDFA1` for PDF/A).
    pub fn output_intents(&self) -> Vec<String> {
        let Ok(intents) = self.catalog().get(b"OutputIntents") else { return Vec::new() };
        let intents = self.doc.dereference(intents).unwrap().1.as_array().unwrap();
        intents
            .iter()
            .map(|intent| {
                let intent = self.doc.dereference(intent).unwrap().1.as_dict().unwrap();
                String::from_utf8_lossy(intent.get(b"S").and_then(Object::as_name).unwrap()).into_owned()
            })
            .collect()
    }

    /// The catalogue's natural language (`/Lang`).
    pub fn language(&self) -> Option<String> {
        lopdf::decode_text_string(self.catalog().get(b"Lang").ok()?).ok()
    }

    /// A value of the document information dictionary.
    pub fn info(&self, key: &[u8]) -> Option<String> {
        let info = self.doc.trailer.get(b"Info").ok()?;
        let info = self.doc.get_dictionary(info.as_reference().ok()?).ok()?;
        lopdf::decode_text_string(info.get(key).ok()?).ok()
    }

    /// The text runs of a page with the height of their baseline above the bottom edge, in
    /// points, in content-stream order: the graphics state (`q`/`Q`/`cm`) and the text matrix
    /// (`Tm`, `Td`) are followed so positions are those a reader sees (§2.14 layout checks).
    pub fn page_runs(&self, page: u32) -> Vec<(String, f64)> {
        type Matrix = [f64; 6];
        fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
            [
                a[0] * b[0] + a[1] * b[2],
                a[0] * b[1] + a[1] * b[3],
                a[2] * b[0] + a[3] * b[2],
                a[2] * b[1] + a[3] * b[3],
                a[4] * b[0] + a[5] * b[2] + b[4],
                a[4] * b[1] + a[5] * b[3] + b[5],
            ]
        }
        const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        let numbers = |operands: &[Object]| -> Vec<f64> {
            operands.iter().map(|o| o.as_float().map(f64::from).expect("number operand")).collect()
        };
        let page_id = self.doc.get_pages()[&page];
        let fonts = self.doc.get_page_fonts(page_id).expect("page fonts");
        let encodings: std::collections::BTreeMap<Vec<u8>, lopdf::Encoding> = fonts
            .into_iter()
            .map(|(name, font)| (name, font.get_font_encoding(&self.doc).expect("encoding")))
            .collect();
        let content = self.doc.get_and_decode_page_content(page_id).expect("page content");
        let (mut ctm, mut stack, mut tm, mut line) = (IDENTITY, Vec::new(), IDENTITY, IDENTITY);
        let mut encoding = None;
        let mut runs = Vec::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "q" => stack.push(ctm),
                "Q" => ctm = stack.pop().unwrap_or(IDENTITY),
                "cm" => {
                    let n = numbers(&op.operands);
                    ctm = multiply(&[n[0], n[1], n[2], n[3], n[4], n[5]], &ctm);
                }
                "BT" => (tm, line) = (IDENTITY, IDENTITY),
                "Tm" => {
                    let n = numbers(&op.operands);
                    tm = [n[0], n[1], n[2], n[3], n[4], n[5]];
                    line = tm;
                }
                "Td" | "TD" => {
                    let n = numbers(&op.operands);
                    line = multiply(&[1.0, 0.0, 0.0, 1.0, n[0], n[1]], &line);
                    tm = line;
                }
                "Tf" => {
                    encoding =
                        op.operands.first().and_then(|f| f.as_name().ok()).and_then(|f| encodings.get(f))
                }
                "Tj" | "TJ" => {
                    let Some(encoding) = encoding else { continue };
                    let strings: Vec<&Object> = match op.operands.first() {
                        Some(Object::Array(items)) => items.iter().collect(),
                        _ => op.operands.iter().collect(),
                    };
                    let text: String = strings
                        .into_iter()
                        .filter_map(|o| o.as_str().ok())
                        .map(|bytes| Document::decode_text(encoding, bytes).unwrap_or_default())
                        .collect();
                    let at = multiply(&tm, &ctm);
                    runs.push((text, at[5]));
                }
                _ => {}
            }
        }
        runs
    }

    /// Baseline height (points above the bottom edge) of the first run on `page` that starts
    /// with `text`.
    pub fn baseline_of(&self, page: u32, text: &str) -> f64 {
        let runs = self.page_runs(page);
        runs.iter()
            .find(|(run, _)| run.trim_start().starts_with(text))
            .unwrap_or_else(|| panic!("no run starting with {text:?} on page {page}: {runs:?}"))
            .1
    }

    /// The embedded files, as a PDF reader lists them (`/Names/EmbeddedFiles`, one level).
    pub fn embedded_files(&self) -> Vec<EmbeddedFile> {
        let Ok(names) = self.catalog().get(b"Names") else { return Vec::new() };
        let names = self.doc.dereference(names).unwrap().1.as_dict().expect("Names dictionary");
        let Ok(tree) = names.get(b"EmbeddedFiles") else { return Vec::new() };
        let tree = self.doc.dereference(tree).unwrap().1.as_dict().expect("name tree");
        let entries = tree.get(b"Names").and_then(Object::as_array).expect("a flat name tree");
        let associated: Vec<&Object> = match self.catalog().get(b"AF") {
            Ok(af) => self.doc.dereference(af).unwrap().1.as_array().expect("AF array").iter().collect(),
            Err(_) => Vec::new(),
        };
        entries
            .chunks(2)
            .map(|pair| {
                let spec = self.doc.dereference(&pair[1]).unwrap().1.as_dict().expect("file specification");
                let text = |key: &[u8]| spec.get(key).ok().map(|v| lopdf::decode_text_string(v).unwrap());
                let stream = spec.get(b"EF").and_then(Object::as_dict).and_then(|ef| ef.get(b"F")).unwrap();
                let stream = self.doc.dereference(stream).unwrap().1.as_stream().expect("embedded stream");
                EmbeddedFile {
                    key: lopdf::decode_text_string(&pair[0]).unwrap(),
                    name: text(b"UF").or_else(|| text(b"F")).expect("a file name"),
                    description: text(b"Desc"),
                    relationship: spec
                        .get(b"AFRelationship")
                        .and_then(Object::as_name)
                        .ok()
                        .map(|n| String::from_utf8_lossy(n).into_owned()),
                    mime_type: stream
                        .dict
                        .get(b"Subtype")
                        .and_then(Object::as_name)
                        .ok()
                        .map(|n| String::from_utf8_lossy(n).into_owned()),
                    associated: associated.contains(&&pair[1]),
                }
            })
            .collect()
    }

    /// Whether the catalogue has this key (after every incremental update).
    pub fn catalog_has(&self, key: &[u8]) -> bool {
        self.catalog().has(key)
    }

    /// Page indices (0-based) where page labels start a new range.
    pub fn page_label_starts(&self) -> Vec<u32> {
        let Ok(labels) = self.catalog().get(b"PageLabels") else { return Vec::new() };
        let labels = self.doc.dereference(labels).unwrap().1.as_dict().unwrap();
        let nums = labels.get(b"Nums").and_then(Object::as_array).expect("Nums");
        nums.iter().step_by(2).map(|n| n.as_i64().unwrap() as u32).collect()
    }
}

/// One embedded file of a PDF.
#[derive(Debug)]
pub struct EmbeddedFile {
    /// Its key in the name tree.
    pub key: String,
    /// `/UF` (or `/F`) of its file specification.
    pub name: String,
    /// `/Desc`.
    pub description: Option<String>,
    /// `/AFRelationship`, e.g. `Source`.
    pub relationship: Option<String>,
    /// The stream's `/Subtype`, e.g. `application/json` (`#2F` decoded).
    pub mime_type: Option<String>,
    /// Whether the catalogue's `/AF` lists it: an associated file of the document.
    pub associated: bool,
}

/// Sends `request` through the service's router (no socket) and collects the answer.
pub async fn send(
    config: &vanban::http::HttpConfig,
    request: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = vanban::http::router(engine(), config)
        .expect("render threads start")
        .oneshot(request)
        .await
        .expect("router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, headers, body)
}
