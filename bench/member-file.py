#!/usr/bin/env python3
"""Writes a synthetic member file for the import benchmark:
    python3 bench/member-file.py ROWS > members.csv
Postcodes are real (Paris, Marseille, Lyon, Quimper, Rennes...); 1% of rows
are malformed so the report path is exercised too."""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
first = ["Camille", "Léa", "Manon", "Inès", "Lucas", "Hugo", "Karim", "Aïcha", "Éric", "Zoé"]
last = ["Martin", "Bernard", "Dubois", "Leroy", "Le Gall", "Benali", "Nguyen", "Lefèvre"]
postcodes = ["75011", "13001", "69003", "29000", "35000", "31000", "33000", "59000", "67000", "44000"]
rnd = random.Random(42)
out = sys.stdout
out.write("first_name,last_name,email,postcode,phone,tags\n")
for i in range(rows):
    bad = rnd.random() < 0.01
    email = f"member{i}@example.org" if not bad else f"member{i}-at-example.org"
    out.write(f"{rnd.choice(first)},{rnd.choice(last)},{email},{rnd.choice(postcodes)},06 {i % 100:02d} 12 34 56,militant|{rnd.choice(postcodes)[:2]}\n")
