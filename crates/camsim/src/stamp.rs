//! The machine-readable stamp every simulated picture carries: a strip of black and white blocks
//! along the top edge that says which channel this is (its number and a hash of its name) and
//! the wall-clock time the frame was made, in milliseconds. A viewer that decodes frames can read
//! it back to tell channels apart and to measure glass-to-glass latency; people read the same
//! facts in the text drawn below the strip.

/// What a frame says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// 1-based channel number.
    pub channel: u8,
    /// `name_hash(channel name)`.
    pub name_hash: u16,
    /// Milliseconds since the Unix epoch when the frame was made.
    pub unix_ms: u64,
}

/// Bits in the strip: a 4-bit sync pattern, then channel (8), name hash (16), time (44).
pub const BITS: usize = 72;
const SYNC: [bool; 4] = [true, false, true, false];
const TIME_BITS: u32 = 44;
const WHITE: u8 = 235;
const BLACK: u8 = 16;

/// A 16-bit FNV-1a hash of a channel name, folded: the strip's way to say "this is Garage".
pub fn name_hash(name: &str) -> u16 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in name.as_bytes() {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    ((hash >> 16) ^ (hash & 0xffff)) as u16
}

/// The strip's height for a picture of this height.
pub fn strip_height(height: usize) -> usize {
    (height / 24).max(8)
}

fn bits_of(stamp: Stamp) -> [bool; BITS] {
    let mut bits = [false; BITS];
    bits[..4].copy_from_slice(&SYNC);
    let fields: [(u64, u32); 3] =
        [(u64::from(stamp.channel), 8), (u64::from(stamp.name_hash), 16), (stamp.unix_ms, TIME_BITS)];
    let mut at = 4;
    for (value, width) in fields {
        for i in (0..width).rev() {
            bits[at] = (value >> i) & 1 == 1;
            at += 1;
        }
    }
    bits
}

/// Block `i` spans columns `[left, right)`.
fn block(i: usize, width: usize) -> (usize, usize) {
    (i * width / BITS, (i + 1) * width / BITS)
}

/// Draws the strip into a luma (Y / grey) plane.
pub fn draw(luma: &mut [u8], stride: usize, width: usize, height: usize, stamp: Stamp) {
    let rows = strip_height(height).min(height);
    for (i, bit) in bits_of(stamp).into_iter().enumerate() {
        let (left, right) = block(i, width);
        let value = if bit { WHITE } else { BLACK };
        for row in 0..rows {
            luma[row * stride + left..row * stride + right].fill(value);
        }
    }
}

/// Reads the strip back from a luma plane (also after lossy compression and scaling); `None` if
/// the picture carries no strip.
pub fn read(luma: &[u8], stride: usize, width: usize, height: usize) -> Option<Stamp> {
    let rows = strip_height(height).min(height);
    if width < BITS * 3 || rows < 3 || luma.len() < (rows - 1) * stride + width {
        return None;
    }
    let mut bits = [false; BITS];
    for (i, bit) in bits.iter_mut().enumerate() {
        let (left, right) = block(i, width);
        let (x, y) = ((left + right) / 2, rows / 2);
        // The middle of the block, averaged over 3×3 pixels.
        let mut sum = 0u32;
        for dy in 0..3 {
            for dx in 0..3 {
                sum += u32::from(luma[(y + dy - 1) * stride + x + dx - 1]);
            }
        }
        *bit = sum / 9 > u32::from((WHITE + BLACK) / 2);
    }
    if bits[..4] != SYNC {
        return None;
    }
    let mut at = 4;
    let mut field = |width: u32| {
        let mut value = 0u64;
        for _ in 0..width {
            value = (value << 1) | u64::from(bits[at]);
            at += 1;
        }
        value
    };
    let channel = field(8) as u8;
    let name_hash = field(16) as u16;
    let unix_ms = field(TIME_BITS);
    Some(Stamp { channel, name_hash, unix_ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_stamp_reads_back() {
        let (width, height, stride) = (640, 360, 640);
        let mut luma = vec![128u8; stride * height];
        let stamp = Stamp { channel: 2, name_hash: name_hash("Garage"), unix_ms: 1_795_000_123_456 };
        draw(&mut luma, stride, width, height, stamp);
        assert_eq!(read(&luma, stride, width, height), Some(stamp));
    }

    #[test]
    fn a_picture_without_a_strip_reads_as_none() {
        let luma = vec![128u8; 640 * 360];
        assert_eq!(read(&luma, 640, 640, 360), None);
    }

    #[test]
    fn names_hash_apart() {
        assert_ne!(name_hash("Front door"), name_hash("Garage"));
    }
}
