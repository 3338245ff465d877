//! The course document.

use graftwatch_core::{Analyte, CellsPerKg, Date, DonorId, TimeOfDay};
use serde::{Deserialize, Serialize};

use crate::anchor::{Anchor, AnchorKind};
use crate::event::{Event, EventDetail, GraftSource};
use crate::observation::{ObsValue, Observation, ObservationKind};
use crate::patient::{Donor, Patient};

/// One graft of a transplant as the course records it (a `graft_infusion`
/// event), from [`Course::graft_infusions`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GraftInfusion<'a> {
    /// Infusion date.
    pub date: Date,
    /// Graft source.
    pub source: GraftSource,
    /// Donor or cord unit.
    pub donor: &'a DonorId,
    /// Total nucleated cells per kg.
    pub tnc_per_kg: Option<CellsPerKg>,
    /// CD34+ cells per kg.
    pub cd34_per_kg: Option<CellsPerKg>,
    /// CD3+ cells per kg.
    pub cd3_per_kg: Option<CellsPerKg>,
}

/// Format tag of version 1 of the course document.
pub const FORMAT_V1: &str = "graftwatch-course/1";

/// A patient's course: who, with which donors, what happened and what was
/// observed. Events and observations are kept sorted by date (stable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Course {
    /// Format tag, `graftwatch-course/1`.
    pub format: String,
    /// Present when the course is an illustrative reconstruction rather than
    /// real data (the bundled seed case): says so in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<String>,
    /// The patient.
    pub patient: Patient,
    /// Donors and cord units.
    #[serde(default)]
    pub donors: Vec<Donor>,
    /// Events.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Observations.
    #[serde(default)]
    pub observations: Vec<Observation>,
}

impl Course {
    /// Sorts events and observations by date (then time), stably.
    pub fn sort(&mut self) {
        // Files are usually written in date order: check before sorting.
        if !self.events.is_sorted_by_key(|e| (e.date, e.time)) {
            self.events.sort_by_key(|e| (e.date, e.time));
        }
        if !self.observations.is_sorted_by_key(|o| (o.date, o.time)) {
            sort_observations(&mut self.observations);
        }
    }

    /// The donor with this id.
    pub fn donor(&self, id: &DonorId) -> Option<&Donor> {
        self.donors.iter().find(|d| &d.id == id)
    }

    /// Every anchor event (transplants, CAR-T infusions, DLIs), in date order.
    /// A transplant's day 0 is the date of its first graft infusion.
    pub fn anchors(&self) -> Vec<Anchor> {
        let mut out: Vec<Anchor> = Vec::new();
        let mut dli_n = 0u32;
        let mut cart_n = 0u32;
        for e in &self.events {
            match &e.detail {
                EventDetail::GraftInfusion { transplant, .. } => {
                    let kind = AnchorKind::Transplant(*transplant);
                    if !out.iter().any(|a| a.kind == kind) {
                        out.push(Anchor { kind, date: e.date });
                    }
                }
                EventDetail::CarTInfusion { .. } => {
                    cart_n += 1;
                    out.push(Anchor {
                        kind: AnchorKind::CarT(cart_n),
                        date: e.date,
                    });
                }
                EventDetail::Dli { .. } => {
                    dli_n += 1;
                    out.push(Anchor {
                        kind: AnchorKind::Dli(dli_n),
                        date: e.date,
                    });
                }
                _ => {}
            }
        }
        out.sort_by_key(|a| a.date);
        out
    }

    /// Day 0 of transplant `n` (first graft infusion).
    pub fn transplant_day0(&self, n: u32) -> Option<Date> {
        self.anchors()
            .into_iter()
            .find(|a| a.kind == AnchorKind::Transplant(n))
            .map(|a| a.date)
    }

    /// The anchor a date is best described against: the latest transplant or
    /// CAR-T infusion on or before it (DLIs are reported separately).
    pub fn primary_anchor_for(&self, date: Date) -> Option<Anchor> {
        self.anchors()
            .into_iter()
            .rfind(|a| a.kind.is_therapy() && a.date <= date)
    }

    /// Graft sources infused in transplant `n`.
    pub fn graft_sources(&self, n: u32) -> Vec<(GraftSource, DonorId)> {
        self.graft_infusions(n)
            .map(|g| (g.source, g.donor.clone()))
            .collect()
    }

