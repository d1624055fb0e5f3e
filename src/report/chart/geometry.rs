//! Polylines in backend pixels, pure functions: a series thinned to two points per pixel
//! column, straight-run vertices dropped, a line cut at sharp turns or into stripes of
//! colour, a band reduced to one span per pixel column.

/// A point in backend pixels.
pub(crate) type Px = (i32, i32);

/// A band in one pixel column: (x, top y, bottom y), backend pixels.
pub(crate) type Span = (i32, i32, i32);

/// A band reduced to one span per pixel column: (x, top y, bottom y) in backend pixels,
/// left to right, the top the highest p95 in the column and the bottom the lowest p05.
/// `points` are (x, p05 y, p95 y) per row, left to right.
pub(crate) fn band_columns(points: impl IntoIterator<Item = Span>) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for (x, a, b) in points {
        let (top, bottom) = (a.min(b), a.max(b));
        match out.last_mut() {
            Some(last) if last.0 == x => {
                last.1 = last.1.min(top);
                last.2 = last.2.max(bottom);
            }
            _ => out.push((x, top, bottom)),
        }
    }
    out
}

/// The spans of a band at every pixel column it crosses, interpolating linearly between
/// the columns that have rows (as the polygon outline does): (x, top y, bottom y).
pub(crate) fn band_spans(columns: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for w in columns.windows(2) {
        let ((x0, t0, b0), (x1, t1, b1)) = (w[0], w[1]);
        for x in x0..x1 {
            let f = (x - x0) as f64 / (x1 - x0) as f64;
            let at = |a: i32, b: i32| (a as f64 + (b - a) as f64 * f).round() as i32;
            out.push((x, at(t0, t1), at(b0, b1)));
        }
    }
    out.extend(columns.last().copied());
    out
}

/// A polyline reduced to at most two points per pixel column: where it is highest and where
/// it is lowest there (the first of each), in time order. `points` run left to right.
pub(crate) fn thin(points: &[Px]) -> Vec<Px> {
    let mut out: Vec<Px> = Vec::new();
    let mut start = 0;
    while start < points.len() {
        let x = points[start].0;
        let (mut lo, mut hi) = (start, start);
        let mut end = start + 1;
        while end < points.len() && points[end].0 == x {
            if points[end].1 < points[lo].1 {
                lo = end;
            }
            if points[end].1 > points[hi].1 {
                hi = end;
            }
            end += 1;
        }
        for i in [lo.min(hi), lo.max(hi)] {
            if out.last() != Some(&points[i]) {
                out.push(points[i]);
            }
        }
        start = end;
    }
    out
}

/// A polyline thinned like [`thin`] that still ends at the series' last point: [`thin`]
/// keeps a column's extremes, and in the last column they need not include the last value
/// (a short scenario squeezed into a few columns would otherwise end at its lowest value).
/// The last point is where an overlay line that stops early gets its end marker.
pub(crate) fn thin_to_end(points: &[Px]) -> Vec<Px> {
    let mut out = thin(points);
    if let Some(&last) = points.last() {
        if out.last() != Some(&last) {
            out.push(last);
        }
    }
    out
}

/// The length of a polyline, pixels.
pub(crate) fn arc_length(points: &[Px]) -> f64 {
    points
        .windows(2)
        .map(|w| {
            let (dx, dy) = ((w[1].0 - w[0].0) as f64, (w[1].1 - w[0].1) as f64);
            (dx * dx + dy * dy).sqrt()
        })
        .sum()
}

/// A polyline cut at every vertex where it turns back by more than 120 degrees (the pieces
/// share that vertex). plotters outlines a thick line with mitred joins and caps only their
/// outer side, so the inner side of a sharp turn (a dip within a pixel column) would reach
/// far beyond the line: up through the top of the picture.
pub(crate) fn split_sharp(points: &[Px]) -> Vec<Vec<Px>> {
    let mut out = Vec::new();
    let mut current: Vec<Px> = Vec::with_capacity(points.len());
    for (i, &p) in points.iter().enumerate() {
        current.push(p);
        if let (Some(&a), Some(&b)) = (i.checked_sub(1).and_then(|j| points.get(j)), points.get(i + 1)) {
            let (u, v) = (((a.0 - p.0) as i64, (a.1 - p.1) as i64), ((b.0 - p.0) as i64, (b.1 - p.1) as i64));
            let dot = (u.0 * v.0 + u.1 * v.1) as f64;
            let lengths = (((u.0 * u.0 + u.1 * u.1) * (v.0 * v.0 + v.1 * v.1)) as f64).sqrt();
            // The angle between the two arms is under 60 degrees.
            if lengths > 0.0 && dot > 0.5 * lengths {
                out.push(std::mem::replace(&mut current, vec![p]));
            }
        }
    }
    out.push(current);
    out
}

