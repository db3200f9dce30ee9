//! Profile photos: decoded, turned upright, re-encoded (which drops every
//! metadata block, GPS included) and stored in a few square sizes.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::error::Error;

/// The largest upload accepted.
pub const MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;
/// Square sizes kept, in pixels.
pub const SIZES: [u32; 3] = [96, 320, 800];
const MAX_PIXELS_SIDE: u32 = 12_000;

/// A photo ready to store: one JPEG per size.
pub struct Photo {
    pub variants: Vec<(u32, Vec<u8>)>,
}

/// Decodes and re-encodes an upload; BAD_USER_INPUT on `field` for anything
/// that is not a JPEG, PNG or WebP image within the limits. CPU-bound: call
/// from a blocking task.
pub fn process(bytes: &[u8], field: &str) -> Result<Photo, Error> {
    let refuse = |why: &str| Error::invalid(field, why.to_owned());
    if bytes.len() as u64 > MAX_PHOTO_BYTES {
        return Err(refuse("the photo must be at most 5 MB"));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| refuse("the photo could not be read"))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        _ => return Err(refuse("the photo must be a JPEG, PNG or WebP image")),
    }
    let mut reader = reader;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PIXELS_SIDE);
    limits.max_image_height = Some(MAX_PIXELS_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| refuse("the photo is not a valid image"))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder)
        .map_err(|_| refuse("the photo is not a valid image"))?;
    img.apply_orientation(orientation);
    let mut variants = Vec::with_capacity(SIZES.len());
    for size in SIZES {
        let square = img
            .resize_to_fill(size, size, FilterType::CatmullRom)
            .into_rgb8();
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&square)
            .map_err(|e| Error::internal("encoding a photo", &e))?;
        variants.push((size, out));
    }
    Ok(Photo { variants })
}

/// Where photos live: `<data>/media/photos/<key>-<size>.jpg`, served under
/// /media/.
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

impl MediaStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str, size: u32) -> PathBuf {
        self.root.join("photos").join(format!("{key}-{size}.jpg"))
    }

    /// Writes every size under a new key (temporary file, then rename, so a
    /// reader never sees half a photo) and returns the key.
    pub async fn store(&self, photo: &Photo) -> Result<String, Error> {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let dir = self.root.join("photos");
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| Error::internal("creating the photo directory", &e))?;
        for (size, bytes) in &photo.variants {
            let path = self.path(&key, *size);
            let tmp = path.with_extension("part");
            tokio::fs::write(&tmp, bytes)
                .await
                .map_err(|e| Error::internal("writing a photo", &e))?;
            tokio::fs::rename(&tmp, &path)
                .await
                .map_err(|e| Error::internal("writing a photo", &e))?;
        }
        Ok(key)
    }

    /// Deletes a photo's files; a failure is logged, not fatal.
    pub async fn remove(&self, key: &str) {
        for size in SIZES {
            if let Err(e) = tokio::fs::remove_file(self.path(key, size)).await
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(error = %e, key, "could not delete an old photo");
            }
        }
    }
}
