#!/usr/bin/env python3
"""Deterministic generator of the graftwatch seed case.

Writes examples/seed-case/course.json: an ILLUSTRATIVE reconstruction of the
course published by Meng, Liu & Zeng (Front Immunol 2025, doi:10.3389/
fimmu.2025.1598754): a 35-year-old man with relapsed/refractory AML, failure
of CAR-CLL1 therapy, septic shock, then a combined umbilical cord blood +
haploidentical PBSC transplant, pre-emptive DLI, skin and gut acute GVHD
brought under control, and sustained MRD-negative remission.

The paper's own day-by-day numbers are not available; every value here is
invented to be clinically plausible and internally consistent. The narrative
and every invented choice are documented in docs/seed-case.md.

Standard library only. Fixed RNG seed: running it twice gives the same bytes.

Usage: python3 tools/seed-case/generate.py [OUT.json]
"""

import datetime as dt
import json
import math
import random
import sys
from pathlib import Path

RNG = random.Random(20250605)  # publication date of the case report

# ---------------------------------------------------------------------------
# Calendar. HCT day 0 is the anchor of everything; CAR-T day 0 is HCT day -56.
# ---------------------------------------------------------------------------
HCT0 = dt.date(2024, 4, 29)
CAR0 = HCT0 - dt.timedelta(days=56)  # 2024-03-04
DIAG = dt.date(2022, 5, 16)


def d(day):
    """Calendar date of HCT day `day`."""
    return HCT0 + dt.timedelta(days=day)


def c(day):
    """Calendar date of CAR-T day `day`."""
    return CAR0 + dt.timedelta(days=day)


def iso(date):
    return date.isoformat()


def hct_day(date):
    return (date - HCT0).days


events = []
observations = []


def ev(date, kind, end=None, note=None, id=None, **detail):
    e = {}
    if id:
        e["id"] = id
    e["date"] = iso(date)
    if end is not None:
        e["end_date"] = iso(end)
    if note:
        e["note"] = note
    e["kind"] = kind
    e.update(detail)
    events.append(e)


def obs(date, kind, value, unit=None, **extra):
    o = {"date": iso(date), "kind": kind, "value": value}
    if unit is not None:
        o["unit"] = unit
    o.update(extra)
    observations.append(o)


