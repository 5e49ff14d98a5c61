//! The brochure: the layout of a two-page A4 PDF (the company and its story, then its
//! products) and the PDF objects around the two pages' content streams.

use std::io::Write as _;

use anyhow::Result;
use pavilion_media::write_pdf;

use super::colour::{BLACK, INK, WHITE, mix};
use super::company::Company;
use super::pdf_page::{Page, pdf_text};

/// A two-page A4 brochure: the company and its story, then its products.
pub(super) fn brochure(company: &Company) -> Result<Vec<u8>> {
    let profile = &company.profile;
    let brand = company.colour;
    let grey = [88, 96, 108];
    let (left, width) = (56.0, 483.0);

    let mut first = Page::new();
    first.rect(0.0, 702.0, 595.0, 140.0, brand);
    first.rect(0.0, 696.0, 595.0, 6.0, mix(brand, BLACK, 0.4));
    first.text("F2", 30.0, left, 780.0, WHITE, &profile.name);
    first.y = 752.0;
    first.paragraph("F1", 13.0, left, width, WHITE, &profile.tagline);
    first.text("F2", 15.0, left, 660.0, INK, "About us");
    first.y = 636.0;
    for paragraph in profile.paragraphs() {
        first.paragraph("F1", 10.5, left, width, INK, &paragraph);
        first.y -= 8.0;
    }
    first.y -= 10.0;
    first.text("F2", 15.0, left, first.y, INK, "Visit the booth");
    first.y -= 22.0;
    let topic = company.topic.label();
    for line in [
        format!("Zone: {topic}"),
        format!("Founded {} in {}", profile.founded, profile.headquarters),
        format!("Web: {}", profile.website),
        format!("E-mail: {}", profile.email),
    ] {
        first.text("F1", 10.5, left, first.y, grey, &line);
        first.y -= 15.0;
    }
    first.rect(left, 60.0, width, 0.8, grey);
    first.text(
        "F1",
        8.5,
        left,
        46.0,
        grey,
        "National Cyber Security Week \u{b7} Digital Exhibition Hall \u{b7} page 1 of 2",
    );

    let mut second = Page::new();
    second.rect(0.0, 782.0, 595.0, 60.0, brand);
    second.text(
        "F2",
        18.0,
        left,
        805.0,
        WHITE,
        &format!("{} \u{2013} products", profile.name),
    );
    second.y = 740.0;
    for product in &profile.products {
        second.rect(left, second.y - 2.0, 10.0, 10.0, brand);
        second.text("F2", 14.0, left + 18.0, second.y - 2.0, INK, &product.name);
        second.y -= 18.0;
        second.text("F1", 10.0, left + 18.0, second.y, grey, &product.category);
        second.y -= 18.0;
        second.paragraph("F1", 10.5, left + 18.0, width - 18.0, INK, &product.summary);
        second.y -= 16.0;
    }
    second.rect(left, 60.0, width, 0.8, grey);
    second.text(
        "F1",
        8.5,
        left,
        46.0,
        grey,
        "National Cyber Security Week \u{b7} Digital Exhibition Hall \u{b7} page 2 of 2",
    );

    let deflate = |ops: &str| -> Result<Vec<u8>> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(ops.as_bytes())?;
        Ok(encoder.finish()?)
    };
    let stream = |data: Vec<u8>| -> Vec<u8> {
        let mut object = format!(
            "<< /Length {} /Filter /FlateDecode >>\nstream\n",
            data.len()
        )
        .into_bytes();
        object.extend_from_slice(&data);
        object.extend_from_slice(b"\nendstream");
        object
    };
    let page = |content: usize| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content} 0 R >>"
        )
        .into_bytes()
    };
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [5 0 R 7 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        page(6),
        stream(deflate(&first.ops)?),
        page(8),
        stream(deflate(&second.ops)?),
        format!(
            "<< /Title ({}) /Subject ({}) /Producer (Pavilion catalogue generator) >>",
            pdf_text(&format!("{} brochure", profile.name)),
            pdf_text(&profile.tagline)
        )
        .into_bytes(),
    ];
    Ok(write_pdf(&objects, Some(9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brochure_offsets_point_at_their_objects() {
        let pdf = write_pdf(
            &[b"<< /Type /Catalog >>".to_vec(), b"(two)".to_vec()],
            Some(2),
        );
        let xref = pdf.windows(5).position(|w| w == b"xref\n").unwrap();
        let table = std::str::from_utf8(&pdf[xref..]).unwrap();
        let offsets: Vec<usize> = table
            .lines()
            .skip(3)
            .take(2)
            .map(|l| l[..10].parse().unwrap())
            .collect();
        assert!(pdf[offsets[0]..].starts_with(b"1 0 obj"));
        assert!(pdf[offsets[1]..].starts_with(b"2 0 obj"));
        let startxref: usize = table
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(startxref, xref);
    }
}
