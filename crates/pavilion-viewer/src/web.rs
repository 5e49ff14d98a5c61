//! The browser side of the viewer: the wasm-bindgen entry points the page calls, HTTP
//! fetches through `window.fetch`, and `CustomEvent`s dispatched on `window`.

use bevy::prelude::*;
use pavilion_model::HallSnapshot;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};

use std::sync::OnceLock;

use crate::bridge::{PageEvent, PageRequest, RequestQueue};
use crate::remote::{Delivery, Inbox, SnapshotSource};

/// Starts the hall in the canvas matched by `canvas_selector`, loading the snapshot from
/// `hall_url`. Returns once the app is running; progress arrives as `pavilion:*` events.
#[wasm_bindgen]
pub fn start(canvas_selector: String, hall_url: String) {
    let mut app = crate::browser_app(&canvas_selector, crate::SceneKind::Hall);
    app.insert_resource(SnapshotSource { url: hall_url });
    app.insert_resource(PAGE_REQUESTS.get_or_init(RequestQueue::default).clone());
    app.run();
}

/// Starts the bare scene (camera, light, one cube) in the canvas matched by
/// `canvas_selector`: the baseline the hall's start-up and frame time are measured against.
#[wasm_bindgen]
pub fn start_bare_scene(canvas_selector: String) {
    crate::browser_app(&canvas_selector, crate::SceneKind::Bare).run();
}

/// Asks the viewer to walk to the booth of `slug` and select it.
#[wasm_bindgen]
pub fn focus_booth(slug: String) {
    PAGE_REQUESTS
        .get_or_init(RequestQueue::default)
        .push(PageRequest::FocusBooth { slug });
}

/// Asks the viewer to walk to the floor nearest world (`x`, `z`) (the coordinates of the
/// snapshot's halls and booths), then to look towards (`look_x`, `look_z`) when given, or on
/// in the direction walked.
#[wasm_bindgen]
pub fn walk_to(x: f32, z: f32, look_x: Option<f32>, look_z: Option<f32>) {
    let look = look_x.zip(look_z).map(|(lx, lz)| [lx, lz]);
    PAGE_REQUESTS
        .get_or_init(RequestQueue::default)
        .push(PageRequest::WalkTo { x, z, look });
}

/// The thumb stick's deflection, `forward` and `sideways` (right) from -1 to 1; (0, 0) when
/// the finger lifts.
#[wasm_bindgen]
pub fn set_stick(forward: f32, sideways: f32) {
    queue(PageRequest::Stick { forward, sideways });
}

/// A finger dragged `dx`, `dy` CSS pixels over the canvas: look around.
#[wasm_bindgen]
pub fn look_by(dx: f32, dy: f32) {
    queue(PageRequest::Look { dx, dy });
}

/// A tap at canvas point (`x`, `y`) in CSS pixels: opens the booth there, or walks to the
/// floor there.
#[wasm_bindgen]
pub fn tap(x: f32, y: f32) {
    queue(PageRequest::Tap { x, y });
}

fn queue(request: PageRequest) {
    PAGE_REQUESTS
        .get_or_init(RequestQueue::default)
        .push(request);
}

/// The running app's request queue, shared with the exported functions.
static PAGE_REQUESTS: OnceLock<RequestQueue> = OnceLock::new();

pub(super) fn plugin(_app: &mut App) {}

/// Sends an event to the page as `window.dispatchEvent(new CustomEvent(name, { detail }))`.
pub fn dispatch(event: &PageEvent) {
    let sent = (|| -> Result<(), JsValue> {
        let window = web_sys::window().ok_or("no window")?;
        let detail = js_sys::JSON::parse(&event.detail_json())?;
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&detail);
        let dom_event = web_sys::CustomEvent::new_with_event_init_dict(event.name(), &init)?;
        window.dispatch_event(&dom_event)?;
        Ok(())
    })();
    if let Err(err) = sent {
        error!("could not tell the page about {}: {err:?}", event.name());
    }
}

pub fn fetch_snapshot(url: String, inbox: Inbox) {
    spawn_local(async move {
        let result = fetch_bytes(&url).await.and_then(|bytes| {
            serde_json::from_slice::<HallSnapshot>(&bytes)
                .map_err(|e| format!("the hall data from {url} is not readable: {e}"))
        });
        inbox.deliver(Delivery::Snapshot(result));
    });
}

pub fn fetch_texture(url: String, inbox: Inbox) {
    spawn_local(async move {
        let bytes = fetch_bytes(&url).await;
        inbox.deliver(Delivery::Texture { url, bytes });
    });
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let describe = |err: JsValue| format!("could not fetch {url}: {err:?}");
    let window = web_sys::window().ok_or_else(|| "no window".to_owned())?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("the server did not answer for {url}; is it running?"))?
        .dyn_into()
        .map_err(describe)?;
    let buffer = JsFuture::from(response.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    if !response.ok() {
        // The server's errors are JSON {"code", "message"}: pass the message on.
        let message = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| response.status_text());
        return Err(format!("{url} answered {} ({message})", response.status()));
    }
    Ok(bytes)
}
