//! Oxygen support active on a day: the most intensive device (and its flow),
//! the ASTCT CRS hypoxia input. SpO₂ is never used (ASTCT grades on the
//! device and flow).

use graftwatch_core::Date;
use graftwatch_course::{Course, EventDetail, OxygenDevice};
use serde::Serialize;

/// One oxygen-support interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OxygenInterval {
    /// Device.
    pub device: OxygenDevice,
    /// Flow, L/min, when recorded.
    pub flow_l_min: Option<f64>,
    /// First day.
    pub start: Date,
    /// Last day (inclusive); `None` = open ended.
    pub end: Option<Date>,
}

/// Oxygen support on a given day: device and flow of the most intensive
/// interval active that day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OxygenDay {
    /// Device.
    pub device: OxygenDevice,
    /// Flow, L/min (the highest recorded that day for that device).
    pub flow_l_min: Option<f64>,
    /// Start date of the interval it came from.
    pub since: Date,
}

/// Intensity rank used to pick the most intensive device of a day
/// (positive pressure > high-flow/mask devices > low-flow). Within nasal
/// cannula the flow decides.
pub fn intensity(device: OxygenDevice, flow: Option<f64>) -> (u8, u32) {
    let rank = match device {
        OxygenDevice::BlowBy => 1,
        OxygenDevice::NasalCannula => 2,
        OxygenDevice::Facemask | OxygenDevice::Venturi => 3,
        OxygenDevice::HighFlowNasalCannula => 4,
        OxygenDevice::NonRebreather => 5,
        OxygenDevice::Cpap | OxygenDevice::Bipap => 6,
        OxygenDevice::MechanicalVentilation => 7,
    };
    // Flow in centilitres/min as an integer tie-break.
    (rank, flow.map(|f| (f.max(0.0) * 100.0) as u32).unwrap_or(0))
}

/// Every oxygen-support interval of a course.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct OxygenSupport {
    /// Intervals in start order.
    pub intervals: Vec<OxygenInterval>,
}

impl OxygenSupport {
    /// The most intensive support active on `date`.
    pub fn on(&self, date: Date) -> Option<OxygenDay> {
        self.intervals
            .iter()
            .filter(|i| date >= i.start && i.end.is_none_or(|e| date <= e))
            .max_by_key(|i| intensity(i.device, i.flow_l_min))
            .map(|i| OxygenDay {
                device: i.device,
                flow_l_min: i.flow_l_min,
                since: i.start,
            })
    }
}

/// Extracts the oxygen-support intervals of a course.
pub fn oxygen_support(course: &Course) -> OxygenSupport {
    let mut intervals: Vec<OxygenInterval> = course
        .events
        .iter()
        .filter_map(|e| match e.detail {
            EventDetail::OxygenSupport { device, flow_l_min } => Some(OxygenInterval {
                device,
                flow_l_min,
                start: e.date,
                end: e.end_date,
            }),
            _ => None,
        })
        .collect();
    intervals.sort_by_key(|i| i.start);
    OxygenSupport { intervals }
}
