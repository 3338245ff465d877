"""Summarises bench/allomix/run.sh output: accuracy vs truth and time per sample."""
import csv, json, os, sys

work, n = sys.argv[1], int(sys.argv[2])


def truth(d):
    rows = list(csv.reader(open(os.path.join(d, "truth.tsv")), delimiter="\t"))
    return {r[0]: [float(x) * 100 for x in r[1:]] for r in rows[1:]}


def allomix(d):
    out = {}
    header = None
    for line in open(os.path.join(d, "allomix.tsv")):
        f = line.rstrip("\n").split("\t")
        if f[0] == "sample":
            header = f
            continue
        r = dict(zip(header, f))
        host = r.get("host_pct")
        if host is None:  # one-donor output has donor_pct only
            d = r.get("donor_pct", "NA")
            host = "NA" if d in ("NA", "") else str(100.0 - float(d))
        out[r["sample"]] = {"recipient": float(host) if host not in ("NA", "") else None, "flagged": r.get("qc_status", "") != "PASS", "lod": r.get("lod_pct", "NA")}
    return out


def graftwatch(d):
    out = {}
    for r in csv.DictReader(open(os.path.join(d, "graftwatch.tsv")), delimiter="\t"):
        if r["person"] == "recipient":
            out[r["sample"]] = {"recipient": float(r["percent"]), "lod": r["lod"], "flagged": any(c in r["flags"] for c in ("NGS-FIT", "NGS-ID"))}
    return out


def times(d, tool):
    e, u, s = (float(x) for x in open(os.path.join(d, f"{tool}.time")).read().split())
    return e, u + s


def hf(d, tool):
    p = os.path.join(d, f"hf-{tool}.json")
    if not os.path.exists(p):
        return None
    return json.load(open(p))["results"][0]["mean"]


print(f"| donors | tool | samples | wall s/sample | CPU s/sample | single-sample run (s) | recipient MAE (points), all | MAE, truth < 5% | MAE, truth >= 5% | failed/NA | samples flagged (clean data) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
summary = {}
for D in (1, 2):
    d = os.path.join(work, f"d{D}")
    t = truth(d)
    for tool, res in (("allomix 0.4.2", allomix(d)), ("graftwatch", graftwatch(d))):
        key = "allomix" if tool.startswith("allomix") else "graftwatch"
        errs, lo, hi, na = [], [], [], 0
        flagged = sum(1 for v in res.values() if v.get("flagged"))
        for s, tr in t.items():
            est = res.get(s, {}).get("recipient")
            if est is None:
                na += 1
                continue
            e = abs(est - tr[0])
            errs.append(e)
            (lo if tr[0] < 5 else hi).append(e)
        mean = lambda x: sum(x) / len(x) if x else float("nan")
        wall, cpu = times(d, key)
        single = hf(d, key)
        summary[(D, key)] = (wall / n, cpu / n, single, mean(errs), mean(lo), mean(hi))
        print(f"| {D} | {tool} | {n} | {wall / n:.4f} | {cpu / n:.4f} | {single if single is None else f'{single:.3f}'} | {mean(errs):.3f} | {mean(lo):.3f} | {mean(hi):.3f} | {na} | {flagged}/{len(res)} |")
print()
for D in (1, 2):
    a, g = summary[(D, "allomix")], summary[(D, "graftwatch")]
    sp = a[0] / g[0] if g[0] > 0 else float("inf")
    spc = a[1] / g[1] if g[1] > 0 else float("inf")
    sps = (a[2] / g[2]) if (a[2] and g[2]) else None
    print(f"- {D} donor(s): graftwatch is {sp:.0f}x faster per sample (wall), {spc:.0f}x (CPU)" + (f", {sps:.0f}x for a single-sample invocation" if sps else "") + f"; recipient MAE ratio allomix/graftwatch = {a[3] / g[3]:.2f}")
