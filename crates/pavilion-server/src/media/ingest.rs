//! Upload ingest for exhibitor media: the body streams to a temp file (never whole in memory)
//! with the size limit of its kind enforced while it streams; the kind is decided from the
//! first bytes (never the file name or `Content-Type`); then the content is checked (images
//! decoded with limits and re-encoded, SVG rasterised, PDF, video and GLB checked) and only
//! then stored content-addressed (temp file, fsync, rename). A refused upload leaves nothing.

use std::io::Read as _;
use std::path::Path;

use axum::body::Body;
use futures_util::StreamExt as _;
use pavilion_model::{BoothTier, MediaKind};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

use super::budget::CheckBudget;
use super::render::{MAX_LOGO_BYTES, RenderError, Renderer};
use super::store::{MediaStore, StoredMedia};
use crate::error::Error;
use crate::error::UploadError;

const MIB: u64 = 1024 * 1024;

/// The largest upload of each kind, checked while the body streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub image: u64,
    pub svg: u64,
    pub video: u64,
    pub brochure: u64,
    pub model: u64,
}

pub const LIMITS: Limits = Limits {
    image: pavilion_media::ImageLimits::BOOTH.max_bytes,
    svg: MAX_LOGO_BYTES as u64,
    video: 256 * MIB,
    brochure: pavilion_media::MAX_PDF_BYTES,
    model: pavilion_media::MAX_GLB_BYTES,
};

impl Limits {
    /// The largest upload of any kind: a longer `Content-Length` is refused unread.
    pub fn largest(&self) -> u64 {
        [self.image, self.svg, self.video, self.brochure, self.model]
            .into_iter()
            .max()
            .unwrap_or(0)
    }

    pub fn of(&self, format: Format) -> u64 {
        match format {
            Format::Svg => self.svg,
            Format::Png | Format::Jpeg => self.image,
            Format::Mp4 | Format::WebM => self.video,
            Format::Pdf => self.brochure,
            Format::Glb => self.model,
        }
    }
}

/// The longer side of a rasterised SVG picture, in pixels.
pub const SVG_RASTER_SIDE: u32 = 2048;
/// How many leading bytes decide the format (SVG may open with a prolog and comments).
const SNIFF_BYTES: usize = 1024;

/// A file format recognised from content, by `pavilion-media`'s [`sniff`](pavilion_media::sniff).
pub use pavilion_media::FileFormat as Format;

/// The booth media kind a format is shown as.
pub fn kind_of(format: Format) -> MediaKind {
    match format {
        Format::Png | Format::Jpeg | Format::Svg => MediaKind::Image,
        Format::Mp4 | Format::WebM => MediaKind::Video,
        Format::Pdf => MediaKind::Brochure,
        Format::Glb => MediaKind::Model,
    }
}

/// A checked, stored upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub kind: MediaKind,
    pub stored: StoredMedia,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// What the checks need besides the bytes.
#[derive(Debug, Clone)]
pub struct IngestContext {
    pub media: MediaStore,
    pub renderer: Renderer,
    pub limits: Limits,
    /// The booth tier, which sets the 3D model's budget.
    pub tier: BoothTier,
    /// The time and decoded data each content check may use.
    pub budget: CheckBudget,
}

/// A file streamed to disk with its hash, before any content check.
struct Streamed {
    file: tempfile::NamedTempFile,
    format: Format,
    sha256: String,
}

/// Streams, checks and stores one upload. `declared_length` is the `Content-Length`, if
/// any: when it already exceeds the limit the body is refused before it is read.
pub async fn ingest(
    context: &IngestContext,
    body: Body,
    declared_length: Option<u64>,
) -> Result<Ingested, Error> {
    let limits = context.limits;
    if declared_length.is_some_and(|length| length > limits.largest()) {
        return Err(UploadError::TooLarge {
            what: "any upload",
            limit: limits.largest(),
        }
        .into());
    }
    let streamed = stream_to_disk(context, body, declared_length).await?;
    let context = context.clone();
    tokio::task::spawn_blocking(move || check_and_store(&context, streamed)).await?
}

