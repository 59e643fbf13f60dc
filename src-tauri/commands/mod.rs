//! The commands the UI invokes. Each is a thin wrapper over `camshare-client`: get the signed-in
//! client, call, map the error. `ui/src/api.ts` is the only caller.

pub mod devices;
pub mod live;
pub mod received;
pub mod session;
pub mod sharing;
