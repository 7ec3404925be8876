//! The HTTP API through the router, without a socket: statuses, headers and error bodies.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use vanban::http::HttpConfig;

use crate::util::{Pdf, fixture, send};

fn post(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path).header(header::CONTENT_TYPE, content_type).body(body.into()).unwrap()
}

fn json_body(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("JSON error body")
}

#[tokio::test]
async fn render_returns_a_pdf_with_a_vietnamese_file_name() {
    let body = serde_json::to_vec(&fixture("minutes.json")).unwrap();
    let (status, headers, pdf) =
        send(&HttpConfig::default(), post("/v1/render/minutes", "application/json", body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"bien-ban-chi-bo-to-dan-pho-5-2026-11.pdf\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20sinh%20ho%E1%BA%A1t"),
        "{disposition}"
    );
    let pdf = Pdf::parse(&pdf);
    assert!(pdf.pages() >= 2);
    // The signature fields are announced, as in the PDF.
    let fields: Value = serde_json::from_str(headers["x-vanban-signature-fields"].to_str().unwrap()).unwrap();
    let names: Vec<_> = fields.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["thu_ky", "chu_tri"]);
    assert_eq!(fields[1]["page"], pdf.pages());
    assert_eq!(pdf.signature_fields().len(), 2);
}

#[tokio::test]
async fn malformed_json_is_a_400_with_line_and_column() {
    let request = post("/v1/render/minutes", "application/json", "{\n  \"issuer\": {,\n}");
    let (status, _, body) = send(&HttpConfig::default(), request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = &json_body(&body)["error"];
    assert_eq!(error["code"], "malformed_json");
    assert_eq!((error["line"].as_u64(), error["column"].as_u64()), (Some(2), Some(14)));
    assert!(error["message"].as_str().unwrap().contains("line 2, column 14"));
}

#[tokio::test]
async fn invalid_documents_are_one_422_listing_every_problem() {
    let mut input = fixture("minutes.json");
    input["attendance"][0]["member_id"] = json!("DV-9999");
    input["votes"][1]["for"] = json!(99);
    let request =
        post("/v1/render/minutes", "application/json; charset=utf-8", serde_json::to_vec(&input).unwrap());
    let (status, _, body) = send(&HttpConfig::default(), request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = &json_body(&body)["error"];
    assert_eq!(error["code"], "invalid_document");
    let details = error["details"].as_array().unwrap();
    let pointers: Vec<&str> = details.iter().map(|d| d["pointer"].as_str().unwrap()).collect();
    assert!(pointers.contains(&"/attendance/0/member_id"), "{pointers:?}");
    assert!(pointers.contains(&"/votes/1/for"), "{pointers:?}");
    assert!(details.iter().all(|d| d["message"].is_string() && d["code"].is_string()));
}

/// The served schema's `maxLength` counts the text as sent: a text that fits only once trimmed
/// is refused, as a client checking against `/openapi.json` expects.
#[tokio::test]
async fn a_text_too_long_as_sent_is_a_422_even_if_it_fits_trimmed() {
    let mut input = fixture("results-report.json");
    input["results"][0]["field"] = json!(format!("\n{}", "x".repeat(500)));
    let request = post("/v1/render/results-report", "application/json", serde_json::to_vec(&input).unwrap());
    let (status, _, body) = send(&HttpConfig::default(), request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = json_body(&body)["error"]["details"].clone();
    assert_eq!(details.as_array().map(Vec::len), Some(1), "{details}");
    assert_eq!(details[0]["pointer"], "/results/0/field");
    assert_eq!(details[0]["keyword"], "maxLength");

    // The same text without the line break fits.
    input["results"][0]["field"] = json!("x".repeat(500));
    let request = post("/v1/render/results-report", "application/json", serde_json::to_vec(&input).unwrap());
    assert_eq!(send(&HttpConfig::default(), request).await.0, StatusCode::OK);
}

#[tokio::test]
async fn unknown_template_is_a_404() {
    let (status, _, body) =
        send(&HttpConfig::default(), post("/v1/render/nope", "application/json", "{}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json_body(&body)["error"]["code"], "unknown_template");
}

#[tokio::test]
async fn oversized_body_is_a_413() {
    let config = HttpConfig { max_body_bytes: 1024, ..HttpConfig::default() };
    let body = serde_json::to_vec(&fixture("minutes.json")).unwrap();
    let (status, _, body) = send(&config, post("/v1/render/minutes", "application/json", body)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_body(&body)["error"]["code"], "too_large");
}

#[tokio::test]
async fn non_json_content_type_is_a_415() {
    let (status, _, body) =
        send(&HttpConfig::default(), post("/v1/render/minutes", "text/plain", "{}")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json_body(&body)["error"]["code"], "unsupported_media_type");
}

/// What the catalogue serves as each template's example renders: a secretary or integrator who
/// starts from `GET /v1/templates/{id}` gets a document, not a problem.
#[tokio::test]
async fn every_example_the_catalogue_serves_renders() {
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let (_, _, body) = send(&HttpConfig::default(), get("/v1/templates")).await;
    let list = json_body(&body);
    let templates = list["templates"].as_array().unwrap();
    assert_eq!(templates.len(), 6);
    for listed in templates {
        let id = listed["id"].as_str().unwrap();
        let (status, _, body) = send(&HttpConfig::default(), get(&format!("/v1/templates/{id}"))).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        let example = serde_json::to_vec(&json_body(&body)["example"]).unwrap();
        let (status, headers, pdf) =
            send(&HttpConfig::default(), post(&format!("/v1/render/{id}"), "application/json", example))
                .await;
        assert_eq!(status, StatusCode::OK, "{id}: {}", String::from_utf8_lossy(&pdf));
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf", "{id}");
        let pdf = Pdf::parse(&pdf);
        pdf.assert_print_ready();
        assert!(pdf.pages() >= 1, "{id}");
    }
}

#[tokio::test]
async fn templates_are_listed_and_described() {
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let (status, _, body) = send(&HttpConfig::default(), get("/v1/templates")).await;
    assert_eq!(status, StatusCode::OK);
    let list = json_body(&body);
    let ids: Vec<&str> =
        list["templates"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["dues-report", "minutes", "resolution", "results-report", "review-report", "thematic-minutes"]
    );

    let (status, _, body) = send(&HttpConfig::default(), get("/v1/templates/minutes")).await;
    assert_eq!(status, StatusCode::OK);
    let template = json_body(&body);
    assert_eq!(template["title"], "Biên bản sinh hoạt chi bộ thường kỳ");
    assert_eq!(template["schema"]["$defs"]["issuer"]["type"], "object", "shared definitions are merged in");
    assert_eq!(template["example"]["issuer"]["name"], "CHI BỘ TỔ DÂN PHỐ 5");

    let (status, _, _) = send(&HttpConfig::default(), get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(&HttpConfig::default(), get("/v1/templates/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
