//! Signature fields: an empty AcroForm signature field over every signing space of a document,
//! so the signers can sign digitally, in place, as the PDF comes out of vanban.
//!
//! Typst has no form fields, so they are added after export as an *incremental update*: Typst's
//! bytes stay untouched (its PDF/A identification, tagging and document id included) and the
//! update appends only the fields, their appearance streams, the pages that reference them and a
//! catalogue with `/AcroForm`. This is also the shape a signing tool writes its own signature in,
//! so the signed file is the original plus two appended revisions.

use lopdf::{Dictionary, IncrementalDocument, Object, ObjectId, Stream, dictionary};
use serde::Serialize;

use crate::error::{Error, Result};

/// An empty signature field: name and place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureField {
    /// Field name: `thu_ky`, `chu_tri` (minutes), `bi_thu` (resolution, reports),
    /// `nguoi_lap_bieu` (dues report preparer).
    pub name: String,
    /// Page number, from 1.
    pub page: usize,
    /// `[left, bottom, right, top]` in PDF points from the bottom-left corner of the page.
    pub rect: [f64; 4],
}

/// Widget annotation flag "print" (PDF 32000-1, 12.5.3); PDF/A requires it on every widget.
const PRINT_FLAG: i64 = 4;

/// Appends `fields` to `pdf` as an incremental update. Field names must be unique.
pub fn add_fields(pdf: Vec<u8>, fields: &[SignatureField]) -> Result<Vec<u8>> {
    if fields.is_empty() {
        return Ok(pdf);
    }
    let pdf_error = |e: lopdf::Error| Error::Internal(format!("adding signature fields: {e}"));
    let previous = lopdf::Document::load_mem(&pdf).map_err(pdf_error)?;
    let pages = previous.get_pages();
    let catalog_id = previous.trailer.get(b"Root").and_then(Object::as_reference).map_err(pdf_error)?;
    let mut update = IncrementalDocument::create_from(pdf, previous);

    let mut field_ids = Vec::with_capacity(fields.len());
    for field in fields {
        let page_id = *pages.get(&(field.page as u32)).ok_or_else(|| {
            Error::Internal(format!(
                "signature field `{}` is on page {}, past the end",
                field.name, field.page
            ))
        })?;
        let widget_id = add_widget(&mut update.new_document, field, page_id);
        add_annotation(&mut update, page_id, widget_id).map_err(pdf_error)?;
        field_ids.push(Object::Reference(widget_id));
    }

    update.opt_clone_object_to_new_document(catalog_id).map_err(pdf_error)?;
    let catalog =
        update.new_document.get_object_mut(catalog_id).and_then(Object::as_dict_mut).map_err(pdf_error)?;
    catalog.set("AcroForm", dictionary! { "Fields" => field_ids });

    let mut out = Vec::new();
    update.save_to(&mut out).map_err(|e| Error::Internal(format!("writing signature fields: {e}")))?;
    Ok(out)
}

/// A merged field and widget dictionary with an empty appearance, as PDF/A wants.
fn add_widget(document: &mut lopdf::Document, field: &SignatureField, page_id: ObjectId) -> ObjectId {
    let [left, bottom, right, top] = field.rect.map(|v| Object::Real(v as f32));
    let size = |a: f64, b: f64| Object::Real((b - a) as f32);
    let appearance = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), size(field.rect[0], field.rect[2]), size(field.rect[1], field.rect[3])],
            "Resources" => Dictionary::new(),
        },
        Vec::new(),
    );
    let appearance_id = document.add_object(appearance);
    document.add_object(dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "FT" => "Sig",
        "T" => Object::string_literal(field.name.as_str()),
        "Rect" => vec![left, bottom, right, top],
        "F" => PRINT_FLAG,
        "P" => page_id,
        "AP" => dictionary! { "N" => appearance_id },
    })
}

/// Adds `widget_id` to the page's `/Annots`, keeping any annotations it already has.
fn add_annotation(
    update: &mut IncrementalDocument,
    page_id: ObjectId,
    widget_id: ObjectId,
) -> lopdf::Result<()> {
    let existing = match update.get_prev_documents().get_dictionary(page_id)?.get(b"Annots") {
        Ok(annots) => update.get_prev_documents().dereference(annots)?.1.as_array()?.clone(),
        Err(_) => Vec::new(),
    };
    update.opt_clone_object_to_new_document(page_id)?;
    let page = update.new_document.get_object_mut(page_id)?.as_dict_mut()?;
    let mut annots = match page.get(b"Annots") {
        Ok(Object::Array(array)) => array.clone(),
        _ => existing,
    };
    annots.push(Object::Reference(widget_id));
    page.set("Annots", annots);
    // Tab order by structure, as PDF/UA asks of any page with annotations.
    page.set("Tabs", Object::Name(b"S".to_vec()));
    Ok(())
}