    /// The grafts infused in transplant `n`, in course order: the one
    /// reading of `graft_infusion` events for every rule that needs a
    /// transplant's grafts (graft sources, risk scores, graft dose checks).
    pub fn graft_infusions(&self, n: u32) -> impl Iterator<Item = GraftInfusion<'_>> {
        self.events.iter().filter_map(move |e| match &e.detail {
            EventDetail::GraftInfusion {
                transplant,
                source,
                donor,
                tnc_per_kg,
                cd34_per_kg,
                cd3_per_kg,
            } if *transplant == n => Some(GraftInfusion {
                date: e.date,
                source: *source,
                donor,
                tnc_per_kg: *tnc_per_kg,
                cd34_per_kg: *cd34_per_kg,
                cd3_per_kg: *cd3_per_kg,
            }),
            _ => None,
        })
    }

    /// The distinct transplant numbers with a graft infusion, in order.
    pub fn transplant_numbers(&self) -> Vec<u32> {
        let mut transplants: Vec<u32> = self
            .events
            .iter()
            .filter_map(|e| match e.detail {
                EventDetail::GraftInfusion { transplant, .. } => Some(transplant),
                _ => None,
            })
            .collect();
        transplants.sort_unstable();
        transplants.dedup();
        transplants
    }

    /// All observations of a kind, in date order.
    pub fn observations_of(&self, kind: ObservationKind) -> impl Iterator<Item = &Observation> {
        self.observations.iter().filter(move |o| o.kind == kind)
    }

    /// `(date, value)` of a laboratory analyte in canonical units.
    pub fn lab_series(&self, analyte: Analyte) -> Vec<(Date, f64)> {
        self.observations_of(ObservationKind::Lab(analyte))
            .filter_map(|o| o.number().map(|v| (o.date, v)))
            .collect()
    }

    /// The most recent body weight (kg) on or before `date`, or else the
    /// first one recorded.
    pub fn weight_on(&self, date: Date) -> Option<f64> {
        let ws: Vec<(Date, f64)> = self
            .observations_of(ObservationKind::Weight)
            .filter_map(|o| o.number().map(|v| (o.date, v)))
            .collect();
        ws.iter()
            .rev()
            .find(|(d, _)| *d <= date)
            .or(ws.first())
            .map(|(_, w)| *w)
    }

    /// The latest day the record speaks for: the last observation or the
    /// last event's start. An event's end date is left out: a treatment
    /// entered with its planned end (tacrolimus to day +180) does not
    /// mean anything was seen on that day, and assessing "as of" it read
    /// the DLI criteria as "cannot be determined" (no counts there) and
    /// the ward's last entry as a day still to come. The default "as of"
    /// day of `decide`, the ward's DLI status and engraftment alerts.
    pub fn last_record_date(&self) -> Option<Date> {
        self.events
            .iter()
            .map(|e| e.date)
            .chain(self.observations.iter().map(|o| o.date))
            .max()
    }

    /// First and last date mentioned by any event or observation (end
    /// dates included: the span a timeline draws).
    pub fn span(&self) -> Option<(Date, Date)> {
        let dates = self
            .events
            .iter()
            .flat_map(|e| std::iter::once(e.date).chain(e.end_date))
            .chain(self.observations.iter().map(|o| o.date));
        dates.fold(None, |acc, d| match acc {
            None => Some((d, d)),
            Some((a, b)) => Some((a.min(d), b.max(d))),
        })
    }
}

/// Bits of a packed sort key: the day within the course's span, the time
/// (0 = no time, else minutes + 1) and the position.
const DAY_BITS: u32 = 17;
const TIME_BITS: u32 = 11;
const POS_BITS: u32 = 64 - DAY_BITS - TIME_BITS;

