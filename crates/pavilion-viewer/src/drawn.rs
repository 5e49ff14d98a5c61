//! Knowing when what was just spawned is on screen, so the page hears "ready" when the
//! visitor can see the hall (and the bare scene's cube), not a fixed number of frames later:
//! a pipeline whose shader is still loading or compiling draws nothing, for as many frames
//! as that takes. The render world reports each finished frame and whether any pipeline was
//! still waiting at its end; a headless app (no render world) counts frames instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bevy::prelude::*;
use bevy::render::render_resource::{PipelineCache, PipelineDescriptor};
use bevy::render::{Render, RenderApp, RenderSystems};

/// Frames a headless app waits after spawning: one to extract and prepare, one to draw, one
/// to present.
const HEADLESS_FRAMES: u32 = 3;
/// Frames after which a scene whose pipelines never settle is announced anyway (with a
/// warning), so a stuck pipeline cannot keep the page on its loading screen.
const GIVE_UP_FRAMES: u32 = 600;

/// What the render world tells the main world about its frames.
#[derive(Resource, Debug, Clone, Default)]
pub struct RenderProgress(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    /// Frames rendered so far.
    rendered: AtomicU32,
    /// The number of the last rendered frame at whose end no pipeline was waiting.
    complete: AtomicU32,
}

impl RenderProgress {
    fn rendered(&self) -> u32 {
        self.0.rendered.load(Ordering::Acquire)
    }

    fn complete(&self) -> u32 {
        self.0.complete.load(Ordering::Acquire)
    }

    /// Records a rendered frame; `settled` when no pipeline was waiting at its end.
    fn record(&self, settled: bool) {
        let frame = self.0.rendered.fetch_add(1, Ordering::AcqRel) + 1;
        if settled {
            self.0.complete.store(frame, Ordering::Release);
        }
    }
}

/// Reports rendered frames to the main world. Add after the render plugins; without them it
/// does nothing and [`DrawnWatch`] counts frames.
pub fn plugin(app: &mut App) {
    let progress = RenderProgress::default();
    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    render_app
        .insert_resource(progress.clone())
        .add_systems(Render, report_frame.in_set(RenderSystems::Cleanup));
    app.insert_resource(progress);
}

/// Records the frame: settled when no render pipeline is waiting. Compute pipelines do not
/// count: WebGL2 has none, and Bevy queues some that wait there for ever.
fn report_frame(progress: Res<RenderProgress>, pipelines: Res<PipelineCache>) {
    let waiting = pipelines.waiting_pipelines().any(|id| {
        // The cache's pipelines are a slice: `nth` is a lookup, not a walk.
        pipelines.pipelines().nth(id).is_some_and(|pipeline| {
            matches!(
                pipeline.descriptor,
                PipelineDescriptor::RenderPipelineDescriptor(_)
            )
        })
    });
    progress.record(!waiting);
}

/// Watches for the first frame that drew everything spawned when it was started.
#[derive(Debug, Clone)]
pub struct DrawnWatch {
    /// The render world's reports and how many frames it had rendered before the spawn;
    /// `None` in a headless app.
    progress: Option<(RenderProgress, u32)>,
    /// Frames seen by [`DrawnWatch::drawn`] so far.
    frames: u32,
    told: bool,
}

impl DrawnWatch {
    /// Starts watching, in the frame the scene is spawned.
    pub fn start(progress: Option<&RenderProgress>) -> Self {
        DrawnWatch {
            progress: progress.map(|p| (p.clone(), p.rendered())),
            frames: 0,
            told: false,
        }
    }

    /// Call once a frame: true once, in the first frame after one that drew the scene whole
    /// (every pipeline ready, in a frame rendered after the spawn).
    pub fn drawn(&mut self) -> bool {
        if self.told {
            return false;
        }
        self.frames += 1;
        let drawn = match &self.progress {
            Some((progress, before)) => {
                let settled = progress.complete() > *before;
                if !settled && self.frames >= GIVE_UP_FRAMES {
                    warn!("pipelines still compiling after {GIVE_UP_FRAMES} frames");
                    true
                } else {
                    settled
                }
            }
            None => self.frames >= HEADLESS_FRAMES,
        };
        self.told = drawn;
        drawn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_is_drawn_after_the_first_frame_rendered_with_no_pipeline_waiting() {
        let progress = RenderProgress::default();
        progress.record(true);
        let mut watch = DrawnWatch::start(Some(&progress));
        // Spawned in this frame: earlier complete frames do not count.
        assert!(!watch.drawn());
        progress.record(false);
        assert!(!watch.drawn(), "a shader was still compiling");
        progress.record(false);
        assert!(!watch.drawn());
        progress.record(true);
        assert!(watch.drawn(), "that frame drew everything");
        progress.record(true);
        assert!(!watch.drawn(), "told once");
    }

    #[test]
    fn headless_apps_count_frames_and_stuck_pipelines_are_given_up_on() {
        let mut headless = DrawnWatch::start(None);
        let told: Vec<bool> = (0..5).map(|_| headless.drawn()).collect();
        assert_eq!(told, [false, false, true, false, false]);

        let progress = RenderProgress::default();
        let mut stuck = DrawnWatch::start(Some(&progress));
        let mut frames = 0;
        while !stuck.drawn() {
            progress.record(false);
            frames += 1;
        }
        assert_eq!(frames, GIVE_UP_FRAMES - 1);
    }
}
