#!/usr/bin/env python3
"""Deterministic inputs for `make bench` (issue "Speed"); written under .bench/, never committed.

usage: gen_inputs.py OUTDIR ROWS

  plan-ROWS.csv       ROWS plan rows: EIP-55 checksummed wallets (a pool of distinct ones),
                      chains 1/137/8453 by number or name, unique references, some quoted memos
  plan-300.csv        300 plan rows (topup at 50 ms latency)
  plan-200.csv        200 plan rows (topup under a 40/s rate limit)
  charges-ROWS.csv    ROWS charges made elsewhere, one per five-minute interval, 96% paid
  snapshots-ROWS.csv  ROWS readings five minutes apart (about ten years for 1,000,000);
                      total_credits rises by exactly the charge paid inside the interval
                      (plus, now and then, a card purchase), total_usage rises a little
  usage-snapshots-ROWS.csv  the same times and use on an account bought once up front
                      (the usage cases: attribution, without a purchase to match every five minutes)

The same arguments always give the same bytes: a fixed seed and no clock. Files that
already exist with the same name are kept (the name carries the row count).
"""
import os
import random
import sys
import time

from Crypto.Hash import keccak  # pycryptodome: keccak-256, which EIP-55 uses (not SHA3-256)

T0 = 1388534400  # 2014-01-01T00:00:00Z: a million readings five minutes apart end in 2023, none in the future
STEP = 300
CHAINS = ["1", "137", "8453", "ethereum", "polygon", "base"]


def checksummed(lower_hex):
    digest = keccak.new(digest_bits=256, data=lower_hex.encode()).hexdigest()
    return "0x" + "".join(c.upper() if c > "9" and digest[i] >= "8" else c for i, c in enumerate(lower_hex))


def wallet_pool(rng, count):
    pool = []
    for _ in range(count):
        pool.append(checksummed("%040x" % rng.getrandbits(160)))
    return pool


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def write(path, lines_iter):
    if os.path.exists(path):
        return
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as out:
        buf = []
        for line in lines_iter:
            buf.append(line)
            if len(buf) >= 10000:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
    os.replace(tmp, path)


def plan(rows, seed, pool):
    rng = random.Random(seed)
    yield "wallet,chain_id,amount,reference,memo\n"
    for i in range(rows):
        wallet = pool[rng.randrange(len(pool))]
        chain = CHAINS[rng.randrange(len(CHAINS))]
        cents = rng.randrange(100, 1_000_000)  # 1.00 .. 9999.99 USD
        amount = "%d.%02d" % (cents // 100, cents % 100) if cents % 100 else str(cents // 100)
        memo = '"Team %d, budget ""Q%d"""' % (i % 97, i % 4 + 1) if i % 10 == 0 else "budget %d" % (i % 997)
        yield "%s,%s,%s,bench-%07d,%s\n" % (wallet, chain, amount, i + 1, memo)


def charge_amount(j):
    rng = random.Random(j * 7919 + 17)
    return rng.randrange(1000, 50000)  # cents: 10.00 .. 499.99 USD


def is_paid(j):
    return (j * 2654435761) % 100 >= 4


def charges(rows, pool):
    rng = random.Random(3)
    yield "charge_id,amount,wallet,chain_id,created_at,expires_at,reference,status,paid_at,memo\n"
    for j in range(rows):
        created = T0 + STEP * j + 60
        cents = charge_amount(j)
        wallet = pool[rng.randrange(len(pool))]
        chain = CHAINS[rng.randrange(len(CHAINS))]
        if is_paid(j):
            status, paid = "paid", iso(created + 90)
        else:
            status, paid = "expired", ""
        yield "ch-%07d,%d.%02d,%s,%s,%s,%s,,%s,%s,web flow %d\n" % (
            j + 1, cents // 100, cents % 100, wallet, chain, iso(created), iso(created + 3600), status, paid, j % 89)


def snapshots(rows, charge_rows):
    rng = random.Random(5)
    credits = 100_000_000  # micro-USD
    usage = 0
    yield "observed_at,total_credits,total_usage\n"
    for i in range(rows):
        if i > 0:
            j = i - 1  # the charge created inside (t[i-1], t[i]] and paid there
            if j < charge_rows and is_paid(j):
                credits += charge_amount(j) * 10_000
            if i % 997 == 0:
                credits += 20_000_000  # a card purchase no charge explains
            usage += rng.randrange(0, 500_000)
        yield "%s,%d.%06d,%d.%06d\n" % (iso(T0 + STEP * i), credits // 1_000_000, credits % 1_000_000,
                                         usage // 1_000_000, usage % 1_000_000)


def usage_snapshots(rows):
    """The same readings' times and use, on an account bought once up front: the usage
    cases time attribution, not the matching of a purchase every five minutes."""
    rng = random.Random(5)
    credits = 10_000_000_000_000  # micro-USD: ten million dollars, bought before the first reading
    usage = 0
    yield "observed_at,total_credits,total_usage\n"
    for i in range(rows):
        if i > 0:
            usage += rng.randrange(0, 500_000)
        yield "%s,%d.%06d,%d.%06d\n" % (iso(T0 + STEP * i), credits // 1_000_000, credits % 1_000_000,
                                         usage // 1_000_000, usage % 1_000_000)


def main():
    out, rows = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    pool = wallet_pool(random.Random(1), min(100_000, max(rows // 10, 1000)))
    write(os.path.join(out, "plan-%d.csv" % rows), plan(rows, 11, pool))
    small = wallet_pool(random.Random(2), 1000)  # the small plans do not depend on ROWS
    write(os.path.join(out, "plan-300.csv"), plan(300, 12, small))
    write(os.path.join(out, "plan-200.csv"), plan(200, 13, small))
    write(os.path.join(out, "charges-%d.csv" % rows), charges(rows, pool))
    write(os.path.join(out, "snapshots-%d.csv" % rows), snapshots(rows, rows))
    write(os.path.join(out, "usage-snapshots-%d.csv" % rows), usage_snapshots(rows))


if __name__ == "__main__":
    main()
