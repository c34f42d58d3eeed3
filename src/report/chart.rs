//! The learning curve of a run as a PNG: held-out accuracy (points joined by a line), training
//! reward per step, and the boundary between the warm-start and RL stages.

use super::png::Canvas;

const WIDTH: usize = 800;
const HEIGHT: usize = 450;
const MARGIN: i64 = 40;
const BACKGROUND: [u8; 3] = [255, 255, 255];
const GRID: [u8; 3] = [225, 225, 225];
const AXIS: [u8; 3] = [60, 60, 60];
/// Training reward: orange.
pub const REWARD_COLOR: [u8; 3] = [230, 140, 30];
/// Held-out accuracy: blue.
pub const EVAL_COLOR: [u8; 3] = [30, 90, 200];
/// Warm-start / RL boundary: grey.
pub const STAGE_COLOR: [u8; 3] = [150, 150, 150];

/// What the chart shows; every y value is a fraction in [0, 1].
pub struct Curve {
    /// Last step of the run (x axis end).
    pub last_step: u64,
    /// Last warm-start step (0 = none).
    pub warm_start_steps: u64,
    /// `(step, mean training reward)` of RL steps.
    pub reward: Vec<(u64, f64)>,
    /// `(step, held-out accuracy)`, step 0 = before training.
    pub eval: Vec<(u64, f64)>,
}

/// Draws `curve` and encodes it as PNG.
pub fn render(curve: &Curve) -> Vec<u8> {
    let mut canvas = Canvas::new(WIDTH, HEIGHT, BACKGROUND);
    let (left, top) = (MARGIN, MARGIN / 2);
    let (right, bottom) = (WIDTH as i64 - MARGIN / 2, HEIGHT as i64 - MARGIN);
    let x_of = |step: u64| {
        left + ((right - left) as f64 * step as f64 / curve.last_step.max(1) as f64).round() as i64
    };
    let y_of = |value: f64| bottom - ((bottom - top) as f64 * value.clamp(0.0, 1.0)).round() as i64;
    for tenth in 0..=10 {
        let y = y_of(f64::from(tenth) / 10.0);
        canvas.line((left, y), (right, y), GRID, 1);
    }
    if curve.warm_start_steps > 0 {
        let x = x_of(curve.warm_start_steps);
        let mut y = top;
        while y < bottom {
            canvas.line((x, y), (x, (y + 6).min(bottom)), STAGE_COLOR, 2);
            y += 12;
        }
    }
    canvas.line((left, bottom), (right, bottom), AXIS, 2);
    canvas.line((left, top), (left, bottom), AXIS, 2);
    polyline(&mut canvas, &curve.reward, REWARD_COLOR, 1, &x_of, &y_of);
    polyline(&mut canvas, &curve.eval, EVAL_COLOR, 3, &x_of, &y_of);
    for &(step, value) in &curve.eval {
        let (x, y) = (x_of(step), y_of(value));
        for dx in -4..=4 {
            canvas.line((x + dx, y - 4), (x + dx, y + 4), EVAL_COLOR, 1);
        }
    }
    canvas.to_png()
}

fn polyline(
    canvas: &mut Canvas,
    points: &[(u64, f64)],
    color: [u8; 3],
    thickness: i64,
    x_of: &dyn Fn(u64) -> i64,
    y_of: &dyn Fn(f64) -> i64,
) {
    for pair in points.windows(2) {
        canvas.line(
            (x_of(pair[0].0), y_of(pair[0].1)),
            (x_of(pair[1].0), y_of(pair[1].1)),
            color,
            thickness,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_is_drawn_where_its_values_are() {
        let png = render(&Curve {
            last_step: 100,
            warm_start_steps: 40,
            reward: vec![(41, 0.2), (100, 0.8)],
            eval: vec![(0, 0.0), (40, 0.3), (100, 0.9)],
        });
        assert_eq!(&png[1..4], b"PNG");
        // Decode our own stored-block output back to pixels and look for the eval colour near
        // the last point (x = right edge, y = 90% up).
        let pixels = decode_stored(&png);
        let (x, y) = (
            WIDTH - 20,
            (HEIGHT as i64 - 40 - ((HEIGHT as i64 - 60) as f64 * 0.9) as i64) as usize,
        );
        assert_eq!(pixels[y * WIDTH + x], EVAL_COLOR);
    }

    /// Pixels of a PNG written by [`Canvas::to_png`] (stored deflate, filter 0).
    fn decode_stored(png: &[u8]) -> Vec<[u8; 3]> {
        let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
        let len = u32::from_be_bytes(png[idat - 4..idat].try_into().unwrap()) as usize;
        let stream = &png[idat + 4..idat + 4 + len];
        let mut raw = Vec::new();
        let mut at = 2;
        loop {
            let last = stream[at] == 1;
            let block = u16::from_le_bytes([stream[at + 1], stream[at + 2]]) as usize;
            raw.extend_from_slice(&stream[at + 5..at + 5 + block]);
            at += 5 + block;
            if last {
                break;
            }
        }
        raw.chunks(1 + 3 * WIDTH)
            .flat_map(|row| {
                row[1..]
                    .chunks(3)
                    .map(|p| [p[0], p[1], p[2]])
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}
