#!/usr/bin/env python3
"""Joins two `mmcheck suite --json` files (mc and Relacy) into README's "Measured" table.

    build/mmcheck suite --json /tmp/mc.json
    build/mmcheck suite --engine relacy --json /tmp/relacy.json
    scripts/suite_table.py /tmp/mc.json /tmp/relacy.json
"""
import json
import sys


def outcomes(path):
    with open(path) as f:
        doc = json.load(f)
    return {(o["scenario"], o["variant"]): o for o in doc["outcomes"]}, sum(o["seconds"] for o in doc["outcomes"])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mc, mc_total = outcomes(sys.argv[1])
    relacy, relacy_total = outcomes(sys.argv[2])
    print("| scenario | variant | expected | mc DPOR: got | executions | time s | Relacy: got | executions | time s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key, m in mc.items():
        r = relacy.get(key)
        if r is None:
            sys.exit(f"{key} is in {sys.argv[1]} but not in {sys.argv[2]}")
        print(f"| {key[0]} | {key[1]} | {m['expected']} | {m['got']} | {m['executions']} | {m['seconds']:.3f} "
              f"| {r['got']} | {r['executions']} | {r['seconds']:.3f} |")
    print(f"\nrows: {len(mc)}; sum of run times: mc {mc_total:.1f} s, Relacy {relacy_total:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
