//! The four illustrations of the product pictures, each drawn on the picture's backdrop in
//! the company's palette: a stack of appliances, a monitoring dashboard, a network round a
//! protected core, and a phone with a lock screen.

use super::colour::{BLACK, INK, WHITE, mix};
use super::picture::Palette;
use super::raster::Canvas;
use super::seed::Rng;

/// Rack appliances stacked on the floor, with vents, status lights, ports and a badge.
pub(super) fn draw_appliance(c: &mut Canvas, p: &Palette, rng: &mut Rng) {
    let units = 1 + rng.below(3);
    let width = rng.range(520.0, 640.0);
    let unit_height = 70.0;
    let x = (960.0 - width) / 2.0;
    let bottom = 420.0;
    // Shadow on the floor.
    c.round_rect(
        x - 20.0,
        bottom - 6.0,
        width + 40.0,
        22.0,
        11.0,
        BLACK,
        0.35,
    );
    for unit in 0..units {
        let y = bottom - (unit + 1) as f32 * (unit_height + 8.0);
        c.round_rect(
            x,
            y,
            width,
            unit_height,
            10.0,
            mix(p.light, p.brand, 0.35),
            1.0,
        );
        c.round_rect(
            x + 14.0,
            y + 12.0,
            width * 0.55,
            unit_height - 24.0,
            6.0,
            INK,
            0.92,
        );
        // Vents on the bezel.
        for v in 0..10 {
            let vx = x + 30.0 + v as f32 * (width * 0.5 / 10.0);
            c.line(
                (vx, y + 22.0),
                (vx, y + unit_height - 22.0),
                4.0,
                p.dark,
                0.8,
            );
        }
        // Status lights and ports.
        for led in 0..4 {
            let on = rng.below(4) != 0;
            let colour = if on { [80, 230, 140] } else { p.accent };
            c.circle(
                x + width * 0.62 + led as f32 * 22.0,
                y + unit_height / 2.0,
                6.0,
                colour,
                1.0,
            );
        }
        for port in 0..3 {
            c.round_rect(
                x + width * 0.8 + port as f32 * 34.0 - 20.0,
                y + 22.0,
                26.0,
                24.0,
                3.0,
                p.dark,
                1.0,
            );
        }
    }
    // A badge with the brand colour.
    c.circle(
        x + width - 40.0,
        bottom - units as f32 * (unit_height + 8.0) - 40.0,
        26.0,
        p.brand,
        1.0,
    );
    c.ring(
        x + width - 40.0,
        bottom - units as f32 * (unit_height + 8.0) - 40.0,
        34.0,
        4.0,
        p.light,
        0.9,
    );
}

/// A monitor on a stand showing a bar chart, a line chart, a gauge and an alert list.
pub(super) fn draw_dashboard(c: &mut Canvas, p: &Palette, rng: &mut Rng) {
    // A monitor on a stand.
    let (x, y, w, h) = (170.0, 60.0, 620.0, 340.0);
    c.round_rect(
        430.0,
        395.0,
        100.0,
        30.0,
        4.0,
        mix(p.light, BLACK, 0.3),
        1.0,
    );
    c.round_rect(
        370.0,
        420.0,
        220.0,
        14.0,
        7.0,
        mix(p.light, BLACK, 0.2),
        1.0,
    );
    c.round_rect(x - 12.0, y - 12.0, w + 24.0, h + 24.0, 16.0, INK, 1.0);
    c.round_rect(x, y, w, h, 6.0, mix(INK, p.dark, 0.5), 1.0);
    // Side bar and header.
    c.round_rect(x, y, 120.0, h, 6.0, mix(INK, p.brand, 0.35), 1.0);
    for row in 0..6 {
        c.round_rect(
            x + 18.0,
            y + 30.0 + row as f32 * 44.0,
            84.0,
            12.0,
            6.0,
            p.light,
            if row == 1 { 0.95 } else { 0.35 },
        );
    }
    // Bar chart.
    let (bx, by) = (x + 150.0, y + 40.0);
    c.round_rect(bx, by, 260.0, 150.0, 8.0, WHITE, 0.06);
    for bar in 0..8 {
        let height = rng.range(30.0, 130.0);
        let colour = if bar % 3 == 2 { p.accent } else { p.brand };
        c.round_rect(
            bx + 16.0 + bar as f32 * 30.0,
            by + 140.0 - height,
            18.0,
            height,
            4.0,
            colour,
            1.0,
        );
    }
    // Line chart.
    let (lx, ly) = (x + 150.0, y + 210.0);
    c.round_rect(lx, ly, 260.0, 110.0, 8.0, WHITE, 0.06);
    let mut previous = (lx + 14.0, ly + rng.range(30.0, 90.0));
    for step in 1..10 {
        let next = (lx + 14.0 + step as f32 * 26.0, ly + rng.range(20.0, 95.0));
        c.line(previous, next, 4.0, p.accent, 1.0);
        previous = next;
    }
    // Gauge and alert list.
    let (gx, gy) = (x + 520.0, y + 110.0);
    c.ring(gx, gy, 58.0, 16.0, WHITE, 0.12);
    c.ring(gx, gy, 58.0, 16.0, p.brand, 0.9);
    c.circle(gx, gy, 34.0, p.light, 0.85);
    for row in 0..4 {
        let ry = y + 210.0 + row as f32 * 28.0;
        let alert = [[240, 90, 80], [250, 190, 70], [80, 210, 140]][rng.below(3)];
        c.circle(x + 450.0, ry + 9.0, 7.0, alert, 1.0);
        c.round_rect(
            x + 466.0,
            ry + 3.0,
            rng.range(70.0, 130.0),
            12.0,
            6.0,
            p.light,
            0.6,
        );
    }
}

