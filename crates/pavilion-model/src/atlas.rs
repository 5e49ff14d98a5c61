//! Booth art atlases: the fascias, name plates and logos of booths that stand near each
//! other packed onto shared square pages, so the viewer fetches and binds one texture per
//! neighbourhood instead of three per booth. This module decides where each picture goes on a
//! page (pure arithmetic, the same on server and viewer); the server renders the pages.

use serde::{Deserialize, Serialize};

/// The side of an atlas page, in pixels.
pub const PAGE_SIZE: u32 = 2048;
/// Pixels around each picture repeating its edge pixels, so linear filtering at the edge of a
/// slot never samples the neighbouring picture.
pub const GUTTER: u32 = 2;
/// The fascia on a page: half the 1280 x 256 board the server renders, still legible from
/// the aisle.
pub const FASCIA_SLOT: (u32, u32) = (640, 128);
/// The name plate on a page: half the 1024 x 256 plate.
pub const NAME_PLATE_SLOT: (u32, u32) = (512, 128);
/// The logo on a page: half the 640 x 160 logo (4:1, like the panels that show it).
pub const LOGO_SLOT: (u32, u32) = (320, 80);

/// Where one booth's pictures are in an atlas page ([`crate::ExhibitorSummary::art`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoothArt {
    /// Content-addressed PNG of the page (RGBA: the logo keeps its transparency).
    pub page_url: String,
    /// The fascia's rectangle in the page, `[u, v, width, height]` from the top left, 0 to 1.
    pub fascia: [f32; 4],
    /// The name plate's rectangle in the page.
    pub name_plate: [f32; 4],
    /// The logo's rectangle in the page.
    pub logo: [f32; 4],
}

/// A picture's place on a page in pixels, gutter excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PixelRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl PixelRect {
    /// The rectangle normalised to the page, `[u, v, width, height]`.
    pub fn uv(&self) -> [f32; 4] {
        let page = PAGE_SIZE as f32;
        [
            self.x as f32 / page,
            self.y as f32 / page,
            self.width as f32 / page,
            self.height as f32 / page,
        ]
    }

    /// The rectangle with its gutter around it.
    pub fn with_gutter(&self) -> PixelRect {
        PixelRect {
            x: self.x - GUTTER,
            y: self.y - GUTTER,
            width: self.width + 2 * GUTTER,
            height: self.height + 2 * GUTTER,
        }
    }

    /// Whether two rectangles share any pixel.
    pub fn overlaps(&self, other: &PixelRect) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}

/// The three pictures of one booth on its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BoothSlots {
    pub fascia: PixelRect,
    pub name_plate: PixelRect,
    pub logo: PixelRect,
}

/// A shelf of a page being filled: its top, height and how far it is filled.
struct Shelf {
    top: u32,
    height: u32,
    used: u32,
}

/// One page being filled, shelf by shelf.
#[derive(Default)]
struct PageFill {
    shelves: Vec<Shelf>,
}

impl PageFill {
    /// Where a picture of `size` (gutter excluded) would go: the first shelf with room, else
    /// a new shelf under the last. `None` when the page is full.
    fn find(&self, size: (u32, u32)) -> Option<(usize, PixelRect)> {
        let (width, height) = (size.0 + 2 * GUTTER, size.1 + 2 * GUTTER);
        for (index, shelf) in self.shelves.iter().enumerate() {
            if height <= shelf.height && shelf.used + width <= PAGE_SIZE {
                return Some((index, inner(shelf.used, shelf.top, size)));
            }
        }
        let top = self.shelves.last().map_or(0, |s| s.top + s.height);
        (top + height <= PAGE_SIZE && width <= PAGE_SIZE)
            .then(|| (self.shelves.len(), inner(0, top, size)))
    }

    fn take(&mut self, shelf: usize, rect: PixelRect) {
        let outer = rect.with_gutter();
        if shelf == self.shelves.len() {
            self.shelves.push(Shelf {
                top: outer.y,
                height: outer.height,
                used: 0,
            });
        }
        self.shelves[shelf].used = outer.x + outer.width;
    }

    /// Places a booth's three pictures, all or none.
    fn place(&mut self) -> Option<BoothSlots> {
        let mut trial = PageFill {
            shelves: self
                .shelves
                .iter()
                .map(|s| Shelf {
                    top: s.top,
                    height: s.height,
                    used: s.used,
                })
                .collect(),
        };
        let mut rects = [None; 3];
        for (i, size) in [FASCIA_SLOT, NAME_PLATE_SLOT, LOGO_SLOT]
            .into_iter()
            .enumerate()
        {
            let (shelf, rect) = trial.find(size)?;
            trial.take(shelf, rect);
            rects[i] = Some(rect);
        }
        *self = trial;
        Some(BoothSlots {
            fascia: rects[0]?,
            name_plate: rects[1]?,
            logo: rects[2]?,
        })
    }
}

