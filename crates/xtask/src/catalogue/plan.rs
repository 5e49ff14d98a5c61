//! Who gets what: the choice of pictures, brochure and model for every company, from its
//! tier and a ranking seeded by the slug.

use pavilion_model::BoothTier;

use super::company::Company;
use super::seed::fnv1a;

/// How many standard booths get pictures (every premium and flagship booth has them).
const STANDARD_WITH_IMAGES: usize = 26;
/// How many premium booths get a model (every flagship booth has one).
const PREMIUM_WITH_MODEL: usize = 12;

/// What to make for one company.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Plan {
    pub(super) images: usize,
    pub(super) brochure: bool,
    pub(super) model: bool,
}

/// Chooses who gets what: every flagship and premium booth gets pictures and a brochure,
/// every flagship booth and some premium ones a model, and some standard booths pictures.
pub(super) fn plan(companies: &[Company]) -> Vec<Plan> {
    let ranked = |tier: BoothTier, salt: &str| -> Vec<usize> {
        let mut members: Vec<usize> = (0..companies.len())
            .filter(|&i| companies[i].tier == tier)
            .collect();
        members.sort_by_key(|&i| fnv1a(format!("{salt}:{}", companies[i].profile.slug).as_bytes()));
        members
    };
    let mut plans = vec![Plan::default(); companies.len()];
    for (i, company) in companies.iter().enumerate() {
        let products = company.profile.products.len();
        match company.tier {
            BoothTier::Flagship => {
                plans[i] = Plan {
                    images: products.min(4),
                    brochure: true,
                    model: true,
                }
            }
            BoothTier::Premium => {
                plans[i] = Plan {
                    images: products.min(3),
                    brochure: true,
                    model: false,
                }
            }
            BoothTier::Standard => {}
        }
    }
    for &i in ranked(BoothTier::Standard, "images")
        .iter()
        .take(STANDARD_WITH_IMAGES)
    {
        plans[i].images = companies[i].profile.products.len().min(2);
    }
    for &i in ranked(BoothTier::Premium, "model")
        .iter()
        .take(PREMIUM_WITH_MODEL)
    {
        plans[i].model = true;
    }
    plans
}