/// Sorts observations stably by (date, time), as
/// `sort_stable_in_place(v, |o| (o.date, o.time))` does: each key and its
/// position packed into one `u64` (days since the earliest date, then the
/// time with "no time" first, then the position), so that the key sort
/// compares integers; a course whose span or size does not fit the bits
/// (beyond any real course) takes the general sort.
fn sort_observations(v: &mut [Observation]) {
    // One pass over the observations (112 bytes each: two cache lines or
    // so apiece) reads every day and time into the key vector, the
    // earliest and latest day beside; the packing below reads only the keys.
    let (mut first, mut last) = (i32::MAX, i32::MIN);
    let mut keys: Vec<u64> = v
        .iter()
        .map(|o| {
            let day = o.date.days_since_epoch();
            first = first.min(day);
            last = last.max(day);
            u64::from(day.abs_diff(i32::MIN)) << TIME_BITS | time_bits(o.time)
        })
        .collect();
    if v.len() >= 1 << POS_BITS || i64::from(last) - i64::from(first) >= 1 << DAY_BITS {
        sort_stable_in_place(v, |o| (o.date, o.time));
        return;
    }
    let base = u64::from(first.abs_diff(i32::MIN));
    for (i, k) in keys.iter_mut().enumerate() {
        let day = (*k >> TIME_BITS) - base;
        let time = *k & ((1 << TIME_BITS) - 1);
        *k = day << (TIME_BITS + POS_BITS) | time << POS_BITS | i as u64;
    }
    sort_packed_keys(&mut keys);
    let perm: Vec<usize> = keys
        .into_iter()
        .map(|k| (k & ((1 << POS_BITS) - 1)) as usize)
        .collect();
    apply_permutation_blocked(v, perm, BLOCK, || {
        Observation::new(
            Date::from_days_since_epoch(0),
            ObservationKind::Weight,
            ObsValue::Bool(false),
            None,
        )
    });
}

/// The time bits of a packed key: "no time" sorts first, then minutes of
/// the day from 1.
fn time_bits(t: Option<TimeOfDay>) -> u64 {
    t.map_or(0, |t| u64::from(t.minutes()) + 1)
}

/// Sorts packed keys (see [`sort_observations`]) ascending. Positions make
/// the keys distinct, so this equals sorting by (day, time) stably. A file
/// already in date order is only checked; a large one out of order takes a
/// least-significant-digit radix sort of the (day, time) bits — stable, so
/// the position bits below keep the input order among equal keys, and
/// linear: a comparison sort of a million keys was a sixth of the
/// instructions of `grade` on an unordered course (issue 11).
fn sort_packed_keys(keys: &mut Vec<u64>) {
    if keys.is_sorted() {
        return;
    }
    if keys.len() < RADIX_MIN {
        keys.sort_unstable();
        return;
    }
    let passes = (DAY_BITS + TIME_BITS).div_ceil(DIGIT_BITS) as usize;
    let digit = |k: u64, p: usize| {
        ((k >> (POS_BITS + p as u32 * DIGIT_BITS)) & (RADIX as u64 - 1)) as usize
    };
    let mut counts = vec![[0usize; RADIX]; passes];
    for &k in keys.iter() {
        for (p, c) in counts.iter_mut().enumerate() {
            c[digit(k, p)] += 1;
        }
    }
    let mut out = vec![0u64; keys.len()];
    for (p, c) in counts.iter().enumerate() {
        if c.contains(&keys.len()) {
            continue; // one digit value throughout: the pass would move nothing
        }
        let mut at = [0usize; RADIX];
        let mut sum = 0;
        for (a, n) in at.iter_mut().zip(c) {
            *a = sum;
            sum += n;
        }
        for &k in keys.iter() {
            let d = digit(k, p);
            out[at[d]] = k;
            at[d] += 1;
        }
        std::mem::swap(keys, &mut out);
    }
}

/// Bits per radix-sort digit ([`sort_packed_keys`]): three passes over the
/// 28 bits of day and time, 1,024 counters each.
const DIGIT_BITS: u32 = 10;
/// Counters per radix-sort pass.
const RADIX: usize = 1 << DIGIT_BITS;
/// Below this many keys a comparison sort is as fast as the radix passes.
const RADIX_MIN: usize = 4_096;

/// Elements per block of [`apply_permutation_blocked`]: 8,192
/// observations are about 0.9 MB, what one core's L2 cache holds.
const BLOCK: usize = 8_192;