# ---------------------------------------------------------------------------
# Piecewise log-linear trajectories with multiplicative noise.
# ---------------------------------------------------------------------------
def interp(points, x, log=True):
    """Interpolates keypoints [(x, y), ...] at x (log-space when log=True)."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x <= x1:
            t = (x - x0) / (x1 - x0) if x1 != x0 else 0.0
            if log:
                return math.exp(math.log(y0) + t * (math.log(y1) - math.log(y0)))
            return y0 + t * (y1 - y0)
    return points[-1][1]


def noisy(v, cv):
    return v * math.exp(RNG.gauss(0.0, cv))


# Keypoints on the HCT day axis (CAR-T day 0 = HCT day -56).
ANC = [
    (-63, 0.62), (-60, 0.35), (-57, 0.09), (-56, 0.06), (-40, 0.04), (-25, 0.05),
    (-12, 0.03), (-6, 0.01), (10, 0.01), (11, 0.14), (12, 0.31), (13, 0.64),
    (14, 0.98), (15, 1.45), (16, 2.2), (18, 3.0), (22, 3.2), (30, 3.6),
    (60, 3.1), (90, 3.4), (140, 3.6), (150, 6.2), (175, 5.1), (200, 3.8), (400, 3.6),
]
ALC = [
    (-63, 0.35), (-60, 0.05), (-56, 0.03), (-30, 0.08), (-10, 0.10), (-6, 0.01),
    (14, 0.04), (21, 0.15), (30, 0.30), (60, 0.60), (90, 0.80), (140, 1.2),
    (150, 0.5), (200, 0.9), (400, 1.5),
]
MONO = [(-63, 0.05), (-58, 0.01), (10, 0.01), (13, 0.2), (20, 0.5), (400, 0.45)]
# Peripheral blasts (% of leukocytes): relapse from CAR-T day +21.
PB_BLASTS = [
    (-63, 6.0), (-58, 0.0), (-36, 0.0), (-35, 3.0), (-28, 12.0), (-20, 22.0),
    (-11, 34.0), (-7, 18.0), (-4, 3.0), (-3, 0.0), (400, 0.0),
]
# Platelet production (transfusions are simulated on top of it).
PLT_PROD = [
    (-63, 38.0), (-58, 14.0), (-56, 8.0), (-30, 5.0), (-10, 4.0), (-2, 3.0),
    (14, 3.0), (17, 9.0), (19, 16.0), (21, 22.0), (23, 27.0), (26, 38.0),
    (29, 52.0), (33, 68.0), (45, 96.0), (60, 122.0), (90, 148.0), (140, 165.0),
    (150, 132.0), (175, 150.0), (400, 185.0),
]
BILI = [  # mg/dL
    (-63, 0.6), (-27, 0.7), (-26, 1.9), (-24, 2.4), (-20, 1.2), (-15, 0.8),
    (-3, 0.9), (8, 1.6), (12, 1.3), (20, 0.9), (60, 0.7), (139, 0.7),
    (150, 1.1), (165, 0.9), (200, 0.6), (400, 0.6),
]
ALT = [
    (-63, 28.0), (-27, 30.0), (-25, 96.0), (-20, 55.0), (-10, 34.0), (-3, 40.0),
    (8, 88.0), (15, 52.0), (30, 38.0), (139, 30.0), (150, 72.0), (170, 40.0), (400, 24.0),
]
AST = [
    (-63, 24.0), (-27, 27.0), (-25, 118.0), (-20, 48.0), (-10, 29.0), (-3, 35.0),
    (8, 64.0), (15, 41.0), (30, 31.0), (139, 27.0), (150, 58.0), (170, 34.0), (400, 22.0),
]
CREAT = [  # mg/dL
    (-63, 0.78), (-27, 0.8), (-25, 2.05), (-22, 1.6), (-17, 0.95), (-9, 0.82),
    (10, 1.05), (40, 1.25), (80, 1.2), (95, 0.9), (400, 0.85),
]
CRP = [  # mg/dL
    (-63, 1.2), (-57, 0.9), (-55, 6.5), (-54, 8.8), (-53, 5.1), (-50, 1.6),
    (-40, 1.0), (-28, 1.4), (-27, 21.0), (-26, 27.5), (-24, 18.0), (-20, 6.0),
    (-14, 2.0), (-4, 1.5), (3, 1.8), (4, 9.5), (6, 12.4), (9, 4.0), (14, 1.6),
    (20, 0.8), (60, 0.4), (139, 0.4), (150, 3.2), (170, 0.9), (400, 0.2),
]


# ---------------------------------------------------------------------------
# Patient, donors.
# ---------------------------------------------------------------------------
patient = {
    "id": "SEED-AML-01",
    "sex": "male",
    "birth_year": 1989,
    "height_cm": 176,
    "diagnosis": {
        "disease": "aml",
        "date": iso(DIAG),
        "description": "AML with myelodysplasia-related gene mutation (ASXL1), "
        "ICC 2022 / WHO 2022; CLL1 (CLEC12A) on 92% of blasts "
        "[invented profile, see docs/seed-case.md]",
        "karyotype": {
            "iscn": "47,XY,+8[14]/46,XY[6]",
            "abnormalities": [
                {"kind": "trisomy", "iscn": "+8", "chromosome": "8"}
            ],
        },
        "mutations": [
            {"gene": "ASXL1", "variant": "p.G646Wfs*12", "vaf_percent": 36.0},
            {"gene": "FLT3", "variant": "ITD", "vaf_percent": 18.0},
            {"gene": "DNMT3A", "variant": "p.R882H", "vaf_percent": 41.0},
        ],
    },
    "comorbidities": ["infection"],
}

donors = [
    {
        "id": "UCB-1",
        "relationship": "unrelated_cord",
        "sex": "female",
        "hla_match": "5/8",
        "abo": "O+",
    },
    {
        "id": "PBSC-1",
        "relationship": "haploidentical",
        "sex": "male",
        "birth_year": 1994,
        "hla_match": "5/10",
        "abo": "A+",
    },
]

# ---------------------------------------------------------------------------
# Before CAR-T: three lines of intensive chemotherapy with two relapses.
# ---------------------------------------------------------------------------
ev(dt.date(2022, 5, 18), "chemotherapy", end=dt.date(2022, 5, 24), regimen="IA 3+7 (idarubicin 12 mg/m2 d1-3, cytarabine 100 mg/m2 d1-7)", line=1, intent="induction")
ev(dt.date(2022, 7, 4), "chemotherapy", end=dt.date(2022, 7, 8), regimen="HiDAC (cytarabine 3 g/m2 q12h d1,3,5)", line=1, intent="consolidation")
ev(dt.date(2022, 8, 15), "chemotherapy", end=dt.date(2022, 8, 19), regimen="HiDAC (cytarabine 3 g/m2 q12h d1,3,5)", line=1, intent="consolidation")
ev(dt.date(2023, 3, 13), "chemotherapy", end=dt.date(2023, 3, 17), regimen="FLAG-Ida (fludarabine, cytarabine, G-CSF, idarubicin)", line=2, intent="re-induction")
ev(dt.date(2023, 11, 20), "chemotherapy", end=dt.date(2023, 11, 28), regimen="CLAG + venetoclax (cladribine, cytarabine, G-CSF, venetoclax)", line=3, intent="salvage")
ev(dt.date(2023, 11, 20), "drug", end=dt.date(2024, 1, 8), name="gilteritinib", **{"class": "anti_leukemic"}, dose=120, dose_unit="mg/d", note="FLT3 inhibitor with salvage, stopped before CAR-T")

# Marrow assessments and sparse blood counts before CAR-T.
pre = [
    # date, marrow blasts %, cellularity, anc, wbc, plt, hb, pb blasts
    (DIAG, 62.0, 90.0, 0.9, 18.4, 41.0, 8.1, 48.0, "diagnosis"),
    (dt.date(2022, 6, 20), 2.0, 35.0, 1.6, 2.9, 142.0, 9.6, 0.0, "CR1 after IA"),
    (dt.date(2023, 3, 6), 28.0, 70.0, 1.1, 6.2, 64.0, 10.4, 12.0, "first relapse"),
    (dt.date(2023, 4, 17), 3.0, 30.0, 1.3, 2.6, 118.0, 9.8, 0.0, "CR2 after FLAG-Ida (MRD 0.8%)"),
    (dt.date(2023, 11, 13), 41.0, 80.0, 0.7, 9.8, 52.0, 8.9, 26.0, "second relapse"),
    (dt.date(2024, 1, 2), 24.0, 45.0, 0.6, 1.6, 36.0, 8.4, 8.0, "refractory to salvage"),
]
for date, mb, cell, anc, wbc, plt, hb, pbb, note in pre:
    obs(date, "marrow_blasts", mb, "%", note=note)
    obs(date, "marrow_cellularity", cell, "%")
    obs(date, "anc", anc, "10^9/L")
    obs(date, "wbc", wbc, "10^9/L")
    obs(date, "platelets", plt, "10^9/L")
    obs(date, "hemoglobin", hb, "g/dL")
    obs(date, "pb_blasts", pbb, "%")
obs(dt.date(2023, 4, 17), "mrd_flow", 0.8, "%", note="MRD-positive CR2")
for date, w in [(DIAG, 74.0), (dt.date(2022, 8, 15), 71.5), (dt.date(2023, 3, 6), 72.0), (dt.date(2023, 11, 13), 70.5)]:
    obs(date, "weight", w, "kg")

# ---------------------------------------------------------------------------
# CAR-CLL1 (CAR-T day 0 = 2024-03-04 = HCT day -56).
# ---------------------------------------------------------------------------
obs(c(-7), "marrow_blasts", 18.0, "%", note="pre-lymphodepletion marrow")
obs(c(-7), "marrow_cellularity", 40.0, "%")
obs(c(-6), "ferritin", 2850.0, "ng/mL", note="before lymphodepletion (CAR-HEMATOTOX)")
ev(c(-5), "lymphodepletion", end=c(-3), regimen="Flu/Cy", agents=[
    {"name": "fludarabine", "dose": 30, "unit": "mg/m2/d x3 (days -5 to -3)"},
    {"name": "cyclophosphamide", "dose": 500, "unit": "mg/m2/d x3 (days -5 to -3)"},
])
ev(c(0), "car_t_infusion", id="cart-1", target="CLL1", product="CAR-CLL1 (autologous, investigational)", dose_per_kg=2.0e6)
# CRS: fever day +1..+3, low-flow oxygen day +3..+5, tocilizumab day +3 -> grade 2.
ev(c(3), "oxygen_support", end=c(5), device="nasal_cannula", flow_l_min=2.0, note="CRS-related hypoxia")
ev(c(3), "drug", end=c(3), name="tocilizumab", **{"class": "anticytokine"}, dose=8, dose_unit="mg/kg once", note="for CRS with fever and low-flow oxygen")
for day, t in [(1, 38.6), (2, 39.2), (3, 39.4)]:
    obs(c(day), "temperature", t, "Cel", note="CRS fever")
for day in range(0, 11):
    if day == 4:
        obs(c(day), "ice_score", 9, note="ICE 9: could not write a standard sentence")
    else:
        obs(c(day), "ice_score", 10)
    obs(c(day), "consciousness", "awake")
    obs(c(day), "seizure", "none")
    obs(c(day), "motor_weakness", False)
obs(c(14), "marrow_blasts", 6.0, "%", note="CAR-T day +14: aplastic, no recovery")
obs(c(14), "marrow_cellularity", 5.0, "%")
obs(c(28), "marrow_blasts", 46.0, "%", note="CAR-T day +28: relapse")
obs(c(28), "marrow_cellularity", 60.0, "%")
ev(c(14), "drug", end=c(28), name="filgrastim", **{"class": "g_csf"}, dose=5, dose_unit="ug/kg/d", note="no neutrophil response")
ev(c(0), "drug", end=d(75), name="posaconazole", **{"class": "antimicrobial"}, dose=300, dose_unit="mg/d", note="antifungal prophylaxis")
ev(c(0), "drug", end=d(365), name="acyclovir", **{"class": "antimicrobial"}, dose=800, dose_unit="mg/d", note="antiviral prophylaxis")
ev(c(1), "drug", end=c(8), name="piperacillin-tazobactam", **{"class": "antimicrobial"}, dose=13.5, dose_unit="g/d", note="febrile neutropenia during CRS")

# Septic shock at CAR-T day +30 (HCT day -26).
shock = c(29)
ev(shock, "infection", end=c(44), syndrome="septic shock", organism="Escherichia coli (ESBL-producing), blood cultures")
ev(shock, "drug", end=c(44), name="meropenem", **{"class": "antimicrobial"}, dose=3, dose_unit="g/d")
ev(c(30), "drug", end=c(39), name="vancomycin", **{"class": "antimicrobial"}, dose=2, dose_unit="g/d")
ev(c(30), "icu_stay", end=c(37), reason="septic shock")
ev(c(30), "drug", end=c(34), name="norepinephrine", **{"class": "vasopressor"}, dose=0.3, dose_unit="ug/kg/min (max)")
ev(c(31), "drug", end=c(33), name="vasopressin", **{"class": "vasopressor"}, dose=0.03, dose_unit="U/min")
ev(c(30), "oxygen_support", end=c(30), device="nasal_cannula", flow_l_min=4.0)
ev(c(31), "oxygen_support", end=c(34), device="high_flow_nasal_cannula", flow_l_min=45.0)
ev(c(35), "oxygen_support", end=c(37), device="nasal_cannula", flow_l_min=2.0)
ev(c(30), "drug", end=c(33), name="hydrocortisone", **{"class": "steroid"}, dose=200, dose_unit="mg/d", note="stress-dose steroid in septic shock")
for day, t in [(29, 39.6), (30, 40.1), (31, 39.3), (32, 38.7), (33, 38.2)]:
    obs(c(day), "temperature", t, "Cel", note="septic shock")
for day, sbp, dbp in [(30, 74, 38), (31, 86, 48), (32, 94, 56), (34, 108, 64)]:
    obs(c(day), "systolic_bp", sbp, "mm[Hg]")
    obs(c(day), "diastolic_bp", dbp, "mm[Hg]")

# ---------------------------------------------------------------------------
# Conditioning (Bu/Cy/ATG + Ara-C + semustine), grafts on day 0, prophylaxis.
# ---------------------------------------------------------------------------
obs(d(-12), "marrow_blasts", 52.0, "%", note="pre-transplant marrow: active disease")
obs(d(-12), "marrow_cellularity", 70.0, "%")
ev(d(-10), "conditioning", end=d(-2), regimen="Ara-C/Bu/Cy/MeCCNU/ATG (modified BuCy)", intensity="myeloablative", agents=[
    {"name": "cytarabine", "dose": 4, "unit": "g/m2/d, days -10 to -9"},
    {"name": "busulfan (IV)", "dose": 3.2, "unit": "mg/kg/d, days -8 to -6"},
    {"name": "cyclophosphamide", "dose": 1.8, "unit": "g/m2/d, days -5 to -4"},
    {"name": "semustine (MeCCNU)", "dose": 250, "unit": "mg/m2, day -3"},
    {"name": "rabbit ATG (thymoglobulin)", "dose": 2.5, "unit": "mg/kg/d, days -5 to -2"},
])
ev(d(0), "graft_infusion", id="graft-ucb", transplant=1, source="ucb", donor="UCB-1",
   tnc_per_kg=2.1e7, cd34_per_kg=1.2e5, note="infused first")
ev(d(0), "graft_infusion", id="graft-pbsc", transplant=1, source="pbsc", donor="PBSC-1",
   tnc_per_kg=9.6e8, cd34_per_kg=5.2e6, cd3_per_kg=1.6e8, note="G-CSF-mobilised, unmanipulated; infused 6 h after the cord unit")
ev(d(-9), "drug", end=d(80), name="cyclosporine", **{"class": "immunosuppressant"}, dose=3, dose_unit="mg/kg/d (trough 150-250 ng/mL), tapered from day +60")
ev(d(-9), "drug", end=d(30), name="mycophenolate mofetil", **{"class": "immunosuppressant"}, dose=1.5, dose_unit="g/d")
for day, dose in [(1, 15), (3, 10), (6, 10)]:
    ev(d(day), "drug", end=d(day), name="methotrexate", **{"class": "immunosuppressant"}, dose=dose, dose_unit="mg/m2 (short course)")
ev(d(5), "drug", end=d(15), name="filgrastim", **{"class": "g_csf"}, dose=5, dose_unit="ug/kg/d")
ev(d(4), "drug", end=d(14), name="meropenem", **{"class": "antimicrobial"}, dose=3, dose_unit="g/d", note="neutropenic fever")
for day, t in [(4, 38.4), (5, 38.9), (6, 38.6), (7, 38.1)]:
    obs(d(day), "temperature", t, "Cel", note="neutropenic fever")

# ---------------------------------------------------------------------------
# Daily labs from CAR-T day -7 to HCT day +100 with simulated transfusions,
# weekly to day +180, monthly to day +390.
# ---------------------------------------------------------------------------
# Every second day while acute GVHD is active (liver staging needs bilirubin).
lab_days = (list(range(-63, 101)) + list(range(107, 136, 7)) + list(range(136, 181, 2))
            + list(range(210, 391, 30)))
febrile = {hct_day(c(x)) for x in (1, 2, 3, 29, 30, 31, 32, 33)} | {4, 5, 6, 7}

plt_pool = 0.0
hb = 8.6
last_plt_tx = None
for day in lab_days:
    date = d(day)
    daily = day <= 100
    # --- neutrophils, lymphocytes, blasts, WBC
    anc = noisy(interp(ANC, day), 0.10 if interp(ANC, day) > 0.2 else 0.25)
    if -56 <= day <= 10:
        anc = min(anc, 0.09)  # CAR-T aplasia: never above 0.1 for weeks
    anc = round(anc, 2)
    alc = round(noisy(interp(ALC, day), 0.15), 2)
    mono = round(noisy(interp(MONO, day), 0.2), 2)
    pbb = interp(PB_BLASTS, day, log=False)
    pbb = round(max(0.0, pbb + (RNG.gauss(0, 1.5) if pbb > 0 else 0.0)), 0)
    nonblast = anc + alc + mono
    wbc = round(max(0.01, nonblast / (1 - pbb / 100.0)), 2)
    # --- platelets: production + transfused pool
    prod = noisy(interp(PLT_PROD, day), 0.08)
    plt = round(prod + plt_pool, 0)
    plt = max(plt, 1.0)
    # --- haemoglobin: a state with drift, RBC when < 7.0 g/dL
    if day < 16:
        drift = -0.11
    elif day < 40:
        drift = 0.03
    elif day < 140:
        drift = 0.05 if hb < 13.2 else 0.0
    elif day < 160:
        drift = -0.04
    else:
        drift = 0.03 if hb < 13.8 else 0.0
    step = 1 if daily else (2 if 136 <= day <= 180 else 7 if day <= 180 else 30)
    hb = hb + drift * step + RNG.gauss(0, 0.12)
    hb_obs = round(hb, 1)
    obs(date, "anc", anc, "10^9/L")
    obs(date, "wbc", wbc, "10^9/L")
    obs(date, "alc", alc, "10^9/L")
    obs(date, "platelets", plt, "10^9/L")
    obs(date, "hemoglobin", hb_obs, "g/dL")
    if day <= -2 or pbb > 0:
        obs(date, "pb_blasts", pbb, "%")
    obs(date, "bilirubin", round(noisy(interp(BILI, day), 0.06), 1), "mg/dL")
    obs(date, "alt", round(noisy(interp(ALT, day), 0.1)), "U/L")
    obs(date, "ast", round(noisy(interp(AST, day), 0.1)), "U/L")
    obs(date, "creatinine", round(noisy(interp(CREAT, day), 0.05), 2), "mg/dL")
    obs(date, "crp", round(noisy(interp(CRP, day), 0.1), 1), "mg/dL")
    # --- transfusions decided on the morning count
    if daily and day <= 25:
        trigger = 20.0 if day in febrile else 10.0 if day > 0 else 15.0
        if plt < trigger or (day < 19 and plt < 15.0):
            ev(date, "transfusion", product="platelets", units=1)
            plt_pool += 45.0
            last_plt_tx = day
        plt_pool *= 0.55
        if hb_obs < 7.0:
            ev(date, "transfusion", product="rbc", units=2)
            hb += 1.9
    elif daily:
        plt_pool *= 0.55

# ---------------------------------------------------------------------------
# Weights: weekly during the daily-lab period, then at each lab visit.
# ---------------------------------------------------------------------------
WEIGHT = [(-63, 69.0), (-30, 67.5), (-11, 66.0), (30, 63.5), (90, 64.0),
          (140, 64.5), (170, 61.5), (250, 64.0), (390, 68.0)]
for day in lab_days:
    if (day <= 100 and (day - -63) % 7 == 0) or (day > 100 and (day < 136 or day > 180 or day % 14 == 0)):
        obs(d(day), "weight", round(interp(WEIGHT, day, log=False) + RNG.gauss(0, 0.3), 1), "kg")
obs(d(-11), "weight", 66.0, "kg", note="dosing weight for conditioning and graft cell doses")

# ---------------------------------------------------------------------------
# Chimerism (STR, whole blood / CD3 / myeloid): recipient, UCB-1, PBSC-1.
# ---------------------------------------------------------------------------
CHIM = {
    # day: {lineage: (recipient, UCB-1, PBSC-1)}
    14: {"whole_blood": (3, 38, 59), "cd3": (4, 31, 65), "myeloid": (2, 41, 57)},
    21: {"whole_blood": (2, 24, 74), "cd3": (3, 22, 75), "myeloid": (1, 23, 76)},
    28: {"whole_blood": (2, 11, 87), "cd3": (3, 12, 85), "myeloid": (1, 9, 90)},
    45: {"whole_blood": (1, 3, 96), "cd3": (2, 5, 93), "myeloid": (0, 2, 98)},
    60: {"whole_blood": (1, 1, 98), "cd3": (3, 1, 96), "myeloid": (1, 0, 99)},
    75: {"whole_blood": (3, 0, 97), "cd3": (6, 0, 94), "myeloid": (2, 0, 98)},
    88: {"whole_blood": (5, 0, 95), "cd3": (11, 0, 89), "myeloid": (4, 0, 96)},
    110: {"whole_blood": (4, 0, 96), "cd3": (8, 0, 92), "myeloid": (3, 0, 97)},
    140: {"whole_blood": (1, 0, 99), "cd3": (2, 0, 98), "myeloid": (1, 0, 99)},
    180: {"whole_blood": (0, 0, 100), "cd3": (0, 0, 100), "myeloid": (0, 0, 100)},
    270: {"whole_blood": (0, 0, 100), "cd3": (0, 0, 100), "myeloid": (0, 0, 100)},
    365: {"whole_blood": (0, 0, 100), "cd3": (0, 0, 100), "myeloid": (0, 0, 100)},
}
for day, by_lineage in CHIM.items():
    for lineage, shares in by_lineage.items():
        assert sum(shares) == 100, (day, lineage)
        sample = f"CHI-D{day:03d}-{lineage}"
        for person, share in zip(("recipient", "UCB-1", "PBSC-1"), shares):
            obs(d(day), "chimerism", float(share), "%", lineage=lineage, person=person,
                method="str", assay="STR 21-locus multiplex (LOD 1%)", sample=sample)

# ---------------------------------------------------------------------------
# Marrow and MRD after transplant.
# ---------------------------------------------------------------------------
POST_MARROW = [
    # day, blasts %, cellularity %, MRD flow %, note
    (28, 0.8, 30.0, 0.0, "day +28: morphological CR, MRD negative (LOD 0.01%)"),
    (60, 0.6, 40.0, 0.0, "day +60: MRD negative"),
    (88, 1.6, 45.0, 0.32, "day +88: MRD re-emergence (LAIP CD34+CD117+CD371+)"),
    (110, 0.9, 45.0, 0.11, "day +110: MRD low-positive after DLI 1"),
    (150, 0.5, 50.0, 0.0, "day +150: MRD negative"),
    (180, 0.4, 50.0, 0.0, "day +180: MRD negative"),
    (270, 0.6, 55.0, 0.0, "day +270: MRD negative"),
    (365, 0.5, 50.0, 0.0, "day +365: MRD negative"),
]
for day, blasts, cell, mrd, note in POST_MARROW:
    obs(d(day), "marrow_blasts", blasts, "%", note=note)
    obs(d(day), "marrow_cellularity", cell, "%")
    obs(d(day), "mrd_flow", mrd, "%")
    # ELN 2022 CR needs the absence of circulating blasts and of
    # extramedullary disease: recorded at each post-transplant assessment.
    obs(d(day), "pb_blasts", 0.0, "%", note="blood smear at the marrow assessment")
    obs(d(day), "extramedullary_disease", False)

# ---------------------------------------------------------------------------
# DLI: two pre-emptive haplo doses, half-log escalation.
# ---------------------------------------------------------------------------
# Pre-DLI clinic visits on the day before each DLI: a full GVHD examination
# without findings and the infection status, the dated evidence the DLI
# prerequisites need (GVHD within 14 days, infection within 7 days).
for day in (91, 123):
    obs(d(day), "skin_rash_bsa", 0.0, "%", note="pre-DLI examination: no rash")
    obs(d(day), "upper_gi_persistent", False)
    obs(d(day), "stool_volume", 150.0, "mL")
    obs(d(day), "infection_status", "none", note="pre-DLI assessment: afebrile, no infection")
ev(d(92), "dli", id="dli-1", donor="PBSC-1", cd3_per_kg=1.0e5, intent="preemptive",
   note="trigger: rising recipient CD3 chimerism (3% -> 6% -> 11%) and MRD 0.32%; off immunosuppression since day +80")
ev(d(124), "dli", id="dli-2", donor="PBSC-1", cd3_per_kg=3.0e5, intent="preemptive",
   note="half-log escalation: MRD 0.11% and CD3 recipient 8% on day +110, no GVHD")

# ---------------------------------------------------------------------------
# Acute GVHD after DLI 2: skin from day +138, gut from day +148.
# ---------------------------------------------------------------------------
SKIN = [(138, 8), (139, 12), (140, 18), (141, 25), (142, 32), (143, 40), (144, 52),
        (145, 55), (146, 50), (147, 44), (148, 38), (149, 34), (150, 30), (152, 25),
        (154, 20), (156, 18), (158, 14), (160, 10), (163, 6), (166, 3), (170, 0)]
for day, bsa in SKIN:
    obs(d(day), "skin_rash_bsa", float(bsa), "%", attribution="gvhd")
ev(d(142), "biopsy", site="skin", result="positive", note="interface dermatitis with apoptotic keratinocytes")
STOOL = [(146, 350, 3), (147, 480, 4), (148, 650, 5), (149, 820, 6), (150, 1050, 7),
         (151, 1280, 8), (152, 1350, 9), (153, 1200, 8), (154, 1100, 7), (155, 1050, 7),
         (156, 980, 6), (157, 900, 6), (158, 780, 5), (160, 620, 4), (162, 480, 3),
         (164, 400, 3), (166, 300, 2), (168, 250, 2), (172, 200, 1), (176, 150, 1)]
for day, vol, episodes in STOOL:
    obs(d(day), "stool_volume", float(vol), "mL", attribution="gvhd")
    obs(d(day), "stool_episodes", episodes, attribution="gvhd")
# Organs assessed and not involved are recorded as such, so that GVHD is
# staged on complete data: no persistent upper-GI symptoms throughout, normal
# stool output before the gut flare, no rash after it cleared.
for day in range(136, 181):
    obs(d(day), "upper_gi_persistent", False)
for day in range(136, 146):
    obs(d(day), "stool_volume", float(150 + 10 * ((day * 7) % 5)), "mL")
    obs(d(day), "stool_episodes", 1 + day % 2)
for day in range(171, 181, 3):
    obs(d(day), "skin_rash_bsa", 0.0, "%")
ev(d(150), "biopsy", site="colon", result="positive", note="crypt apoptosis and crypt dropout; CMV immunohistochemistry negative")
ev(d(143), "drug", end=d(151), name="methylprednisolone", **{"class": "steroid"}, dose=1, dose_unit="mg/kg/d")
ev(d(152), "drug", end=d(165), name="methylprednisolone", **{"class": "steroid"}, dose=2, dose_unit="mg/kg/d", note="escalated for lower-GI involvement")
ev(d(166), "drug", end=d(230), name="prednisone", **{"class": "steroid"}, dose=1, dose_unit="mg/kg/d, tapered to stop by day +230")
ev(d(154), "drug", end=d(260), name="ruxolitinib", **{"class": "immunosuppressant"}, dose=10, dose_unit="mg/d")
ev(d(143), "drug", end=d(230), name="tacrolimus", **{"class": "immunosuppressant"}, dose=0.03, dose_unit="mg/kg/d (trough 5-10 ng/mL)")
for day, t in [(139, 38.2), (151, 38.3)]:
    obs(d(day), "temperature", t, "Cel", note="with GVHD flare")


course = {
    "format": "graftwatch-course/1",
    "illustrative": (
        "Illustrative reconstruction of the course published by Meng, Liu & Zeng, "
        "Front Immunol 2025;16:1598754 (doi:10.3389/fimmu.2025.1598754). The paper's "
        "day-by-day data are not available: every date, dose and value here is invented "
        "to be plausible and internally consistent (tools/seed-case/generate.py, "
        "docs/seed-case.md). Not real patient data; not for clinical use."
    ),
    "patient": patient,
    "donors": donors,
    "events": sorted(events, key=lambda e: e["date"]),
    "observations": sorted(observations, key=lambda o: o["date"]),
}


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "examples" / "seed-case" / "course.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(course, indent=1, ensure_ascii=False) + "\n"
    out.write_text(text, encoding="utf-8")
    n_tx = sum(1 for e in events if e["kind"] == "transfusion")
    print(f"wrote {out}: {len(events)} events ({n_tx} transfusions), {len(observations)} observations")


if __name__ == "__main__":
    main()
