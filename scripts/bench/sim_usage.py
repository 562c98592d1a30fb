#!/usr/bin/env python3
"""Fills a running openrouter-sim with a month of key use for `make bench` (issue 18).

usage: sim_usage.py SIM_ROOT KEYS DAYS

  SIM_ROOT  e.g. http://127.0.0.1:40123 (the admin routes are under /_sim/)
  KEYS      keys created with POST /_sim/keys (every tenth with a limit of 1000 USD)
  DAYS      days of use, from 2026-10-01: each day at 12:00 a tenth of the keys (in turn, so
            each spends on three or four days) spend on one of four models, and two uses on no
            key (chat in the browser) land on a model; one key is disabled half-way through
            (still listed)

Leaves the simulator's clock at 06:00 after the last day and prints that time, for
CREDIT_RECON_NOW (a fetch within minutes of midnight UTC also asks for the day before the
window's oldest, one request more than the bench's count). Amounts are decimal text made from whole micro-USD: no floating point.
The same arguments always make the same use. Admin routes have no latency, and one
keep-alive connection carries them all. (Every POST /_sim/usage answers the whole state,
use included, so a use per key per day would make the setup quadratic: minutes, not
seconds. What fetch reads does not grow with the number of uses: the /keys pages hold the
keys, and a day's activity has a row per model and provider.)
"""
import datetime
import http.client
import json
import sys
import urllib.parse

MODELS = [("anthropic/claude-sonnet-4.5", "Anthropic"), ("openai/gpt-4o", "OpenAI"),
          ("google/gemini-2.5-flash", "Google Vertex"), ("meta-llama/llama-3.3-70b-instruct", "Together")]
START = datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc)


def usd(micros):
    return "%d.%06d" % (micros // 1_000_000, micros % 1_000_000)


def main():
    root, keys, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    url = urllib.parse.urlsplit(root)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def post(path, body):
        conn.request("POST", "/_sim/" + path, json.dumps(body), {"content-type": "application/json"})
        answer = conn.getresponse()
        text = answer.read()
        if answer.status != 200:
            sys.exit("sim_usage: POST /_sim/%s %s: %d %s" % (path, json.dumps(body), answer.status, text[:300]))
        return json.loads(text)

    def clock(moment):
        text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        post("clock", {"now": text})
        return text

    clock(START)
    hashes = []
    for k in range(keys):
        body = {"name": "bench-key-%03d" % k}
        if k % 10 == 3:
            body["limit"] = "1000"
        hashes.append(post("keys", body)["hash"])
    disabled = keys - 1
    for day in range(days):
        clock(START + datetime.timedelta(days=day, hours=12))
        if day == days // 2:
            post("keys/%s/disable" % hashes[disabled], {})
        for k, key in enumerate(hashes):
            if (k + day) % 10 != 0 or (k == disabled and day >= days // 2):
                continue
            model, provider = MODELS[(k // 10 + day) % len(MODELS)]
            micros = 10_000 + (k * 7919 + day * 104_729) % 490_000  # 0.01 .. 0.50 USD
            post("usage", {"amount": usd(micros), "key": key, "model": model, "provider": provider,
                           "requests": 1 + micros // 20_000})
        for n in range(2):
            model, provider = MODELS[(day + n) % len(MODELS)]
            post("usage", {"amount": usd(250_000 + day * 1_000 + n), "model": model, "provider": provider})
    print(clock(START + datetime.timedelta(days=days, hours=6)))


if __name__ == "__main__":
    main()