/// [`apply_permutation`] in two passes with far fewer cache misses on a
/// large slice: first every element is swapped into the block of `block`
/// positions it belongs to (an in-place bucket pass, "American flag" sort:
/// it reads and writes one stream per block, which the caches follow),
/// then each block, now in the cache, is gathered in order into a scratch
/// buffer of one block and moved back. The gather's reads do not depend on
/// each other (a cycle walk waits for each element before the next), and
/// the scratch is one block, not a copy of the slice. `hole` makes the
/// cheap value left behind while an element is in the scratch.
fn apply_permutation_blocked<T>(v: &mut [T], perm: Vec<usize>, block: usize, hole: impl Fn() -> T) {
    let n = v.len();
    // dest[i] = the position the element now at i belongs at.
    let mut dest = vec![0usize; n];
    for (d, &s) in perm.iter().enumerate() {
        dest[s] = d;
    }
    drop(perm);
    let blocks = n.div_ceil(block);
    // next[b] = the first position of block b not yet holding an element
    // of block b (each block holds exactly `block` elements, the last the rest).
    let mut next: Vec<usize> = (0..blocks).map(|b| b * block).collect();
    for b in 0..blocks {
        let end = n.min((b + 1) * block);
        while next[b] < end {
            let i = next[b];
            let t = dest[i] / block;
            if t == b {
                next[b] += 1;
            } else {
                let j = next[t];
                swap_apart(v, i, j);
                dest.swap(i, j);
                next[t] += 1;
            }
        }
    }
    let mut local = vec![0usize; block.min(n)];
    // One block of holes: an element is swapped with a hole into the
    // scratch, and the gathered block swapped back with the holes.
    let mut scratch: Vec<T> = (0..block.min(n)).map(|_| hole()).collect();
    for (b, (chunk, ds)) in v.chunks_mut(block).zip(dest.chunks(block)).enumerate() {
        let base = b * block;
        // local[d] = where in the chunk the element that belongs at d is.
        for (i, &d) in ds.iter().enumerate() {
            local[d - base] = i;
        }
        let gathered = &mut scratch[..chunk.len()];
        for (slot, &s) in gathered.iter_mut().zip(&local) {
            std::mem::swap(slot, &mut chunk[s]);
        }
        chunk.swap_with_slice(gathered);
    }
}

/// How many steps ahead along a cycle [`apply_permutation`] touches the
/// element it will move next.
const LOOKAHEAD: usize = 8;

/// Moves `v[perm[d]]` to `d` for every `d` along the permutation's cycles
/// (`perm` is a permutation of the positions of `v`). Each step's element
/// is a cache miss that depends on the previous step; `touch` reads the
/// element [`LOOKAHEAD`] steps ahead so that several misses are in flight
/// at once (it must read memory of the element, e.g. one field through
/// [`std::hint::black_box`]).
fn apply_permutation<T>(v: &mut [T], mut perm: Vec<usize>, touch: impl Fn(&T)) {
    for start in 0..perm.len() {
        if perm[start] == start {
            continue;
        }
        let mut ahead = start;
        for _ in 0..LOOKAHEAD {
            ahead = perm[ahead];
            touch(&v[ahead]);
        }
        let mut d = start;
        loop {
            let s = perm[d];
            perm[d] = d;
            if s == start || s == d {
                break;
            }
            // Past the cycle's end `ahead` runs into positions already
            // in place (perm[x] == x): harmless reads.
            ahead = perm[ahead];
            touch(&v[ahead]);
            swap_apart(v, d, s);
            d = s;
        }
    }
}

/// Swaps two distinct elements of `v` (`i != j`). `<[T]>::swap` allows
/// `i == j` and so copies through a temporary with three calls of
/// `memmove` for a large element; two disjoint borrows let the compiler
/// swap the observations in registers (a fifth of `grade` on an
/// unordered course was those calls, issue 11).
fn swap_apart<T>(v: &mut [T], i: usize, j: usize) {
    let (lo, hi) = (i.min(j), i.max(j));
    let (head, tail) = v.split_at_mut(hi);
    std::mem::swap(&mut head[lo], &mut tail[0]);
}

/// Sorts `v` stably by `key` without a second buffer of elements: the keys
/// with their positions are sorted (a few bytes each), then the elements are
/// moved into place along the permutation's cycles. A million observations
/// of a large unsorted course would otherwise need a scratch copy of half of
/// them (the standard stable sort's buffer).
fn sort_stable_in_place<T, K: Ord + Copy>(v: &mut [T], key: impl Fn(&T) -> K) {
    let mut keyed: Vec<(K, usize)> = v.iter().enumerate().map(|(i, x)| (key(x), i)).collect();
    // Positions make the keys distinct: an unstable sort of them is stable.
    keyed.sort_unstable();
    // perm[d] = the position the element that belongs at d is now at.
    let perm: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    apply_permutation(v, perm, |_| {});
}

#[cfg(test)]
mod sort_tests {
    use super::{DAY_BITS, POS_BITS, RADIX_MIN, TIME_BITS, sort_packed_keys, sort_stable_in_place};

