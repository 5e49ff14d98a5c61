//! Booth art atlases: a publish packs every booth's fascia, name plate and logo into shared
//! pages, served like any other media.

use axum::http::StatusCode;
use pavilion_model::HallSnapshot;
use pavilion_model::atlas::{PAGE_SIZE, PixelRect};
use pavilion_server::media::atlas::{Canvas, decode};

use crate::me_support::{send, staff_token};
use crate::{FIXTURE_SIZE, spawn_app};

/// A normalised `[u, v, width, height]` back in page pixels.
fn pixels(uv: [f32; 4]) -> PixelRect {
    let px = |f: f32| (f * PAGE_SIZE as f32).round() as u32;
    PixelRect {
        x: px(uv[0]),
        y: px(uv[1]),
        width: px(uv[2]),
        height: px(uv[3]),
    }
}

/// The mean colour of a rectangle, alpha-weighted.
fn mean(canvas: &Canvas, rect: PixelRect) -> [f64; 3] {
    let mut sum = [0.0; 3];
    let mut weight = 0.0;
    for y in rect.y..rect.y + rect.height {
        for x in rect.x..rect.x + rect.width {
            let [r, g, b, a] = canvas.pixel(x, y);
            let a = f64::from(a);
            sum[0] += f64::from(r) * a;
            sum[1] += f64::from(g) * a;
            sum[2] += f64::from(b) * a;
            weight += a;
        }
    }
    sum.map(|s| s / weight.max(1.0))
}

#[tokio::test]
async fn publish_packs_every_booths_art_into_served_pages_without_overlaps() {
    let app = spawn_app().await;
    let snapshot: HallSnapshot =
        serde_json::from_slice(&app.get("/api/v1/hall").await.body).unwrap();
    assert_eq!(snapshot.exhibitors.len(), FIXTURE_SIZE);
    let mut slots: Vec<(String, PixelRect)> = Vec::new();
    for exhibitor in &snapshot.exhibitors {
        let art = exhibitor
            .art
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no atlas art", exhibitor.slug));
        assert!(art.page_url.starts_with("/media/") && art.page_url.ends_with(".png"));
        let reply = app.get(&art.page_url).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", art.page_url);
        assert_eq!(reply.header("content-type"), "image/png");
        assert_eq!(
            reply.header("cache-control"),
            "public, max-age=31536000, immutable"
        );
        let page = decode(&reply.body).expect("the page is a PNG");
        for (uv, source_url) in [
            (art.fascia, &exhibitor.fascia_url),
            (art.name_plate, &exhibitor.name_plate_url),
            (art.logo, &exhibitor.logo_url),
        ] {
            assert!(uv.iter().all(|f| (0.0..=1.0).contains(f)), "{uv:?}");
            assert!(uv[0] + uv[2] <= 1.0 && uv[1] + uv[3] <= 1.0, "{uv:?}");
            let rect = pixels(uv);
            // The slot shows its source picture, scaled down: the same colours on average.
            let source = decode(&app.get(source_url).await.body).expect("a PNG");
            let expected = mean(
                &source.scaled(rect.width, rect.height),
                PixelRect {
                    x: 0,
                    y: 0,
                    width: rect.width,
                    height: rect.height,
                },
            );
            let found = mean(&page, rect);
            for channel in 0..3 {
                assert!(
                    (expected[channel] - found[channel]).abs() < 1.0,
                    "{} slot {rect:?}: {found:?} against {expected:?}",
                    exhibitor.slug
                );
            }
            slots.push((art.page_url.clone(), rect));
        }
    }
    for (i, (page_a, a)) in slots.iter().enumerate() {
        for (page_b, b) in &slots[i + 1..] {
            if page_a == page_b {
                let (a, b) = (a.with_gutter(), b.with_gutter());
                assert!(!a.overlaps(&b), "{a:?} overlaps {b:?} (gutters included)");
            }
        }
    }

    // Publishing again with nothing changed makes the same pages.
    let staff = staff_token(&app, "atlas-admin", "admin").await;
    let published = send(&app, "POST", "/api/v1/staff/publish", Some(&staff), "").await;
    assert!(published.status.is_success(), "{}", published.status);
    let again: HallSnapshot = serde_json::from_slice(&app.get("/api/v1/hall").await.body).unwrap();
    assert_eq!(again.version, snapshot.version + 1);
    for exhibitor in &snapshot.exhibitors {
        assert_eq!(
            again.exhibitor(&exhibitor.slug).unwrap().art,
            exhibitor.art,
            "{}",
            exhibitor.slug
        );
    }
}
