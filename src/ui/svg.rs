//! SVG coordinates as attribute text.

/// `v` with one decimal, as SVG attributes take it. The stage writes thousands of these a frame
/// while busy: integer formatting of tenths is several times cheaper than `{:.1}` (which takes
/// the exact float-to-decimal path), and a tenth of a pixel is all a coordinate needs.
pub fn px(v: f64) -> String {
    // Not finite (a degenerate layout): 0 rather than "NaN", which SVG rejects.
    let tenths = if v.is_finite() {
        (v * 10.0).round() as i64
    } else {
        0
    };
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    format!("{sign}{}.{}", t / 10, t % 10)
}
