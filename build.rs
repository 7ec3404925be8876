//! Rebuild when the bundled templates or fonts change: they are compiled into the binary. Tell
//! the benchmark's report whether this build is profile-guided (scripts/pgo-build.sh).

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=fonts");
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let has = |flag: &str| flags.split('\x1f').any(|f| f.starts_with(flag));
    let build = if has("-Cprofile-use") {
        "profile-guided build"
    } else if has("-Cprofile-generate") {
        "instrumented build"
    } else {
        "plain build"
    };
    println!("cargo:rustc-env=VANBAN_BUILD_KIND={build}");
}
