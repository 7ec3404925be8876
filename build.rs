//! Rebuild when the bundled templates or fonts change: they are compiled into the binary.

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=fonts");
}
