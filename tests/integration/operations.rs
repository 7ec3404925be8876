//! Running the service (issue 6): admission control, timeouts, request ids, metrics,
//! readiness, the OpenAPI description and graceful shutdown.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;
use vanban::http::{HttpConfig, ROUTES, Service};

use crate::util::{engine, fixture};

fn service(config: HttpConfig) -> Service {
    Service::new(engine(), &config).expect("render threads start")
}

fn post_json(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = router.clone().oneshot(request).await.expect("router answers");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.into_body().collect().await.expect("body").to_bytes().to_vec())
}

/// The value of an unlabelled or labelled sample in a Prometheus text exposition.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics(router: &Router) -> String {
    let (status, headers, body) = send(router, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    String::from_utf8(body).unwrap()
}

/// Waits (bounded) until no render slot is in use.
async fn wait_until_idle(router: &Router) {
    for _ in 0..1000 {
        if sample(&metrics(router).await, "vanban_renders_in_flight") == Some(0.0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn metrics_count_requests_renders_pages_and_memory() {
    let router = service(HttpConfig::default()).router();
    let (status, headers, _) = send(&router, post_json("/v1/render/minutes", &fixture("minutes.json"))).await;
    assert_eq!(status, StatusCode::OK);
    let pages: f64 = headers["x-vanban-pages"].to_str().unwrap().parse().unwrap();
    send(&router, post_json("/v1/render/minutes", &json!({}))).await;
    let text = metrics(&router).await;
    assert_eq!(
        sample(&text, r#"vanban_http_requests_total{route="/v1/render/{template}",status="200"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"vanban_http_requests_total{route="/v1/render/{template}",status="422"}"#),
        Some(1.0)
    );
    assert_eq!(sample(&text, r#"vanban_render_duration_seconds_count{template="minutes"}"#), Some(1.0));
    assert_eq!(sample(&text, "vanban_pages_rendered_total"), Some(pages));
    assert_eq!(sample(&text, "vanban_queue_depth"), Some(0.0));
    assert_eq!(sample(&text, "vanban_renders_in_flight"), Some(0.0));
    assert!(sample(&text, "process_resident_memory_bytes").is_some_and(|rss| rss > 1e6), "{text}");
    // Labels are routes and template ids: no document content.
    assert!(!text.contains("TỔ DÂN PHỐ"));
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let router = service(HttpConfig::default()).router();
    let request =
        Request::get("/healthz").header("x-request-id", "ward-7-run-42").body(Body::empty()).unwrap();
    let (_, headers, _) = send(&router, request).await;
    assert_eq!(headers["x-request-id"], "ward-7-run-42");
    let (_, first, _) = send(&router, get("/healthz")).await;
    let (_, second, _) = send(&router, get("/healthz")).await;
    let id = first["x-request-id"].to_str().unwrap();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_ne!(first["x-request-id"], second["x-request-id"]);
}

#[tokio::test]
async fn readiness_turns_off_while_draining_and_liveness_stays() {
    let service = service(HttpConfig::default());
    let router = service.router();
    let (status, _, body) = send(&router, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["templates"], 6);
    service.start_draining();
    assert_eq!(send(&router, get("/readyz")).await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(send(&router, get("/healthz")).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after() {
    let router = service(HttpConfig { workers: 1, queue: 0, ..HttpConfig::default() }).router();
    // A batch whose zip nobody reads holds the only render slot: its stream fills and waits.
    let batch =
        router.clone().oneshot(post_json("/v1/batch", &fixture("batch-resolutions.json"))).await.unwrap();
    assert_eq!(batch.status(), StatusCode::OK);
    let (status, headers, body) =
        send(&router, post_json("/v1/render/minutes", &fixture("minutes.json"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["error"]["code"], "busy");
    // Reading the batch to its end frees the slot.
    batch.into_body().collect().await.unwrap();
    wait_until_idle(&router).await;
    assert_eq!(
        send(&router, post_json("/v1/render/minutes", &fixture("minutes.json"))).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_render_over_its_time_is_a_504_and_the_server_goes_on() {
    let router =
        service(HttpConfig { render_timeout: Duration::from_millis(1), ..HttpConfig::default() }).router();
    let (status, _, body) = send(&router, post_json("/v1/render/minutes", &fixture("minutes.json"))).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
    let error = serde_json::from_slice::<Value>(&body).unwrap();
    assert_eq!(error["error"]["code"], "timeout");
    assert!(error["error"]["message"].as_str().unwrap().contains("VANBAN_RENDER_TIMEOUT"));
    assert_eq!(send(&router, get("/healthz")).await.0, StatusCode::OK);
}

#[tokio::test]
async fn compressed_bodies_are_refused() {
    let router = service(HttpConfig::default()).router();
    let request = Request::post("/v1/render/minutes")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .body(Body::from(vec![0x1f, 0x8b, 0x08, 0x00]))
        .unwrap();
    assert_eq!(send(&router, request).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn a_client_that_disconnects_stops_its_batch() {
    let router = service(HttpConfig { workers: 2, ..HttpConfig::default() }).router();
    let response =
        router.clone().oneshot(post_json("/v1/batch", &fixture("batch-resolutions.json"))).await.unwrap();
    let mut body = response.into_body();
    let first = body.frame().await.expect("a first chunk").expect("readable");
    assert!(first.data_ref().is_some_and(|d| d.starts_with(b"PK")), "the zip starts streaming");
    drop(body);
    wait_until_idle(&router).await;
    let text = metrics(&router).await;
    assert_eq!(sample(&text, "vanban_renders_in_flight"), Some(0.0), "the batch ended");
    let made = sample(&text, r#"vanban_batch_items_total{status="ok"}"#).unwrap();
    assert!(made < 24.0, "the remaining documents were not typeset ({made} of 24)");
}

#[tokio::test]
async fn openapi_describes_every_route_the_router_serves() {
    let router = service(HttpConfig::default()).router();
    let (status, _, body) = send(&router, get("/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let mut expected = 0;
    for route in &ROUTES {
        let method = route.method.as_str().to_ascii_lowercase();
        // A route over `{template}` is documented once per template, with that template's body.
        let concrete: Vec<String> = if route.path.contains("{template}") {
            crate::util::TEMPLATES.iter().map(|t| route.path.replace("{template}", t)).collect()
        } else {
            vec![route.path.to_string()]
        };
        for path in &concrete {
            assert!(paths[path].get(&method).is_some(), "{} {path} is documented", route.method);
            expected += 1;
        }
        // And the router really serves it (a documented path is never the fallback's 404).
        let concrete = concrete[0].replace("{id}", "minutes");
        let request = Request::builder().method(route.method.clone()).uri(&concrete);
        let request =
            request.header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap();
        let (_, _, body) = send(&router, request).await;
        let code = serde_json::from_slice::<Value>(&body).ok().map(|v| v["error"]["code"].clone());
        assert_ne!(code, Some(json!("not_found")), "{concrete} is served");
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, expected, "nothing documented that is not served");
    // Every template's schema is the body of its render path, with its example.
    for template in crate::util::TEMPLATES {
        let body =
            &paths[&format!("/v1/render/{template}")]["post"]["requestBody"]["content"]["application/json"];
        let name = body["schema"]["$ref"].as_str().unwrap().trim_start_matches("#/components/schemas/");
        let schema = &doc["components"]["schemas"][name];
        assert!(schema["properties"]["issuer"].is_object(), "{name} is a template schema");
        assert!(body["example"].is_object(), "{template}: an example body");
    }
    // Self-contained: every `$ref` resolves inside the document.
    fn refs<'a>(node: &'a Value, out: &mut Vec<&'a str>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    out.push(target);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(targets.len() > 50, "the schemas use references");
    for target in targets {
        let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{target} is inside the document"));
        assert!(doc.pointer(pointer).is_some(), "{target} resolves");
    }
}

/// Sends one HTTP/1.0 request on a fresh connection and reads the whole answer.
async fn http10(addr: std::net::SocketAddr, path: &str, body: &[u8]) -> (String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connects");
    let head = format!(
        "POST {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block") + 4;
    (String::from_utf8_lossy(&answer[..split]).into_owned(), answer[split..].to_vec())
}

#[tokio::test]
async fn shutdown_finishes_the_batch_in_flight_then_stops() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let service = service(HttpConfig::default());
    let observer = service.router();
    let server = tokio::spawn(vanban::http::serve(
        listener,
        service,
        async move {
            let _ = stopped.await;
        },
        Duration::from_secs(60),
    ));
    let body = serde_json::to_vec(&fixture("batch-resolutions.json")).unwrap();
    let batch = tokio::spawn(async move { http10(addr, "/v1/batch", &body).await });
    // Stop while the batch is running (its render slots are in use).
    for _ in 0..1000 {
        if sample(&metrics(&observer).await, "vanban_renders_in_flight").is_some_and(|n| n > 0.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.send(()).unwrap();
    let (head, zip) = batch.await.unwrap();
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{head}");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("the whole zip arrived");
    assert_eq!(archive.len(), 25);
    server.await.unwrap().expect("the server stops cleanly");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer listening");
}
