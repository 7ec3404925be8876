//! The `vanban` binary as a user runs it: exit codes, messages and output files.

use std::process::Command;

use crate::util::{Pdf, fixture_path};

fn vanban() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vanban"))
}

#[test]
fn render_writes_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bien-ban.pdf");
    let status = vanban()
        .args(["render", "minutes"])
        .arg(fixture_path("minutes.json"))
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(Pdf::parse(&std::fs::read(&out).unwrap()).pages() >= 2);
    // Only the PDF: no temporary file left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn invalid_input_exits_2_lists_pointers_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut input: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture_path("minutes.json")).unwrap()).unwrap();
    input["attendance"][0]["member_id"] = "DV-9999".into();
    let input_path = dir.path().join("input.json");
    std::fs::write(&input_path, serde_json::to_vec(&input).unwrap()).unwrap();
    let out = dir.path().join("out.pdf");
    let output = vanban().args(["render", "minutes"]).arg(&input_path).arg("-o").arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/attendance/0/member_id: `DV-9999` is not the member_id"), "{stderr}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the input remains");
}

#[test]
fn templates_lists_minutes_and_resolve_prints_the_data() {
    let output = vanban().arg("templates").output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("minutes"));

    let output = vanban().args(["resolve", "minutes"]).arg(fixture_path("minutes.json")).output().unwrap();
    assert!(output.status.success());
    let data: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(data["header"]["issuer"], "CHI BỘ TỔ DÂN PHỐ 5");
    assert_eq!(data["layout"]["margin_mm"]["left"], 30.0);
}

/// Runs `command` to its end; a command still running after a minute (a server that started
/// when it should not have) is stopped and fails the test.
fn output_within_a_minute(mut command: Command) -> std::process::Output {
    use std::process::Stdio;
    let mut child =
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("still running after a minute: {:?}", child.wait_with_output().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A copy of the bundled templates folder with `edit` applied to one of its files.
fn templates_copy(file: &str, edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for folder in std::fs::read_dir(&bundled).unwrap() {
        let folder = folder.unwrap().path();
        let target = dir.path().join(folder.file_name().unwrap());
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
    }
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
    dir
}

#[test]
fn a_misspelt_sentence_variable_stops_serve_render_and_batch_naming_the_file() {
    let dir = templates_copy("resolution/sentences.json", |text| {
        assert!(text.contains("{{meeting_date}}"));
        text.replace("{{meeting_date}}", "{{meeting_dat}}")
    });
    let out = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 3] = [
        &["serve", "--addr", "127.0.0.1:0"],
        &["render", "minutes", "-", "-o", "x.pdf"],
        &["batch", "-", "-o", "x.zip"],
    ];
    for args in commands {
        let mut command = vanban();
        command.args(args).arg("--templates").arg(dir.path()).current_dir(out.path());
        let output = output_within_a_minute(command);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("/resolution/sentences.json"), "{args:?}: {stderr}");
        assert!(stderr.contains("meeting_dat"), "{args:?}: {stderr}");
        assert!(!stderr.contains("listening"), "{args:?}: {stderr}");
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn a_typst_error_stops_start_up_naming_the_file_and_line() {
    let dir = templates_copy("minutes/main.typ", |text| format!("{text}\n#undefined-function()\n"));
    let output = vanban().arg("templates").arg("--templates").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/minutes/main.typ:"), "{stderr}");
    assert!(stderr.contains("unknown variable: undefined-function"), "{stderr}");
}

/// Starts `vanban serve` on a free port with `RUST_LOG` set to `rust_log` (unset if `None`),
/// waits until it accepts connections, stops it and returns what it wrote on standard output.
fn serve_log(rust_log: Option<&str>) -> String {
    use std::io::Read;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = vanban();
    command
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    match rust_log {
        Some(directives) => command.env("RUST_LOG", directives),
        None => command.env_remove("RUST_LOG"),
    };
    let mut child = command.spawn().unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child.stdout.take().unwrap().read_to_string(&mut log).unwrap();
    log
}

#[test]
fn serve_logs_at_the_levels_rust_log_asks_for_without_colour_codes_in_a_pipe() {
    let log = serve_log(None);
    assert!(log.contains("vanban listening"), "{log}");
    assert!(!log.contains('\x1b'), "no terminal colour codes: {log:?}");
    let log = serve_log(Some("warn"));
    assert!(!log.contains("vanban listening"), "info lines are off: {log}");
}

#[test]
fn a_batch_with_skipped_items_writes_the_zip_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let mut request: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture_path("batch-resolutions.json")).unwrap()).unwrap();
    request["on_error"] = "skip".into();
    request["items"][5]["vote"]["for"] = 500.into();
    request["items"].as_array_mut().unwrap().truncate(6);
    let input = dir.path().join("batch.json");
    std::fs::write(&input, serde_json::to_vec(&request).unwrap()).unwrap();
    let zip = dir.path().join("out.zip");
    let output = vanban().arg("batch").arg(&input).arg("-o").arg(&zip).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("skipped: /items/5/vote/for"), "{stderr}");
    assert!(stderr.contains("5 documents, 1 skipped"), "{stderr}");
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).expect("the zip is written");
    assert_eq!(archive.len(), 6, "5 PDFs and the manifest");
}
