//! Linux graphics set-up that has to happen before GTK and WebKit start.

/// Turns WebKitGTK's DMA-BUF renderer off when this machine has no GPU render node
/// (`/dev/dri/renderD*`), unless the user already chose with `WEBKIT_DISABLE_DMABUF_RENDERER`.
///
/// Why: without a GPU, WebKitGTK 2.50 still renders through DMA-BUF buffers backed by Mesa's
/// software driver, and the web process then holds about 100 MiB more than with WebKit's
/// shared-memory path (measured: 328 MiB for the whole app against 226 MiB, see
/// docs/BENCHMARKS.md §4). With a render node present the GPU path is kept.
///
/// Must run before any thread starts: it changes the process environment, which WebKit's
/// child processes inherit.
pub fn choose_webkit_renderer() {
    if !cfg!(target_os = "linux") || std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_some() {
        return;
    }
    if !has_render_node(std::path::Path::new("/dev/dri")) {
        // SAFETY: called first thing in `run`, while the process has a single thread.
        unsafe { std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1") };
    }
}

/// Whether `dri` holds a GPU render node (`renderD128`, …).
fn has_render_node(dri: &std::path::Path) -> bool {
    std::fs::read_dir(dri)
        .map(|entries| entries.flatten().any(|entry| entry.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::has_render_node;

    #[test]
    fn a_render_node_is_found_only_when_present() {
        let dir = std::env::temp_dir().join(format!("camshare-dri-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!has_render_node(&dir.join("missing")));
        std::fs::write(dir.join("card0"), b"").unwrap();
        assert!(!has_render_node(&dir));
        std::fs::write(dir.join("renderD128"), b"").unwrap();
        assert!(has_render_node(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
