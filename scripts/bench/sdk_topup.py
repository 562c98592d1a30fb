#!/usr/bin/env python3
"""The reference for the topup benchmark: the official OpenRouter Python SDK (0.6.0)
calling create_coinbase_charge once per plan row, one after another, as a script
written against the SDK would. usage: sdk_topup.py BASE_URL PLAN.csv KEY
Prints the number of charges created."""
import csv
import sys

from openrouter import OpenRouter

CHAINS = {"ethereum": 1, "polygon": 137, "base": 8453}

base, plan, key = sys.argv[1], sys.argv[2], sys.argv[3]
client = OpenRouter(api_key=key, server_url=base)
created = 0
with open(plan, newline="") as handle:
    for row in csv.DictReader(handle):
        chain = row["chain_id"]
        chain_id = CHAINS.get(chain) or int(chain)
        charge = client.credits.create_coinbase_charge(
            security={"bearer": key}, amount=float(row["amount"]), sender=row["wallet"], chain_id=chain_id)
        if charge.data.id:
            created += 1
print(created)
