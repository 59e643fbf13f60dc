//! Tauri's build step: reads `tauri.conf.json` and `capabilities/` from the repository root.
//! `generate_context!` embeds `ui/dist` but does not track it, hence the rerun line.

fn main() {
    println!("cargo:rerun-if-changed=ui/dist");
    tauri_build::build()
}