    #[test]
    fn packed_keys_sort_as_the_comparison_sort_sorts_them() {
        // Sizes on both sides of the radix threshold; keys with few and
        // many distinct (day, time) values; positions ascending as built.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for (n, days, times) in [
            (RADIX_MIN - 1, 300, 1),
            (RADIX_MIN, 300, 1),
            (50_000, 731, 1),
            (50_000, 1 << DAY_BITS, 1 << TIME_BITS),
            (20_000, 1, 1),
        ] {
            let mut keys: Vec<u64> = (0..n as u64)
                .map(|i| {
                    let day = next() % days;
                    let time = next() % times;
                    day << (TIME_BITS + POS_BITS) | time << POS_BITS | i
                })
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_packed_keys(&mut keys);
            assert_eq!(keys, want, "{n} keys, {days} days, {times} times");
        }
    }

    #[test]
    fn sorts_stably_in_place() {
        // Pseudo-random keys with many ties; the payload records the
        // original position, so stability is checked too.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut v: Vec<(u8, usize)> = (0..5_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 17) as u8, i)
            })
            .collect();
        let mut want = v.clone();
        want.sort_by_key(|e| e.0);
        sort_stable_in_place(&mut v, |e| e.0);
        assert_eq!(v, want);
        let mut empty: Vec<(u8, usize)> = Vec::new();
        sort_stable_in_place(&mut empty, |e| e.0);
        let mut rev: Vec<u32> = (0..100).rev().collect();
        sort_stable_in_place(&mut rev, |e| *e);
        assert_eq!(rev, (0..100).collect::<Vec<_>>());
    }
}

#[cfg(test)]
mod packed_sort_tests {
    use graftwatch_core::{Analyte, Date, TimeOfDay};

    use super::{sort_observations, sort_stable_in_place};
    use crate::observation::Observation;

    /// Observations with many equal dates, with and without times, the
    /// value recording the original position (so stability is checked).
    fn shuffled(n: usize, span_days: u64, seed: u64) -> Vec<Observation> {
        let mut x = seed;
        let base = Date::from_ymd(1950, 1, 1).expect("date");
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let day = (x % span_days) as i32;
                let mut o = Observation::lab(base.add_days(day), Analyte::Anc, i as f64);
                o.time = match x % 5 {
                    0 => None,
                    r => Some(
                        TimeOfDay::from_hm((r * 7 % 24) as u32, (x % 60) as u32).expect("time"),
                    ),
                };
                o
            })
            .collect()
    }

    #[test]
    fn packed_keys_sort_as_the_general_stable_sort() {
        // A span of a few weeks (many ties), one that needs every day bit,
        // and the whole supported range (1900–2200).
        for (n, span, seed) in [
            (5_000, 30, 1),
            (5_000, 100_000, 2),
            (3_000, 109_500, 3),
            (2, 1, 4),
        ] {
            let mut got = shuffled(n, span, seed);
            let mut want = got.clone();
            sort_stable_in_place(&mut want, |o| (o.date, o.time));
            sort_observations(&mut got);
            assert_eq!(got, want, "n {n}, span {span}");
        }
        let mut wide = shuffled(1_000, 30, 5);
        // Dates the program never reads from a file, beyond the packed
        // key's 2^17 days.
        wide[17].date = Date::from_days_since_epoch(200_000);
        wide[3].date = Date::from_days_since_epoch(-100_000);
        let mut want = wide.clone();
        sort_stable_in_place(&mut want, |o| (o.date, o.time));
        sort_observations(&mut wide);
        assert_eq!(wide, want);
        let mut empty: Vec<Observation> = Vec::new();
        sort_observations(&mut empty);
        assert!(empty.is_empty());
    }

    #[test]
    fn blocked_permutation_moves_as_the_plain_one() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for (n, block) in [
            (0, 4),
            (1, 4),
            (5, 4),
            (100, 7),
            (1_000, 64),
            (4_097, 1_024),
            (10_000, 10_000),
        ] {
            // A random permutation (Fisher-Yates).
            let mut perm: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                perm.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let items: Vec<usize> = (0..n).map(|i| i * 3 + 1).collect();
            let want: Vec<usize> = perm.iter().map(|&s| items[s]).collect();
            let mut plain = items.clone();
            super::apply_permutation(&mut plain, perm.clone(), |_| {});
            assert_eq!(plain, want, "plain, n {n}");
            let mut blocked = items.clone();
            super::apply_permutation_blocked(&mut blocked, perm, block, || 0);
            assert_eq!(blocked, want, "blocked, n {n}, block {block}");
        }
    }
}
