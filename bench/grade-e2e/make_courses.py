"""Writes the 1-million-observation courses of the grade end-to-end benchmark.

The seed case's 2,500 observations copied 400 times (chimerism sample ids
made unique per copy; copy k's rows timed k minutes after midnight, so
that no row repeats another: since stop 40 an observation equal to an
earlier one in every field is an "entered twice?" warning, and a JSON file
with any warning is read again whole to give its line), as JSON (`json.dump(indent=1)`) and as long CSV,
each once in the generator's order (copies one after the other, so not in
date order) and once sorted by date (stable), as a course file is usually
written.

Usage: python3 make_courses.py OUT_DIR [COPIES]
Writes OUT_DIR/seed400-{unordered,sorted}.{json,csv}.
"""
import csv
import json
import sys

out = sys.argv[1]
copies = int(sys.argv[2]) if len(sys.argv) > 2 else 400

c = json.load(open('examples/seed-case/course.json'))
obs = c['observations']
big = []
for k in range(copies):
    for o in obs:
        o2 = dict(o)
        if 'sample' in o2:
            o2['sample'] = f"{o2['sample']}-{k}"
        o2['time'] = f"{k // 60:02d}:{k % 60:02d}"
        big.append(o2)
for order, rows in (('unordered', big), ('sorted', sorted(big, key=lambda o: (o['date'], o.get('time', ''))))):
    c['observations'] = rows
    with open(f'{out}/seed400-{order}.json', 'w') as f:
        json.dump(c, f, indent=1)

with open('examples/seed-case/course.csv', newline='') as f:
    rows = list(csv.reader(f))
header = rows[0]
rec, sample, date, time = (header.index(n) for n in ('record', 'sample', 'date', 'time'))
head = [r for r in rows[1:] if r[rec] != 'observation']
orows = [r for r in rows[1:] if r[rec] == 'observation']
bigrows = []
for k in range(copies):
    for r in orows:
        r2 = list(r)
        if r2[sample]:
            r2[sample] = f"{r2[sample]}-{k}"
        r2[time] = f"{k // 60:02d}:{k % 60:02d}"
        bigrows.append(r2)
for order, body in (('unordered', bigrows), ('sorted', sorted(bigrows, key=lambda r: (r[date], r[time])))):
    with open(f'{out}/seed400-{order}.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(head)
        w.writerows(body)
