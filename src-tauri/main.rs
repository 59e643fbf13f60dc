//! `camshare-desktop`: the Camshare desktop app. `--profile NAME` runs an independent instance
//! with its own data, window state and keychain entry.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    camshare_desktop::run()
}
