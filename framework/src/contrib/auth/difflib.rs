//! A port of Python's `difflib.SequenceMatcher` (without an `isjunk` function, with the
//! default `autojunk=True`), over the characters (code points) of two strings, as Django's
//! `UserAttributeSimilarityValidator` uses it. The ratios equal CPython's to the last bit:
//! the same counts go through the same `2.0 * matches / total` division.

use std::collections::HashMap;

/// Python's `SequenceMatcher(a=a, b=b)` for two strings.
pub struct SequenceMatcher {
    a: Vec<char>,
    b: Vec<char>,
    /// For each non-popular element of `b`, the ascending indices where it occurs.
    b2j: HashMap<char, Vec<usize>>,
}

/// A matching block: `a[a..a + size] == b[b..b + size]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Match {
    /// Start in `a`.
    pub a: usize,
    /// Start in `b`.
    pub b: usize,
    /// Length.
    pub size: usize,
}

/// difflib's `_calculate_ratio`.
fn calculate_ratio(matches: usize, length: usize) -> f64 {
    if length == 0 {
        1.0
    } else {
        2.0 * matches as f64 / length as f64
    }
}

impl SequenceMatcher {
    /// `SequenceMatcher(a=a, b=b)`.
    pub fn new(a: &str, b: &str) -> Self {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        // `__chain_b`: index b, then purge "popular" elements (autojunk) of long sequences.
        let mut b2j: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, &elt) in b.iter().enumerate() {
            b2j.entry(elt).or_default().push(i);
        }
        let n = b.len();
        if n >= 200 {
            let ntest = n / 100 + 1;
            b2j.retain(|_, indices| indices.len() <= ntest);
        }
        SequenceMatcher { a, b, b2j }
    }

    /// `find_longest_match(alo, ahi, blo, bhi)`: the longest matching block in
    /// `a[alo..ahi]` and `b[blo..bhi]`, earliest in `a`, then earliest in `b`.
    pub fn find_longest_match(&self, alo: usize, ahi: usize, blo: usize, bhi: usize) -> Match {
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0usize);
        let mut j2len: HashMap<usize, usize> = HashMap::new();
        for i in alo..ahi {
            let mut newj2len: HashMap<usize, usize> = HashMap::new();
            if let Some(indices) = self.b2j.get(&self.a[i]) {
                for &j in indices {
                    if j < blo {
                        continue;
                    }
                    if j >= bhi {
                        break;
                    }
                    let previous = j
                        .checked_sub(1)
                        .and_then(|p| j2len.get(&p))
                        .copied()
                        .unwrap_or(0);
                    let k = previous + 1;
                    newj2len.insert(j, k);
                    if k > bestsize {
                        besti = i + 1 - k;
                        bestj = j + 1 - k;
                        bestsize = k;
                    }
                }
            }
            j2len = newj2len;
        }
        // Extend the match with equal (non-junk; without isjunk nothing is junk) elements
        // on both sides: popular elements were left out of b2j but still match here.
        while besti > alo && bestj > blo && self.a[besti - 1] == self.b[bestj - 1] {
            besti -= 1;
            bestj -= 1;
            bestsize += 1;
        }
        while besti + bestsize < ahi
            && bestj + bestsize < bhi
            && self.a[besti + bestsize] == self.b[bestj + bestsize]
        {
            bestsize += 1;
        }
        Match {
            a: besti,
            b: bestj,
            size: bestsize,
        }
    }

    /// `get_matching_blocks()` without the final sentinel and adjacent-block collapsing
    /// (neither changes the total matched size).
    pub fn matching_blocks(&self) -> Vec<Match> {
        let mut queue = vec![(0, self.a.len(), 0, self.b.len())];
        let mut blocks = Vec::new();
        while let Some((alo, ahi, blo, bhi)) = queue.pop() {
            let m = self.find_longest_match(alo, ahi, blo, bhi);
            if m.size > 0 {
                blocks.push(m);
                if alo < m.a && blo < m.b {
                    queue.push((alo, m.a, blo, m.b));
                }
                if m.a + m.size < ahi && m.b + m.size < bhi {
                    queue.push((m.a + m.size, ahi, m.b + m.size, bhi));
                }
            }
        }
        blocks.sort();
        blocks
    }

    /// `ratio()`: `2 * M / T`, M the matched characters, T the total length.
    pub fn ratio(&self) -> f64 {
        let matches = self.matching_blocks().iter().map(|m| m.size).sum();
        calculate_ratio(matches, self.a.len() + self.b.len())
    }

    /// `quick_ratio()`: an upper bound on [`SequenceMatcher::ratio`] from the multiset
    /// intersection of the characters.
    pub fn quick_ratio(&self) -> f64 {
        let mut available: HashMap<char, isize> = HashMap::new();
        for &elt in &self.b {
            *available.entry(elt).or_default() += 1;
        }
        let mut matches = 0;
        for elt in &self.a {
            if let Some(count) = available.get_mut(elt) {
                if *count > 0 {
                    matches += 1;
                }
                *count -= 1;
            }
        }
        calculate_ratio(matches, self.a.len() + self.b.len())
    }

    /// `real_quick_ratio()`: an upper bound from the lengths alone.
    pub fn real_quick_ratio(&self) -> f64 {
        let (la, lb) = (self.a.len(), self.b.len());
        calculate_ratio(la.min(lb), la + lb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values printed by CPython 3.12's difflib for the same inputs.
    #[test]
    fn ratios_equal_cpython() {
        let cases: [(&str, String, f64, f64, f64); 5] = [
            ("abcd", "bcde".into(), 0.75, 0.75, 1.0),
            (
                "new1examplecom",
                "new1@example.com".into(),
                0.9333333333333333,
                0.9333333333333333,
                0.9333333333333333,
            ),
            (
                "private thread",
                "private".into(),
                0.6666666666666666,
                0.6666666666666666,
                0.6666666666666666,
            ),
            (
                "qabxcd",
                "abycdf".into(),
                0.6666666666666666,
                0.6666666666666666,
                1.0,
            ),
            // 260 characters: autojunk drops the popular `a` and `b` from b's index.
            (
                "",
                "ab".repeat(130),
                0.003913894324853229,
                0.512720156555773,
                0.9823874755381604,
            ),
        ];
        for (a, b, ratio, quick, real_quick) in cases {
            let a = if a.is_empty() {
                format!("{}b", "a".repeat(250))
            } else {
                a.to_owned()
            };
            let m = SequenceMatcher::new(&a, &b);
            assert_eq!(m.ratio(), ratio, "ratio {a} {b}");
            assert_eq!(m.quick_ratio(), quick, "quick_ratio {a} {b}");
            assert_eq!(m.real_quick_ratio(), real_quick, "real_quick_ratio {a} {b}");
        }
    }

    #[test]
    fn longest_match_is_earliest() {
        let m = SequenceMatcher::new(" abcd", "abcd abcd");
        assert_eq!(
            m.find_longest_match(0, 5, 0, 9),
            Match {
                a: 0,
                b: 4,
                size: 5
            }
        );
    }
}
