//! `cargo xtask catalogue`: the deterministic generator of the catalogue's media. For chosen
//! companies it writes `exhibitors/<slug>/media/`: product pictures (PNG, drawn from shapes and
//! gradients in the brand colour), a PDF brochure (a small hand-written PDF 1.4 writer with
//! Helvetica) and a GLB product model (boxes and cylinders with normals, one material), plus
//! `media.toml` listing them. Everything is seeded from the slug, never from the clock, and
//! files are only written when their bytes change, so a second run changes nothing.
//!
//! This module runs the plan and writes the files; each kind of file is made by its own
//! module: [`picture`] (with [`raster`] and [`illustrations`]), [`brochure`] (with
//! [`pdf_page`]) and [`model`]; the [`manifest`] lists them.

mod brochure;
mod colour;
mod company;
mod illustrations;
mod manifest;
mod model;
mod pdf_page;
mod picture;
mod plan;
mod raster;
mod seed;

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use pavilion_model::{MEDIA_DIR, MEDIA_MANIFEST, ManifestEntry, MediaKind, MediaManifest};

use brochure::brochure;
use company::{Company, read_companies};
use manifest::manifest_bytes;
use model::{model_shape, product_model};
use picture::product_image;
use plan::{Plan, plan};

pub fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    let report = generate(&root.join("exhibitors"))?;
    println!(
        "catalogue media in {:.2} s: {} companies with pictures ({} images), {} brochures, {} models; \
         {} files written, {} unchanged, {} removed; {:.1} MB in all",
        started.elapsed().as_secs_f64(),
        report.with_images,
        report.images,
        report.brochures,
        report.models,
        report.written,
        report.unchanged,
        report.removed,
        report.total_bytes as f64 / 1_000_000.0
    );
    Ok(())
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub with_images: usize,
    pub images: usize,
    pub brochures: usize,
    pub models: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub total_bytes: u64,
}

/// Generates the media of every company folder in `catalogue`.
pub fn generate(catalogue: &Path) -> Result<Report> {
    let companies = read_companies(catalogue)?;
    let plans = plan(&companies);
    let mut report = Report::default();
    for (company, plan) in companies.iter().zip(&plans) {
        let dir = catalogue.join(&company.profile.slug).join(MEDIA_DIR);
        let files = company_media(company, *plan)?;
        if files.is_empty() {
            if dir.exists() {
                fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
                report.removed += 1;
            }
            continue;
        }
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        for (name, bytes) in &files {
            report.total_bytes += bytes.len() as u64;
            if write_if_changed(&dir.join(name), bytes)? {
                report.written += 1;
            } else {
                report.unchanged += 1;
            }
        }
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !files.iter().any(|(file, _)| *file == name) {
                let path = entry.path();
                if path.is_dir() {
                    fs::remove_dir_all(&path)?;
                } else {
                    fs::remove_file(&path)?;
                }
                report.removed += 1;
            }
        }
        report.with_images += usize::from(plan.images > 0);
        report.images += plan.images;
        report.brochures += usize::from(plan.brochure);
        report.models += usize::from(plan.model);
    }
    Ok(report)
}

/// The files of one company's media folder, manifest included, by file name.
fn company_media(company: &Company, plan: Plan) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut manifest = MediaManifest::default();
    let products = &company.profile.products;
    for index in 0..plan.images {
        let product = &products[index % products.len()];
        let name = format!("product-{}.png", index + 1);
        files.push((name.clone(), product_image(company, index)?));
        manifest.files.push(ManifestEntry::new(
            name,
            MediaKind::Image,
            &product.name,
            Some(product.name.clone()),
        ));
    }
    if plan.brochure {
        let name = "brochure.pdf";
        files.push((name.to_owned(), brochure(company)?));
        let title = format!("{} brochure", company.profile.name);
        manifest
            .files
            .push(ManifestEntry::new(name, MediaKind::Brochure, title, None));
    }
    if plan.model {
        let name = "model.glb";
        let shape = model_shape(company);
        let product = &products[0];
        files.push((name.to_owned(), product_model(company, shape)?));
        let title = format!("{} ({})", product.name, shape.label());
        manifest.files.push(ManifestEntry::new(
            name,
            MediaKind::Model,
            title,
            Some(product.name.clone()),
        ));
    }
    if !files.is_empty() {
        files.push((MEDIA_MANIFEST.to_owned(), manifest_bytes(&manifest)?));
    }
    Ok(files)
}