/// A polyline without repeated points or vertices in the middle of a straight run (they
/// add bytes, and plotters draws a visible joint at each).
pub(crate) fn simplify(points: &[Px]) -> Vec<Px> {
    let mut out: Vec<Px> = Vec::with_capacity(points.len());
    for &p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..] {
            let cross = (b.0 - a.0) as i64 * (p.1 - a.1) as i64 - (b.1 - a.1) as i64 * (p.0 - a.0) as i64;
            let forward = (b.0 - a.0) as i64 * (p.0 - b.0) as i64 + (b.1 - a.1) as i64 * (p.1 - b.1) as i64;
            if cross == 0 && forward >= 0 {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Cut a polyline into stripes of `stripe_len` pixels cycling through `k` colours; returns
/// (colour index, piece).
pub(crate) fn stripes(points: &[Px], k: usize, stripe_len: f64) -> Vec<(usize, Vec<Px>)> {
    let mut out: Vec<(usize, Vec<Px>)> = Vec::new();
    if points.is_empty() || k == 0 {
        return out;
    }
    let mut s = 0.0_f64; // arc length at the current vertex
    let mut stripe = 1; // index of the next stripe
    let mut current: (usize, Vec<Px>) = (0, vec![points[0]]);
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
        let len = (dx * dx + dy * dy).sqrt();
        // Cut at every stripe boundary inside this segment.
        while (stripe as f64 * stripe_len) - s < len {
            let t = (stripe as f64 * stripe_len - s) / len;
            let cut = ((a.0 as f64 + dx * t).round() as i32, (a.1 as f64 + dy * t).round() as i32);
            current.1.push(cut);
            out.push(std::mem::replace(&mut current, (stripe % k, vec![cut])));
            stripe += 1;
        }
        current.1.push(b);
        s += len;
    }
    out.push(current);
    for piece in &mut out {
        piece.1.dedup();
        if piece.1.len() == 1 {
            let only = piece.1[0];
            piece.1.push(only);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_keep_their_extremes_in_two_points_per_column() {
        assert_eq!(
            thin(&[(0, 5), (0, 9), (0, 1), (0, 5), (1, 5), (1, 5), (2, 3)]),
            vec![(0, 9), (0, 1), (1, 5), (2, 3)]
        );
        assert_eq!(thin(&[(0, 1), (0, 9), (0, 1), (0, 9)]), vec![(0, 1), (0, 9)]);
        assert_eq!(thin(&[(4, 4)]), vec![(4, 4)]);
        assert_eq!(thin(&[]), Vec::<Px>::new());
        // At most two points in every column, whatever the input.
        let noisy: Vec<Px> = (0..10_000).map(|i: i32| (i / 37, i * 7919 % 301)).collect();
        let thinned = thin(&noisy);
        for x in 0..=noisy.last().unwrap().0 {
            assert!(thinned.iter().filter(|p| p.0 == x).count() <= 2);
        }
    }

    #[test]
    fn a_thinned_line_ends_at_its_last_value() {
        // An outage and its recovery in one column (a day on a year's axis): thin keeps the
        // column's extremes in time order, ending at the lowest value (the largest y).
        let dip = [(0, 10), (5, 10), (5, 200), (5, 10), (5, 60)];
        assert_eq!(thin(&dip).last(), Some(&(5, 200)));
        assert_eq!(thin_to_end(&dip), vec![(0, 10), (5, 10), (5, 200), (5, 60)]);
        assert_eq!(thin_to_end(&[(0, 10), (5, 10), (5, 200), (5, 10)]).last(), Some(&(5, 10)));
        assert_eq!(thin_to_end(&[(4, 4)]), vec![(4, 4)]);
        assert_eq!(thin_to_end(&[]), Vec::<Px>::new());
    }

    #[test]
    fn thick_lines_are_cut_at_sharp_turns() {
        // A dip inside a pixel column turns back: cut there.
        assert_eq!(
            split_sharp(&[(0, 10), (5, 10), (5, 200), (6, 10), (20, 10)]),
            vec![vec![(0, 10), (5, 10), (5, 200)], vec![(5, 200), (6, 10), (20, 10)]]
        );
        // Right angles and straight runs are kept whole.
        let steps = vec![(0, 10), (5, 10), (5, 50), (9, 50), (12, 53)];
        assert_eq!(split_sharp(&steps), vec![steps.clone()]);
        assert_eq!(split_sharp(&[(1, 1)]), vec![vec![(1, 1)]]);
    }

    #[test]
    fn shared_lines_are_striped_in_every_member_colour() {
        let pieces = stripes(&[(0, 0), (100, 0)], 3, 9.0);
        let colours: Vec<usize> = pieces.iter().map(|p| p.0).collect();
        assert_eq!(colours[..6], [0, 1, 2, 0, 1, 2]);
        assert_eq!(pieces.first().map(|p| p.1[0]), Some((0, 0)));
        assert_eq!(pieces.last().and_then(|p| p.1.last().copied()), Some((100, 0)));
        // Stripe boundaries that fall on vertices skip no colour.
        let steps: Vec<Px> = (0..60).map(|i| (i * 3, 5)).collect();
        let pieces = stripes(&steps, 6, 9.0);
        let colours: Vec<usize> = pieces.iter().map(|p| p.0).filter(|_| true).collect();
        let expected: Vec<usize> = (0..colours.len()).map(|i| i % 6).collect();
        assert_eq!(colours, expected);
        assert!(pieces.iter().all(|p| p.1.len() >= 2));
    }

    #[test]
    fn polylines_lose_straight_run_vertices() {
        assert_eq!(
            simplify(&[(0, 0), (1, 0), (1, 0), (5, 0), (5, 3), (5, 9), (7, 9)]),
            vec![(0, 0), (5, 0), (5, 9), (7, 9)]
        );
        // A turn back is kept.
        assert_eq!(simplify(&[(0, 0), (5, 0), (2, 0)]), vec![(0, 0), (5, 0), (2, 0)]);
        assert_eq!(simplify(&[(3, 3)]), vec![(3, 3)]);
    }
}
