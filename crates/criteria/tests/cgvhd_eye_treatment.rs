//! NIH 2014 eye score implied by the recorded treatment, both sides of
//! each boundary (3 vs 4 drops a day; plugs).

use graftwatch_criteria::cgvhd_nih::eye_score_from_treatment;

#[test]
fn eye_score_from_drops_and_plugs() {
    assert_eq!(eye_score_from_treatment(Some(1), None), Some(1));
    assert_eq!(eye_score_from_treatment(Some(3), None), Some(1));
    assert_eq!(eye_score_from_treatment(Some(4), None), Some(2));
    assert_eq!(eye_score_from_treatment(Some(1), Some(false)), Some(1));
    assert_eq!(eye_score_from_treatment(Some(0), Some(true)), Some(2));
    assert_eq!(eye_score_from_treatment(Some(0), Some(false)), None);
    assert_eq!(eye_score_from_treatment(None, None), None);
}
