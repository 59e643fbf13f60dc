//! A small HTTP API in the style of Hikvision's ISAPI, behind HTTP Basic authentication with the
//! device's credentials: `GET /ISAPI/System/deviceInfo` and `GET /ISAPI/Streaming/channels`
//! answer XML like a real device's. The sharing server and people can ask what a device is.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;

use crate::Config;
use crate::rtsp::stream_path;

pub fn router(config: Arc<Config>) -> Router {
    Router::new()
        .route("/ISAPI/System/deviceInfo", get(device_info))
        .route("/ISAPI/Streaming/channels", get(streaming_channels))
        .with_state(config)
}

fn authorised(config: &Config, headers: &HeaderMap) -> bool {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", config.username, config.password));
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .is_some_and(|given| given.trim() == expected)
}

fn unauthorised() -> Response {
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Basic realm=\"camsim\"")], "").into_response()
}

fn xml(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/xml; charset=UTF-8")], body).into_response()
}

/// Escapes text for an XML element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

async fn device_info(State(config): State<Arc<Config>>, headers: HeaderMap) -> Response {
    if !authorised(&config, &headers) {
        return unauthorised();
    }
    let kind = if config.channel_names.len() > 1 { "NVR" } else { "IPCamera" };
    xml(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeviceInfo version=\"2.0\">\n  <deviceName>{}</deviceName>\n  \
         <model>CAMSIM-{kind}</model>\n  <serialNumber>{}</serialNumber>\n  <firmwareVersion>camsim {}</firmwareVersion>\n  \
         <deviceType>{kind}</deviceType>\n  <videoInputChannels>{}</videoInputChannels>\n</DeviceInfo>\n",
        escape(&config.device_name),
        escape(&config.serial_number),
        env!("CARGO_PKG_VERSION"),
        config.channel_names.len(),
    ))
}

async fn streaming_channels(State(config): State<Arc<Config>>, headers: HeaderMap) -> Response {
    if !authorised(&config, &headers) {
        return unauthorised();
    }
    let mut body = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StreamingChannelList version=\"2.0\">\n");
    for (index, name) in config.channel_names.iter().enumerate() {
        let channel = (index + 1) as u16;
        for (sub, spec) in [(false, config.main), (true, config.sub)] {
            let id = &stream_path(channel, sub)["/Streaming/Channels/".len()..];
            body.push_str(&format!(
                "  <StreamingChannel>\n    <id>{id}</id>\n    <channelName>{}</channelName>\n    <enabled>true</enabled>\n    \
                 <Video>\n      <videoCodecType>H.264</videoCodecType>\n      <videoResolutionWidth>{}</videoResolutionWidth>\n      \
                 <videoResolutionHeight>{}</videoResolutionHeight>\n      <maxFrameRate>{}</maxFrameRate>\n      \
                 <GovLength>{}</GovLength>\n    </Video>\n  </StreamingChannel>\n",
                escape(name),
                spec.width,
                spec.height,
                spec.fps * 100,
                ((f64::from(spec.fps) * config.keyframe_interval_s).round() as u32).max(1),
            ));
        }
    }
    body.push_str("</StreamingChannelList>\n");
    xml(body)
}
