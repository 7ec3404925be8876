//! `all.pdf`: every document of a batch in one file, to print a whole ward in one go.
//!
//! Each document keeps its own pages, so it starts on a new page and its printed page numbers
//! restart; the file's page labels restart with it (a viewer shows `2` for each document's second
//! page) and one bookmark per document, titled with its file name, jumps to its first page.
//! Signature fields are dropped: the merged file is for paper, and field names repeat across
//! documents. Documents are added as they are produced; only their parsed objects are kept.

use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, dictionary};

use crate::error::{Error, Result};

/// A merged PDF being built.
pub struct MergedPdf {
    document: Document,
    /// Every page, in order.
    pages: Vec<ObjectId>,
    /// Per document: bookmark title and index of its first page.
    parts: Vec<(String, usize)>,
}

fn pdf_error(e: lopdf::Error) -> Error {
    Error::Internal(format!("merging PDFs: {e}"))
}

impl Default for MergedPdf {
    /// An empty merged PDF.
    fn default() -> Self {
        MergedPdf { document: Document::with_version("1.7"), pages: Vec::new(), parts: Vec::new() }
    }
}

impl MergedPdf {
    /// Appends the pages of `pdf`, bookmarked as `title`.
    pub fn append(&mut self, pdf: &[u8], title: &str) -> Result<()> {
        let mut part = Document::load_mem(pdf).map_err(pdf_error)?;
        part.renumber_objects_with(self.document.max_id + 1);
        let catalog_id = part.trailer.get(b"Root").and_then(Object::as_reference).map_err(pdf_error)?;
        let pages_root = part.catalog().and_then(|c| c.get(b"Pages")).and_then(Object::as_reference).ok();
        let page_ids: Vec<ObjectId> = part.get_pages().into_values().collect();
        self.parts.push((title.to_string(), self.pages.len()));
        self.document.max_id = part.max_id;
        for (id, object) in part.objects {
            // The part's catalogue and page tree are replaced by the merged file's own.
            if id != catalog_id && Some(id) != pages_root {
                self.document.objects.insert(id, object);
            }
        }
        for page_id in page_ids {
            self.drop_signature_widgets(page_id)?;
            self.pages.push(page_id);
        }
        Ok(())
    }

    fn drop_signature_widgets(&mut self, page_id: ObjectId) -> Result<()> {
        let annots = match self.document.get_dictionary(page_id).map_err(pdf_error)?.get(b"Annots") {
            Ok(annots) => {
                self.document.dereference(annots).map_err(pdf_error)?.1.as_array().map_err(pdf_error)?
            }
            Err(_) => return Ok(()),
        };
        let is_widget = |annot: &Object| {
            let dict = self.document.dereference(annot).ok().and_then(|(_, o)| o.as_dict().ok());
            dict.and_then(|d| d.get(b"Subtype").ok()).and_then(|s| s.as_name().ok()) == Some(b"Widget")
        };
        let kept: Vec<Object> = annots.iter().filter(|a| !is_widget(a)).cloned().collect();
        let page = self.document.get_object_mut(page_id).and_then(Object::as_dict_mut).map_err(pdf_error)?;
        page.set("Annots", kept);
        Ok(())
    }

    /// Writes the merged file; returns its number of pages.
    pub fn write_to(mut self, out: &mut impl Write) -> Result<usize> {
        let document = &mut self.document;
        let pages_id = document.new_object_id();
        for page_id in &self.pages {
            let page = document.get_object_mut(*page_id).and_then(Object::as_dict_mut).map_err(pdf_error)?;
            page.set("Parent", pages_id);
        }
        let kids: Vec<Object> = self.pages.iter().map(|id| Object::Reference(*id)).collect();
        document.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => self.pages.len() as i64 },
            ),
        );

        // Page labels restart at 1 with each document, like its printed numbers.
        let mut labels = Vec::new();
        for (_, first_page) in &self.parts {
            labels.push(Object::Integer(*first_page as i64));
            labels.push(Object::Dictionary(dictionary! { "S" => "D" }));
        }
        let outlines_id = add_outline(document, &self.parts, &self.pages);
        let mut catalog = dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
            "PageLabels" => dictionary! { "Nums" => labels },
        };
        if let Some(outlines_id) = outlines_id {
            catalog.set("Outlines", outlines_id);
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        let catalog_id = document.add_object(catalog);
        document.trailer = Dictionary::new();
        document.trailer.set("Root", catalog_id);
        // Drop what only the parts' catalogues used (structure trees, metadata, info).
        document.prune_objects();
        document.save_to(out).map_err(|e| Error::Io(std::io::Error::other(e)))?;
        Ok(self.pages.len())
    }
}

/// One bookmark per document, in order, each opening the document's first page.
fn add_outline(document: &mut Document, parts: &[(String, usize)], pages: &[ObjectId]) -> Option<ObjectId> {
    if parts.is_empty() {
        return None;
    }
    let outlines_id = document.new_object_id();
    let ids: Vec<ObjectId> = parts.iter().map(|_| document.new_object_id()).collect();
    for (i, (title, first_page)) in parts.iter().enumerate() {
        let mut item = dictionary! {
            "Title" => lopdf::text_string(title),
            "Parent" => outlines_id,
            "Dest" => vec![Object::Reference(pages[*first_page]), Object::Name(b"Fit".to_vec())],
        };
        if i > 0 {
            item.set("Prev", ids[i - 1]);
        }
        if let Some(next) = ids.get(i + 1) {
            item.set("Next", *next);
        }
        document.objects.insert(ids[i], Object::Dictionary(item));
    }
    let outlines = dictionary! {
        "Type" => "Outlines",
        "First" => ids[0],
        "Last" => ids[ids.len() - 1],
        "Count" => ids.len() as i64,
    };
    document.objects.insert(outlines_id, Object::Dictionary(outlines));
    Some(outlines_id)
}
