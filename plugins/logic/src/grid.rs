//! Lenient parsing of numbers, lists and grids from answer text.

/// All integers in `text` (an optional `-` directly before digits makes it negative).
pub fn integers(text: &str) -> Vec<i64> {
    let mut numbers = Vec::new();
    let bytes = text.as_bytes();
    let mut idx = 0;
    while idx < bytes.len() {
        if bytes[idx].is_ascii_digit() {
            let negative = idx > 0 && bytes[idx - 1] == b'-';
            let start = idx;
            while idx < bytes.len() && bytes[idx].is_ascii_digit() {
                idx += 1;
            }
            // Overlong digit runs saturate instead of failing: they are wrong anyway.
            let value = text[start..idx].parse::<i64>().unwrap_or(i64::MAX);
            numbers.push(if negative { -value } else { value });
        } else {
            idx += 1;
        }
    }
    numbers
}

/// How the cells of a grid are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Cells {
    /// Each digit is one cell (`534678912` or `5 3 4 ...`), as for sudoku.
    Digits,
    /// Whitespace- or comma-separated integers, possibly multi-digit or negative.
    Integers,
}

/// Reads a `rows × cols` grid of numbers: JSON-like nested lists, one row per line
/// (lines without numbers, such as futoshiki constraint rows, are skipped), or exactly
/// `rows × cols` numbers in any layout.
pub fn number_grid(
    text: &str,
    rows: usize,
    cols: usize,
    cells: Cells,
) -> Result<Vec<Vec<i64>>, String> {
    let read = |line: &str| -> Vec<i64> {
        match cells {
            Cells::Digits => line
                .chars()
                .filter_map(|c| c.to_digit(10).map(i64::from))
                .collect(),
            Cells::Integers => integers(line),
        }
    };
    // Nested lists: split rows at "]" boundaries so `[[1,2],[3,4]]` on one line works.
    let lines: Vec<&str> = if text.contains("],") || text.contains("] ,") || text.contains("]\n") {
        text.split(']').collect()
    } else {
        text.lines().collect()
    };
    let parsed: Vec<Vec<i64>> = lines
        .iter()
        .map(|line| read(line))
        .filter(|row| !row.is_empty())
        .collect();
    if parsed.len() == rows && parsed.iter().all(|row| row.len() == cols) {
        return Ok(parsed);
    }
    let flat: Vec<i64> = parsed.into_iter().flatten().collect();
    if flat.len() == rows * cols {
        return Ok(flat.chunks(cols).map(<[i64]>::to_vec).collect());
    }
    Err(format!(
        "expected a {rows}x{cols} grid of numbers, found {} numbers",
        flat.len()
    ))
}

/// Renders a grid with spaces between cells and one row per line.
pub fn render(grid: &[Vec<i64>]) -> String {
    grid.iter()
        .map(|row| row.iter().map(i64::to_string).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Fraction of equal cells between two grids of the same shape.
pub fn cell_fraction(found: &[Vec<i64>], expected: &[Vec<i64>]) -> f64 {
    let total: usize = expected.iter().map(Vec::len).sum();
    if total == 0 {
        return 0.0;
    }
    let same = found
        .iter()
        .zip(expected)
        .map(|(a, b)| a.iter().zip(b).filter(|(x, y)| x == y).count())
        .sum::<usize>();
    same as f64 / total as f64
}

/// Cells blank in `puzzle` (0) that `found` fills as `solution` does: (right, blanks).
pub fn blanks_right(
    found: &[Vec<i64>],
    puzzle: &[Vec<i64>],
    solution: &[Vec<i64>],
) -> (usize, usize) {
    let mut right = 0;
    let mut blanks = 0;
    for ((found_row, puzzle_row), solution_row) in found.iter().zip(puzzle).zip(solution) {
        for ((value, given), want) in found_row.iter().zip(puzzle_row).zip(solution_row) {
            if *given == 0 {
                blanks += 1;
                right += usize::from(value == want);
            }
        }
    }
    (right, blanks)
}

/// Verdict for families whose answer is exactly one grid: full marks when equal,
/// partial credit for the fraction of correct cells otherwise.
pub fn grid_verdict(answer: &str, expected: &[Vec<i64>], cells: Cells) -> crate::LogicVerdict {
    let rows = expected.len();
    let cols = expected.first().map_or(0, Vec::len);
    match number_grid(answer, rows, cols, cells) {
        Err(reason) => crate::LogicVerdict::unparsable(reason),
        Ok(found) => {
            let fraction = cell_fraction(&found, expected);
            let wrong = ((1.0 - fraction) * (rows * cols) as f64).round() as usize;
            crate::LogicVerdict::partial(
                fraction,
                format!("{wrong} of {} cells wrong", rows * cols),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_integers() {
        assert_eq!(integers("a-3, 4 x5 -"), vec![-3, 4, 5]);
        assert_eq!(integers("99999999999999999999999"), vec![i64::MAX]);
    }

    #[test]
    fn reads_grids_in_many_layouts() {
        let want = vec![vec![1, 2], vec![3, 4]];
        assert_eq!(
            number_grid("1 2\n3 4", 2, 2, Cells::Integers),
            Ok(want.clone())
        );
        assert_eq!(
            number_grid("[[1,2],[3,4]]", 2, 2, Cells::Integers),
            Ok(want.clone())
        );
        assert_eq!(
            number_grid("12\n\n34", 2, 2, Cells::Digits),
            Ok(want.clone())
        );
        assert_eq!(number_grid("1 2 3 4", 2, 2, Cells::Integers), Ok(want));
        assert!(number_grid("1 2 3", 2, 2, Cells::Integers).is_err());
    }
}
