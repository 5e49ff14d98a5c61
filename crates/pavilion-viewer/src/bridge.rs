//! The bridge between the viewer and the page around the canvas: events out (ready,
//! booth selected, failure) and requests in (focus a booth). In the browser the events
//! become `CustomEvent`s on `window` and requests arrive through wasm-bindgen exports;
//! natively they stay in resources that tests read and write.

use std::sync::{Arc, Mutex};

use bevy::prelude::*;

/// Something the viewer tells the page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageEvent {
    /// The first frame of the hall has been drawn.
    Ready { booths: usize, halls: usize },
    /// Every booth texture requested so far has arrived (or failed).
    TexturesSettled { loaded: usize, failed: usize },
    /// The visitor selected a booth.
    Selected { slug: String },
    /// The hall could not be loaded.
    Failed { message: String },
}

impl PageEvent {
    /// The DOM event name, as the page listens for it.
    pub fn name(&self) -> &'static str {
        match self {
            PageEvent::Ready { .. } => "pavilion:ready",
            PageEvent::TexturesSettled { .. } => "pavilion:textures",
            PageEvent::Selected { .. } => "pavilion:select",
            PageEvent::Failed { .. } => "pavilion:error",
        }
    }

    /// The event's `detail` as JSON.
    pub fn detail_json(&self) -> String {
        let detail = match self {
            PageEvent::Ready { booths, halls } => {
                serde_json::json!({ "booths": booths, "halls": halls })
            }
            PageEvent::TexturesSettled { loaded, failed } => {
                serde_json::json!({ "loaded": loaded, "failed": failed })
            }
            PageEvent::Selected { slug } => serde_json::json!({ "slug": slug }),
            PageEvent::Failed { message } => serde_json::json!({ "message": message }),
        };
        detail.to_string()
    }
}

/// Something the page asks of the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
pub enum PageRequest {
    /// Walk to the booth of this exhibitor and select it.
    FocusBooth { slug: String },
}

/// Events waiting to be delivered to the page, plus (natively) every event delivered so far.
#[derive(Resource, Debug, Default)]
pub struct Outbox {
    pub pending: Vec<PageEvent>,
    pub delivered: Vec<PageEvent>,
}

impl Outbox {
    pub fn send(&mut self, event: PageEvent) {
        self.pending.push(event);
    }
}

/// Requests from the page, filled outside the ECS (by wasm-bindgen exports, or by tests)
/// and drained into [`PageRequest`] messages at the start of each frame.
#[derive(Resource, Debug, Default, Clone)]
pub struct RequestQueue(Arc<Mutex<Vec<PageRequest>>>);

impl RequestQueue {
    /// Queues a request; the viewer acts on it in its next frame.
    pub fn push(&self, request: PageRequest) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(request);
    }

    fn take(&self) -> Vec<PageRequest> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Outbox>()
        .init_resource::<RequestQueue>()
        .add_message::<PageRequest>()
        .add_systems(PreUpdate, drain_requests)
        .add_systems(Last, deliver_events);
}

fn drain_requests(queue: Res<RequestQueue>, mut requests: MessageWriter<PageRequest>) {
    requests.write_batch(queue.take());
}

fn deliver_events(mut outbox: ResMut<Outbox>) {
    let pending = std::mem::take(&mut outbox.pending);
    for event in pending {
        #[cfg(target_arch = "wasm32")]
        crate::web::dispatch(&event);
        outbox.delivered.push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_details_are_json_objects_named_for_the_page() {
        let selected = PageEvent::Selected {
            slug: "kestrel-ward".into(),
        };
        assert_eq!(selected.name(), "pavilion:select");
        assert_eq!(selected.detail_json(), r#"{"slug":"kestrel-ward"}"#);
        let failed = PageEvent::Failed {
            message: "say \"why\"".into(),
        };
        let parsed: serde_json::Value = serde_json::from_str(&failed.detail_json()).unwrap();
        assert_eq!(parsed["message"], "say \"why\"");
    }
}
