//! The bridge between the viewer and the page around the canvas: events out (ready,
//! booth selected, stage chosen, the visitor's pose, failure) and requests in (focus a booth, walk to a
//! point, the touch controls: thumb stick, look drag, tap). In the browser the events
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
    /// The visitor clicked a stage's screen (`kind` "stage") or the contest desk ("contest").
    StageChosen { stage: String, kind: &'static str },
    /// The hall could not be loaded.
    Failed { message: String },
    /// Where the visitor stands (world `x`, `z` in metres, the snapshot's coordinates) and
    /// which way they look: `heading` in radians, 0 along -z, growing counter-clockwise seen
    /// from above (towards -x). Sent a few times a second, only when it changed.
    Pose { x: f32, z: f32, heading: f32 },
}

impl PageEvent {
    /// The DOM event name, as the page listens for it.
    pub fn name(&self) -> &'static str {
        match self {
            PageEvent::Ready { .. } => "pavilion:ready",
            PageEvent::TexturesSettled { .. } => "pavilion:textures",
            PageEvent::Selected { .. } => "pavilion:select",
            PageEvent::StageChosen { .. } => "pavilion:stage",
            PageEvent::Failed { .. } => "pavilion:error",
            PageEvent::Pose { .. } => "pavilion:pose",
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
            PageEvent::StageChosen { stage, kind } => {
                serde_json::json!({ "stage": stage, "kind": kind })
            }
            PageEvent::Failed { message } => serde_json::json!({ "message": message }),
            PageEvent::Pose { x, z, heading } => serde_json::json!({
                "x": centimetres(*x),
                "z": centimetres(*z),
                "heading": (f64::from(*heading) * 1000.0).round() / 1000.0,
            }),
        };
        detail.to_string()
    }
}

/// A length in metres rounded to centimetres, so the page gets short numbers.
fn centimetres(metres: f32) -> f64 {
    (f64::from(metres) * 100.0).round() / 100.0
}

/// Something the page asks of the viewer.
#[derive(Debug, Clone, PartialEq, Message)]
pub enum PageRequest {
    /// Walk to the booth of this exhibitor and select it.
    FocusBooth { slug: String },
    /// Walk to the floor point nearest world (`x`, `z`) where the visitor can stand, then look
    /// towards `look` (world `[x, z]`), or on in the direction walked when there is none.
    WalkTo {
        x: f32,
        z: f32,
        look: Option<[f32; 2]>,
    },
    /// The on-screen thumb stick: `forward` and `sideways` (to the right) from -1 to 1, held
    /// until the next one (0, 0 lets go).
    Stick { forward: f32, sideways: f32 },
    /// A finger dragged this many CSS pixels across the canvas: look around as a mouse drag does.
    Look { dx: f32, dy: f32 },
    /// A tap at this canvas point (CSS pixels from its top left): a booth there is selected,
    /// floor there is walked to.
    Tap { x: f32, y: f32 },
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

    #[test]
    fn the_pose_is_rounded_for_the_page() {
        let pose = PageEvent::Pose {
            x: 12.345_678,
            z: -3.0,
            heading: std::f32::consts::FRAC_PI_2,
        };
        assert_eq!(pose.name(), "pavilion:pose");
        assert_eq!(
            pose.detail_json(),
            r#"{"heading":1.571,"x":12.35,"z":-3.0}"#
        );
    }
}