fn inner(x: u32, y: u32, size: (u32, u32)) -> PixelRect {
    PixelRect {
        x: x + GUTTER,
        y: y + GUTTER,
        width: size.0,
        height: size.1,
    }
}

/// The slots of as many booths as fit on one page, in order: booth `i` of a page always gets
/// the same slots, so a page's layout depends only on how many booths it holds.
pub fn page_template() -> Vec<BoothSlots> {
    let mut page = PageFill::default();
    std::iter::from_fn(|| page.place()).collect()
}

/// How many booths one page holds.
pub fn booths_per_page() -> usize {
    page_template().len()
}

/// Splits `count` booths, taken in order, into pages: the slots of each page's booths.
pub fn pack(count: usize) -> Vec<Vec<BoothSlots>> {
    let template = page_template();
    let mut pages = Vec::new();
    let mut left = count;
    while left > 0 {
        let here = left.min(template.len());
        pages.push(template[..here].to_vec());
        left -= here;
    }
    pages
}

/// The order booths are packed in within one hall, so a page serves a neighbourhood: blocks
/// of `NEIGHBOURHOOD` metres (row by row), and within a block by z, then x. Returns the
/// indices of `centres` (booth centres, hall x/z) in that order.
pub fn neighbourhood_order(centres: &[[f32; 2]]) -> Vec<usize> {
    const NEIGHBOURHOOD: f32 = 32.0;
    let block = |v: f32| (v / NEIGHBOURHOOD).floor() as i64;
    let mut order: Vec<usize> = (0..centres.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (centres[a], centres[b]);
        (block(pa[1]), block(pa[0]))
            .cmp(&(block(pb[1]), block(pb[0])))
            .then_with(|| pa[1].total_cmp(&pb[1]))
            .then_with(|| pa[0].total_cmp(&pb[0]))
            .then_with(|| a.cmp(&b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_rects(slots: &[BoothSlots]) -> Vec<PixelRect> {
        slots
            .iter()
            .flat_map(|s| [s.fascia, s.name_plate, s.logo])
            .collect()
    }

    #[test]
    fn a_page_holds_a_neighbourhood_of_booths() {
        // 3 shelves of 132 px serve 4 booths; 15 shelves fit in 2048 px.
        assert_eq!(booths_per_page(), 20);
    }

    #[test]
    fn slots_have_their_sizes_and_stay_inside_the_page_with_their_gutters() {
        for slots in page_template() {
            assert_eq!((slots.fascia.width, slots.fascia.height), FASCIA_SLOT);
            assert_eq!(
                (slots.name_plate.width, slots.name_plate.height),
                NAME_PLATE_SLOT
            );
            assert_eq!((slots.logo.width, slots.logo.height), LOGO_SLOT);
            for rect in [slots.fascia, slots.name_plate, slots.logo] {
                let outer = rect.with_gutter();
                assert!(outer.x + outer.width <= PAGE_SIZE, "{rect:?}");
                assert!(outer.y + outer.height <= PAGE_SIZE, "{rect:?}");
                let [u, v, w, h] = rect.uv();
                assert!(u > 0.0 && v > 0.0 && u + w < 1.0 && v + h < 1.0, "{rect:?}");
            }
        }
    }

    #[test]
    fn no_two_slots_overlap_even_with_their_gutters() {
        let rects = all_rects(&page_template());
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(
                    !a.with_gutter().overlaps(&b.with_gutter()),
                    "{a:?} overlaps {b:?}"
                );
            }
        }
    }

    #[test]
    fn packing_is_deterministic_and_fills_pages_in_order() {
        let per_page = booths_per_page();
        let pages = pack(2 * per_page + 3);
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].len(), per_page);
        assert_eq!(pages[2].len(), 3);
        assert_eq!(pages[2][..], pages[0][..3]);
        assert_eq!(pack(2 * per_page + 3), pages);
        assert!(pack(0).is_empty());
    }

    #[test]
    fn overlapping_rectangles_are_seen_as_such() {
        let a = PixelRect {
            x: 0,
            y: 0,
            width: 10,
            height: 10,
        };
        let touching = PixelRect { x: 10, ..a };
        let crossing = PixelRect { x: 9, y: 9, ..a };
        assert!(!a.overlaps(&touching));
        assert!(a.overlaps(&crossing));
    }

    #[test]
    fn neighbours_are_packed_together() {
        // Two blocks of 32 m: the far booth comes after both near ones, whatever the input order.
        let centres = [[40.0, 2.0], [3.0, 5.0], [3.0, 2.0], [10.0, 2.0]];
        assert_eq!(neighbourhood_order(&centres), vec![2, 3, 1, 0]);
    }
}
