//! Finding the last of a few bytes in a text, 16 bytes per step.
//!
//! The checker looks for its answer markers from the end of a response; most of a response holds
//! no byte a marker starts or ends with, and is passed over here a block at a time. Each target
//! gets its vector instructions (SSE2 natively on x86-64, SIMD128 in wasm builds that enable it),
//! with a portable fallback, so the checker compiled natively and compiled to wasm runs the same
//! algorithm.

/// Bytes per block.
const BLOCK: usize = 16;

/// Position of the last byte of `bytes[..end]` that is one of `needles`.
///
/// Kept out of line so that its loops own their registers: a loop inside a large function
/// shares them with everything live around it, and wasm code generators spill what does not fit.
#[inline(never)]
pub(crate) fn last_of<const N: usize>(bytes: &[u8], end: usize, needles: [u8; N]) -> Option<usize> {
    let bytes = &bytes[..end];
    let block = |start: usize| -> &[u8; BLOCK] {
        bytes[start..start + BLOCK].try_into().expect("BLOCK bytes")
    };
    let mut end = bytes.len();
    // Four blocks per step while they last: in wasm every loop iteration also checks the
    // deadline, so fewer iterations matter more there than natively.
    while end >= 4 * BLOCK {
        let start = end - 4 * BLOCK;
        let hits = matches(block(start), needles)
            | matches(block(start + BLOCK), needles)
            | matches(block(start + 2 * BLOCK), needles)
            | matches(block(start + 3 * BLOCK), needles);
        if hits != 0 {
            break;
        }
        end = start;
    }
    while end >= BLOCK {
        let start = end - BLOCK;
        if let Some(at) = highest_bit(matches(block(start), needles)) {
            return Some(start + at);
        }
        end = start;
    }
    if end == 0 {
        return None;
    }
    if bytes.len() >= BLOCK {
        // The first block again, without the bytes already searched.
        let unsearched = (1u32 << end) - 1;
        return highest_bit(matches(block(0), needles) & unsearched as u16);
    }
    bytes.iter().rposition(|byte| needles.contains(byte))
}

/// Index of the highest set bit.
fn highest_bit(mask: u16) -> Option<usize> {
    (mask != 0).then(|| 15 - mask.leading_zeros() as usize)
}

/// Bit `i` set where `block[i]` is one of `needles`.
#[inline(always)]
fn matches<const N: usize>(block: &[u8; BLOCK], needles: [u8; N]) -> u16 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_load, v128_or};
        // SAFETY: `block` is BLOCK (16) readable bytes; `v128_load` has no alignment requirement.
        let bytes = unsafe { v128_load(block.as_ptr().cast::<v128>()) };
        let hits = needles
            .iter()
            .map(|&needle| u8x16_eq(bytes, u8x16_splat(needle)))
            .reduce(|left, right| v128_or(left, right));
        hits.map_or(0, |hits| u8x16_bitmask(hits))
    }
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: SSE2 is enabled for this target (checked by the `cfg`).
        unsafe { sse2_matches(block, needles) }
    }
    #[cfg(not(any(
        all(target_arch = "wasm32", target_feature = "simd128"),
        all(target_arch = "x86_64", target_feature = "sse2")
    )))]
    {
        portable_matches(block, needles)
    }
}

/// [`matches`] with SSE2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn sse2_matches<const N: usize>(block: &[u8; BLOCK], needles: [u8; N]) -> u16 {
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: `block` is BLOCK (16) readable bytes; `_mm_loadu_si128` has no alignment
    // requirement.
    let bytes = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
    let hits = needles
        .iter()
        .map(|&needle| _mm_cmpeq_epi8(bytes, _mm_set1_epi8(needle as i8)))
        .reduce(|left, right| _mm_or_si128(left, right));
    // The movemask of 16 byte lanes fits in the low 16 bits.
    hits.map_or(0, |hits| _mm_movemask_epi8(hits) as u16)
}

/// [`matches`] without vector instructions (tested on every target).
#[cfg_attr(
    any(
        all(target_arch = "wasm32", target_feature = "simd128"),
        all(target_arch = "x86_64", target_feature = "sse2")
    ),
    allow(dead_code)
)]
fn portable_matches<const N: usize>(block: &[u8; BLOCK], needles: [u8; N]) -> u16 {
    block
        .iter()
        .enumerate()
        .filter(|(_, byte)| needles.contains(byte))
        .fold(0, |mask, (at, _)| mask | 1 << at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEEDLES: [u8; 3] = [b'#', b'\\', b':'];

    fn naive_matches(block: &[u8; BLOCK], needles: &[u8]) -> u16 {
        (0..BLOCK)
            .filter(|&at| needles.contains(&block[at]))
            .fold(0, |mask, at| mask | 1 << at)
    }

    proptest::proptest! {
        #[test]
        fn blocks_see_every_needle(block in proptest::array::uniform16(proptest::sample::select(b"ab#\\:\xff".to_vec()))) {
            proptest::prop_assert_eq!(matches(&block, NEEDLES), naive_matches(&block, &NEEDLES));
            proptest::prop_assert_eq!(matches(&block, [b'#']), naive_matches(&block, b"#"));
            proptest::prop_assert_eq!(portable_matches(&block, NEEDLES), naive_matches(&block, &NEEDLES));
        }

        #[test]
        fn finds_the_last_needle(
            text in proptest::collection::vec(proptest::sample::select(b"ab#\\:\xff".to_vec()), 0..150),
            cut in 0usize..160,
        ) {
            let end = cut.min(text.len());
            let expected = text[..end].iter().rposition(|byte| NEEDLES.contains(byte));
            proptest::prop_assert_eq!(last_of(&text, end, NEEDLES), expected);
            let expected = text[..end].iter().rposition(|&byte| byte == b'#');
            proptest::prop_assert_eq!(last_of(&text, end, [b'#']), expected);
        }
    }

    #[test]
    fn finds_needles_in_every_position_of_long_texts() {
        for len in [0, 1, 15, 16, 17, 63, 64, 65, 200] {
            for at in 0..len {
                let mut text = vec![b'x'; len];
                text[at] = b':';
                assert_eq!(last_of(&text, len, NEEDLES), Some(at), "{len} {at}");
                assert_eq!(last_of(&text, at, NEEDLES), None, "{len} {at}");
            }
        }
    }
}