/// Nodes on a jittered ellipse linked to a shield-like core and to each other.
pub(super) fn draw_network(c: &mut Canvas, p: &Palette, rng: &mut Rng) {
    let centre = (480.0, 250.0);
    let count = 7 + rng.below(4);
    let mut nodes = Vec::new();
    for i in 0..count {
        // Points round the centre on a jittered ellipse, without trigonometry: a fixed table.
        const ROUND: [(f32, f32); 12] = [
            (1.0, 0.0),
            (0.87, 0.5),
            (0.5, 0.87),
            (0.0, 1.0),
            (-0.5, 0.87),
            (-0.87, 0.5),
            (-1.0, 0.0),
            (-0.87, -0.5),
            (-0.5, -0.87),
            (0.0, -1.0),
            (0.5, -0.87),
            (0.87, -0.5),
        ];
        let (dx, dy) = ROUND[(i * 12 / count) % 12];
        let reach = rng.range(0.75, 1.0);
        nodes.push((centre.0 + dx * 330.0 * reach, centre.1 + dy * 165.0 * reach));
    }
    for (i, node) in nodes.iter().enumerate() {
        c.line(centre, *node, 3.0, p.light, 0.5);
        let next = nodes[(i + 1) % nodes.len()];
        if rng.below(3) != 0 {
            c.line(*node, next, 2.0, p.accent, 0.45);
        }
    }
    for node in &nodes {
        let r = rng.range(16.0, 28.0);
        c.circle(node.0, node.1, r + 8.0, p.brand, 0.25);
        c.circle(node.0, node.1, r, mix(p.light, p.brand, 0.3), 1.0);
        c.circle(node.0, node.1, r * 0.4, p.dark, 0.9);
    }
    // The protected core: a shield-like badge.
    c.circle(centre.0, centre.1, 110.0, p.brand, 0.18);
    c.round_rect(
        centre.0 - 70.0,
        centre.1 - 80.0,
        140.0,
        120.0,
        24.0,
        p.brand,
        1.0,
    );
    c.circle(centre.0, centre.1 + 20.0, 70.0, p.brand, 1.0);
    c.ring(centre.0, centre.1, 40.0, 10.0, WHITE, 0.95);
    c.round_rect(centre.0 - 6.0, centre.1 - 6.0, 12.0, 46.0, 6.0, WHITE, 0.95);
}

/// A phone with a lock and app tiles, between two cards.
pub(super) fn draw_phone(c: &mut Canvas, p: &Palette, rng: &mut Rng) {
    let (x, y, w, h) = (370.0, 40.0, 220.0, 400.0);
    // A card behind the phone.
    c.round_rect(x - 190.0, 120.0, 240.0, 200.0, 18.0, p.light, 0.9);
    for row in 0..4 {
        c.round_rect(
            x - 165.0,
            150.0 + row as f32 * 38.0,
            rng.range(120.0, 190.0),
            14.0,
            7.0,
            p.dark,
            0.55,
        );
    }
    c.round_rect(x + w - 30.0, 170.0, 250.0, 150.0, 18.0, p.accent, 0.9);
    c.circle(x + w + 40.0, 245.0, 36.0, WHITE, 0.85);
    c.round_rect(x + w + 90.0, 220.0, 100.0, 14.0, 7.0, WHITE, 0.8);
    c.round_rect(x + w + 90.0, 250.0, 70.0, 14.0, 7.0, WHITE, 0.6);
    // The phone.
    c.round_rect(x - 10.0, y - 10.0, w + 20.0, h + 20.0, 40.0, INK, 1.0);
    c.round_rect(x, y, w, h, 32.0, mix(p.dark, INK, 0.4), 1.0);
    c.round_rect(x + 80.0, y + 14.0, 60.0, 12.0, 6.0, INK, 1.0);
    // A lock on the screen and app tiles below it.
    let (lx, ly) = (x + w / 2.0, y + 120.0);
    c.ring(lx, ly - 28.0, 26.0, 10.0, p.light, 1.0);
    c.round_rect(lx - 44.0, ly - 20.0, 88.0, 72.0, 12.0, p.brand, 1.0);
    c.circle(lx, ly + 10.0, 9.0, INK, 0.9);
    for tile in 0..6 {
        let tx = x + 28.0 + (tile % 3) as f32 * 58.0;
        let ty = y + 230.0 + (tile / 3) as f32 * 66.0;
        let colour = if tile == rng.below(6) {
            p.accent
        } else {
            p.light
        };
        c.round_rect(tx, ty, 46.0, 46.0, 12.0, colour, 0.9);
    }
}