async fn stream_to_disk(
    context: &IngestContext,
    body: Body,
    declared_length: Option<u64>,
) -> Result<Streamed, Error> {
    let incoming = context.media.incoming_dir();
    tokio::fs::create_dir_all(&incoming).await?;
    // Removed on drop: a refused or interrupted upload leaves no file behind.
    let file = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(&incoming)?;
    let mut writer =
        tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file.reopen()?));
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
    let mut format: Option<(Format, u64)> = None;
    let mut written: u64 = 0;
    let mut stream = body.into_data_stream();
    loop {
        let chunk = match stream.next().await {
            Some(Ok(chunk)) => chunk,
            Some(Err(error)) => {
                tracing::debug!(%error, "upload body failed");
                // A body cut for its rate (`http::limits`) says so; anything else is an
                // interruption.
                let cause = UploadError::carried_by(&error).unwrap_or(UploadError::Interrupted);
                return Err(cause.into());
            }
            None => break,
        };
        let mut data: &[u8] = &chunk;
        if format.is_none() {
            let wanted = (SNIFF_BYTES - head.len()).min(data.len());
            head.extend_from_slice(&data[..wanted]);
            data = &data[wanted..];
            if head.len() < SNIFF_BYTES {
                continue;
            }
            let found = decide_format(context.limits, &head, declared_length)?;
            format = Some(found);
            write_checked(&mut writer, &mut hasher, &mut written, &head, found).await?;
        }
        if let Some(found) = format {
            write_checked(&mut writer, &mut hasher, &mut written, data, found).await?;
        }
    }
    let (format, _) = match format {
        Some(found) => found,
        None if head.is_empty() => return Err(UploadError::Empty.into()),
        None => {
            let found = decide_format(context.limits, &head, declared_length)?;
            write_checked(&mut writer, &mut hasher, &mut written, &head, found).await?;
            found
        }
    };
    writer.flush().await?;
    writer.into_inner().sync_all().await?;
    Ok(Streamed {
        file,
        format,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Decides the format from the first bytes and refuses a declared length over its limit.
fn decide_format(
    limits: Limits,
    head: &[u8],
    declared_length: Option<u64>,
) -> Result<(Format, u64), UploadError> {
    let format = sniff(head).ok_or(UploadError::Unsupported)?;
    let limit = limits.of(format);
    if declared_length.is_some_and(|length| length > limit) {
        return Err(UploadError::TooLarge {
            what: format.described(),
            limit,
        });
    }
    Ok((format, limit))
}

async fn write_checked(
    writer: &mut tokio::io::BufWriter<tokio::fs::File>,
    hasher: &mut Sha256,
    written: &mut u64,
    data: &[u8],
    (format, limit): (Format, u64),
) -> Result<(), Error> {
    *written += data.len() as u64;
    if *written > limit {
        return Err(UploadError::TooLarge {
            what: format.described(),
            limit,
        }
        .into());
    }
    hasher.update(data);
    writer.write_all(data).await?;
    Ok(())
}

/// The format of a file from its first bytes; `None` for anything not accepted.
pub fn sniff(head: &[u8]) -> Option<Format> {
    pavilion_media::sniff(head)
}

/// An ISO base media file whose first box is a sane `ftyp` with an MP4 family brand.
fn is_mp4(head: &[u8]) -> bool {
    if head.len() < 16 || &head[4..8] != b"ftyp" {
        return false;
    }
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let brand = &head[8..12];
    (16..=1024).contains(&size)
        && [
            b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
            b"dash", b"mmp4",
        ]
        .iter()
        .any(|known| brand == *known)
}

/// An EBML header whose DocType element (id 0x4282, size 4) says `webm`.
fn is_webm(head: &[u8]) -> bool {
    const DOC_TYPE_WEBM: [u8; 7] = [0x42, 0x82, 0x84, b'w', b'e', b'b', b'm'];
    head.starts_with(&[0x1a, 0x45, 0xdf, 0xa3])
        && head[..head.len().min(64)]
            .windows(DOC_TYPE_WEBM.len())
            .any(|window| window == DOC_TYPE_WEBM)
}

/// Checks the streamed file for its format and stores what may be served.
fn check_and_store(context: &IngestContext, streamed: Streamed) -> Result<Ingested, Error> {
    let Streamed {
        file,
        format,
        sha256,
    } = streamed;
    let kind = kind_of(format);
    let budget = context.budget;
    // Each check runs under its own deadline and stops cooperatively when it passes, so a
    // refused check also frees this blocking thread.
    let refused = |error: pavilion_media::MediaError| match error {
        pavilion_media::MediaError::Empty => UploadError::Empty,
        other => UploadError::invalid(other.code(), budget.describe(&other)),
    };
    match format {
        Format::Png | Format::Jpeg => {
            let bytes = read_all(file.path())?;
            let image = pavilion_media::check_image_within(
                &bytes,
                pavilion_media::ImageLimits::BOOTH,
                &budget.start(),
            )
            .map_err(refused)?;
            let stored = context.media.put(&image.png_bytes, "png")?;
            Ok(Ingested {
                kind,
                stored,
                width: Some(image.width),
                height: Some(image.height),
            })
        }
        Format::Svg => {
            let bytes = read_all(file.path())?;
            let logo = context
                .renderer
                .parse_logo(&bytes, &budget.start())
                .map_err(|error| match error {
                    RenderError::Check(error) => refused(error),
                    other => UploadError::invalid(
                        "invalid_svg",
                        format!("the SVG cannot be used: {other}"),
                    ),
                })?;
            let (png, width, height) = context
                .renderer
                .picture_png(&logo, SVG_RASTER_SIDE)
                .map_err(|error| {
                    UploadError::invalid("invalid_svg", format!("the SVG cannot be drawn: {error}"))
                })?;
            let stored = context.media.put(&png, "png")?;
            Ok(Ingested {
                kind,
                stored,
                width: Some(width),
                height: Some(height),
            })
        }
        Format::Mp4 | Format::WebM => {
            let head = read_head(file.path())?;
            let well_formed = if format == Format::Mp4 {
                is_mp4(&head)
            } else {
                is_webm(&head)
            };
            if !well_formed {
                return Err(UploadError::invalid(
                    "invalid_video",
                    format!(
                        "the file starts like {} but its header is not one browsers play: send MP4 (H.264/AAC, brand isom or mp42) or WebM",
                        format.described()
                    ),
                )
                .into());
            }
            let extension = format.extension();
            let stored = context.media.put_file(file, &sha256, extension)?;
            Ok(Ingested {
                kind,
                stored,
                width: None,
                height: None,
            })
        }
        Format::Pdf => {
            let bytes = read_all(file.path())?;
            pavilion_media::check_pdf_within(&bytes, &budget.start()).map_err(refused)?;
            drop(bytes);
            let stored = context.media.put_file(file, &sha256, "pdf")?;
            Ok(Ingested {
                kind,
                stored,
                width: None,
                height: None,
            })
        }
        Format::Glb => {
            let bytes = read_all(file.path())?;
            pavilion_media::check_glb_within(
                &bytes,
                pavilion_media::ModelBudget::for_tier(context.tier),
                &budget.start(),
            )
            .map_err(refused)?;
            drop(bytes);
            let stored = context.media.put_file(file, &sha256, "glb")?;
            Ok(Ingested {
                kind,
                stored,
                width: None,
                height: None,
            })
        }
    }
}

/// The first bytes of a file, for header checks.
fn read_head(path: &Path) -> Result<Vec<u8>, Error> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// Reads a streamed file whose size was already bounded by its kind's limit.
fn read_all(path: &Path) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_magic_is_checked() {
        let mut mp4 = vec![0, 0, 0, 24];
        mp4.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
        assert!(is_mp4(&mp4));
        mp4[8..12].copy_from_slice(b"qt  ");
        assert!(!is_mp4(&mp4), "QuickTime is not accepted");
        let webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04";
        assert!(is_webm(webm));
        let mkv = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska";
        assert!(!is_webm(mkv), "Matroska that is not WebM is not accepted");
    }

    #[test]
    fn limits_cover_every_format() {
        assert_eq!(LIMITS.largest(), LIMITS.video);
        assert!(LIMITS.of(Format::Svg) < LIMITS.of(Format::Png));
    }
}