/// Writes `bytes` to `path` unless the file already holds exactly them; true when written.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// Copies a few real profiles, one of each tier at least, into a scratch catalogue.
    fn scratch_catalogue() -> tempfile::TempDir {
        let root = crate::project_root().join("exhibitors");
        let scratch = tempfile::tempdir().unwrap();
        let mut wanted = vec![("flagship", 1), ("premium", 2), ("standard", 3)];
        let mut folders: Vec<PathBuf> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("profile.toml").is_file())
            .collect();
        folders.sort();
        for folder in folders {
            let text = fs::read_to_string(folder.join("profile.toml")).unwrap();
            let tier = text
                .lines()
                .find(|l| l.starts_with("tier"))
                .unwrap_or_default()
                .to_owned();
            for (name, left) in &mut wanted {
                if *left > 0 && tier.contains(&format!("\"{name}\"")) {
                    *left -= 1;
                    let target = scratch.path().join(folder.file_name().unwrap());
                    fs::create_dir_all(&target).unwrap();
                    fs::copy(folder.join("profile.toml"), target.join("profile.toml")).unwrap();
                }
            }
        }
        scratch
    }

    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push((path.clone(), fs::read(&path).unwrap()));
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn a_second_run_changes_nothing() {
        let catalogue = scratch_catalogue();
        let first = generate(catalogue.path()).unwrap();
        assert!(first.written > 0 && first.unchanged == 0, "{first:?}");
        let before = snapshot(catalogue.path());
        let second = generate(catalogue.path()).unwrap();
        assert_eq!(second.written, 0, "{second:?}");
        assert_eq!(second.unchanged, first.written);
        assert_eq!(snapshot(catalogue.path()), before);

        // A stray file in a media folder is removed: the folder is the generator's alone.
        let media = fs::read_dir(catalogue.path())
            .unwrap()
            .map(|e| e.unwrap().path().join(MEDIA_DIR))
            .find(|p| p.is_dir())
            .unwrap();
        fs::write(media.join("stray.txt"), "x").unwrap();
        assert_eq!(generate(catalogue.path()).unwrap().removed, 1);
        assert_eq!(snapshot(catalogue.path()), before);
    }

    #[test]
    fn generated_files_pass_the_media_checks() {
        let catalogue = scratch_catalogue();
        generate(catalogue.path()).unwrap();
        let mut kinds = std::collections::BTreeMap::new();
        for (path, bytes) in snapshot(catalogue.path()) {
            let ext = path.extension().unwrap().to_string_lossy().into_owned();
            match ext.as_str() {
                "png" => {
                    let image =
                        pavilion_media::check_image(&bytes, pavilion_media::ImageLimits::BOOTH)
                            .unwrap();
                    assert_eq!((image.width, image.height), (960, 540));
                    assert!(
                        bytes.len() < 150_000,
                        "{} is {} bytes",
                        path.display(),
                        bytes.len()
                    );
                }
                "pdf" => {
                    let pdf = pavilion_media::check_pdf(&bytes).unwrap();
                    assert_eq!(pdf.pages, 2, "{}", path.display());
                }
                "glb" => {
                    let model =
                        pavilion_media::check_glb(&bytes, pavilion_media::ModelBudget::STANDARD)
                            .unwrap();
                    assert!(model.triangles > 100, "{model:?}");
                    let bounds = model.bounds.unwrap();
                    assert!(
                        bounds[0][1].abs() < 0.01,
                        "models stand on y = 0: {bounds:?}"
                    );
                }
                "toml" | "" => {}
                other => panic!("unexpected file {other}"),
            }
            *kinds.entry(ext).or_insert(0) += 1;
        }
        assert!(
            kinds["png"] >= 4 && kinds["pdf"] >= 3 && kinds["glb"] >= 1,
            "{kinds:?}"
        );
    }
}
