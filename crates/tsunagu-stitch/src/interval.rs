//! Half-open time intervals in milliseconds: unions, intersections and total length.

/// `[start, end)` in ms since the epoch; `end == u64::MAX` means "still open".
pub(crate) type Span = (u64, u64);

pub(crate) const OPEN: u64 = u64::MAX;

/// Sorted, non-overlapping spans covering the same time as `spans` (empty ones dropped).
pub(crate) fn union(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|(start, end)| start < end);
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The time covered by both `a` and `b`; both must come from [`union`].
pub(crate) fn intersection(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(&(a_start, a_end)), Some(&(b_start, b_end))) = (a.get(i), b.get(j)) {
        let start = a_start.max(b_start);
        let end = a_end.min(b_end);
        if start < end {
            out.push((start, end));
        }
        if a_end < b_end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The time covered by `a` but not by `b`; both must come from [`union`].
pub(crate) fn difference(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for &(start, end) in a {
        let mut from = start;
        for &(cut_start, cut_end) in b {
            if cut_end <= from || cut_start >= end {
                continue;
            }
            if cut_start > from {
                out.push((from, cut_start));
            }
            from = from.max(cut_end);
            if from >= end {
                break;
            }
        }
        if from < end {
            out.push((from, end));
        }
    }
    out
}

pub(crate) fn total(spans: &[Span]) -> u64 {
    spans.iter().fold(0u64, |sum, (start, end)| {
        sum.saturating_add(end.saturating_sub(*start))
    })
}
