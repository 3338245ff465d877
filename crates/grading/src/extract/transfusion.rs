//! Transfusion dates by product, and the "no platelet transfusion in the
//! previous N days" test used by platelet recovery (engine decision 3, E-4).

use graftwatch_core::Date;
use graftwatch_course::{Course, EventDetail, TransfusionProduct};
use serde::Serialize;

/// Transfusion dates of a course, per product, ascending and de-duplicated.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Transfusions {
    /// Platelet transfusion dates.
    pub platelets: Vec<Date>,
    /// Red-cell transfusion dates.
    pub rbc: Vec<Date>,
    /// Plasma transfusion dates.
    pub plasma: Vec<Date>,
    /// Granulocyte transfusion dates.
    pub granulocytes: Vec<Date>,
}

impl Transfusions {
    /// The dates of one product.
    pub fn of(&self, product: TransfusionProduct) -> &[Date] {
        match product {
            TransfusionProduct::Platelets => &self.platelets,
            TransfusionProduct::Rbc => &self.rbc,
            TransfusionProduct::Plasma => &self.plasma,
            TransfusionProduct::Granulocytes => &self.granulocytes,
        }
    }

    /// The latest transfusion of `product` on a day `t` with
    /// `date - window_days < t <= date`, i.e. one that makes a count on
    /// `date` ineligible. With the default 7-day window a transfusion on
    /// day t blocks days t … t+6 and day t+7 is eligible again.
    pub fn blocking(
        &self,
        product: TransfusionProduct,
        date: Date,
        window_days: i32,
    ) -> Option<Date> {
        let dates = self.of(product);
        let hi = dates.partition_point(|d| *d <= date);
        let last = *dates.get(hi.checked_sub(1)?)?;
        (date.days_since(last).get() < window_days).then_some(last)
    }

    /// Number of transfusion days of `product` between two dates (inclusive).
    pub fn count_between(&self, product: TransfusionProduct, from: Date, to: Date) -> usize {
        let d = self.of(product);
        d.partition_point(|x| *x <= to) - d.partition_point(|x| *x < from)
    }
}

/// Extracts the transfusion dates of a course.
pub fn transfusions(course: &Course) -> Transfusions {
    let mut t = Transfusions::default();
    for e in &course.events {
        if let EventDetail::Transfusion { product, .. } = e.detail {
            let v = match product {
                TransfusionProduct::Platelets => &mut t.platelets,
                TransfusionProduct::Rbc => &mut t.rbc,
                TransfusionProduct::Plasma => &mut t.plasma,
                TransfusionProduct::Granulocytes => &mut t.granulocytes,
            };
            // A transfusion event with an end date covers every day of it.
            let end = e.end_date.unwrap_or(e.date).max(e.date);
            let mut d = e.date;
            while d <= end {
                v.push(d);
                d = d.add_days(1);
            }
        }
    }
    for v in [
        &mut t.platelets,
        &mut t.rbc,
        &mut t.plasma,
        &mut t.granulocytes,
    ] {
        v.sort();
        v.dedup();
    }
    t
}
