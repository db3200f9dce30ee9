"""The article's question, answered from the analysts' views.

"Is there more going on in Marseille or in Quimper?" — in absolute numbers
and per 10,000 inhabitants — then events per 10,000 inhabitants by
department, and the membership curve since launch. Runs with an analyst's
login (``cortege grant-analyst-login``), which reads the ``analytics``
views and nothing else:

    pip install pandas sqlalchemy 'psycopg[binary]' matplotlib
    ANALYTICS_URL=postgresql+psycopg://alice:PASSWORD@127.0.0.1:5433/cortege \
        python docs/analysts.py [OUT_DIR]

The test command runs it against seeded data, so it cannot rot: it exits
non-zero when a figure is missing or inconsistent.
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: charts are written as PNG files
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

MARSEILLE, QUIMPER = "13055", "29232"


def read(engine, sql, **params):
    with engine.connect() as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


def main() -> int:
    engine = create_engine(os.environ["ANALYTICS_URL"])
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)

    # Inhabitants per city and department (INSEE); arrondissements are
    # counted in their city's own row.
    communes = read(engine, "SELECT code, name, department_code, department_name, parent_code, population "
                            "FROM analytics.communes")
    cities = communes[communes.parent_code.isna()]

    # 1. Marseille or Quimper? Counted events, by city (arrondissements
    #    rolled up), absolute and per 10,000 inhabitants.
    events = read(engine, """
        SELECT commune_code, department_code, kind, day
        FROM analytics.events WHERE NOT cancelled AND NOT removed""")
    two = (events[events.commune_code.isin([MARSEILLE, QUIMPER])]
           .groupby("commune_code").size().rename("events").reset_index()
           .merge(cities[["code", "name", "population"]], left_on="commune_code", right_on="code"))
    two["per_10k"] = two.events * 10_000 / two.population
    print("Marseille or Quimper?")
    print(two[["name", "events", "population", "per_10k"]].to_string(index=False))
    if set(two.commune_code) != {MARSEILLE, QUIMPER}:
        print("both cities should have events in the seeded data", file=sys.stderr)
        return 1
    more = two.sort_values("per_10k", ascending=False).iloc[0]["name"]
    print(f"Per inhabitant, more happens in {more}.\n")

    # 2. Events per 10,000 inhabitants by department.
    population = cities.groupby(["department_code", "department_name"]).population.sum().reset_index()
    by_department = (events.groupby("department_code").size().rename("events").reset_index()
                     .merge(population, on="department_code"))
    by_department["per_10k"] = by_department.events * 10_000 / by_department.population
    by_department = by_department.sort_values("per_10k", ascending=False)
    print("Events per 10,000 inhabitants, top departments:")
    print(by_department.head(10)[["department_code", "department_name", "events", "per_10k"]]
          .to_string(index=False))
    if by_department.events.sum() != len(events[events.department_code.isin(population.department_code)]):
        print("department totals do not add up", file=sys.stderr)
        return 1
    top = by_department.head(25)
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.barh(top.department_name[::-1], top.per_10k[::-1], color="#b3173b")
    ax.set_xlabel("events per 10,000 inhabitants")
    ax.set_title("Where the movement is alive")
    fig.tight_layout()
    fig.savefig(out / "analysts-departments.png", dpi=80)

    # 3. Membership since launch, from the daily snapshots (departments
    #    whose count is under the small-cell threshold read NULL and are
    #    left out of the sum).
    snapshots = read(engine, """
        SELECT day, sum(members) AS members, sum(new_members) AS new_members
        FROM analytics.member_snapshots GROUP BY day ORDER BY day""")
    if snapshots.empty:
        print("no membership snapshots: run cortege snapshot-stats", file=sys.stderr)
        return 1
    snapshots["day"] = pd.to_datetime(snapshots.day)
    monthly = snapshots.set_index("day").members.resample("MS").last()
    print("\nMembers at the end of each month (last 6):")
    print(monthly.tail(6).to_string())
    if monthly.iloc[-1] <= monthly.iloc[0]:
        print("the seeded movement should have grown since launch", file=sys.stderr)
        return 1
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(snapshots.day, snapshots.members, color="#b3173b")
    ax.set_ylabel("members")
    ax.set_title("Membership since launch")
    fig.tight_layout()
    fig.savefig(out / "analysts-members.png", dpi=80)
    print(f"\ncharts written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
