#!/usr/bin/env bash
# The live grid benchmark (issue 11, docs/BENCHMARKS.md §7), for anyone to run: starts the server
# with its gate, the camera simulator (a 16-channel NVR) and the app under Xvfb, opens a 4-grid and
# a 16-grid, and measures 30 s each — CPU of the app's whole process tree, frames drawn per tile
# per second, picture age from the stamp strip — beside the bare decode of the same streams
# (gst-launch-1.0 straight at the simulator) in the same run. See benches/live_grid.rs.
#
#   ./scripts/bench-live-grid.sh                       (release build of the app and the benchmark)
#   CAMSHARE_BENCH_BUILD=debug ./scripts/bench-live-grid.sh   (the debug build the tests use)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
PROFILE=bench
[ "${CAMSHARE_BENCH_BUILD:-release}" = debug ] && PROFILE=dev
cargo bench --locked --profile "$PROFILE" -p camshare-desktop --features camshare-desktop/test-hooks --bench live_grid
