"""Checks that the official OpenRouter Python SDK (0.6.0) works against openrouter-sim unchanged
for credits and Coinbase charges (SDK 1.3.84 and the usage calls: sdk_check_usage.py).

Usage: sdk_check.py BASE_URL   (e.g. http://127.0.0.1:PORT/api/v1)

Run by scripts/sdk-check.sh, which creates the virtual environment and starts the
simulator. Exits 0 when every check passes, 1 otherwise, printing one line per check.
"""
import openrouter
from openrouter import OpenRouter, errors, operations

from sdk_check_common import BASE, MANAGEMENT_KEY, admin, check, expect_error, finish

WALLET = "0x52908400098527886E0F7030069857D2E4169EE7"

print(f"openrouter SDK {openrouter._version.__version__} against {BASE}")
client = OpenRouter(api_key=MANAGEMENT_KEY, server_url=BASE)

credits = client.credits.get_credits()
check("get_credits returns a validated GetCreditsResponse",
      isinstance(credits, operations.GetCreditsResponse)
      and credits.data.total_credits == 1234.567891 and credits.data.total_usage == 1000.000009,
      f"total_credits={credits.data.total_credits} total_usage={credits.data.total_usage}")

charge = client.credits.create_coinbase_charge(
    security={"bearer": MANAGEMENT_KEY}, amount=12.5, sender=WALLET, chain_id=8453)
intent = charge.data.web3_data.transfer_intent
check("create_coinbase_charge returns a validated CreateCoinbaseChargeResponse",
      isinstance(charge, operations.CreateCoinbaseChargeResponse)
      and charge.data.id and intent.metadata.chain_id == 8453 and intent.call_data.recipient_amount == "12500000",
      f"id={charge.data.id} expires_at={charge.data.expires_at} chain_id={intent.metadata.chain_id}")

expect_error("a bad sender raises BadRequestResponseError", errors.BadRequestResponseError,
             lambda: client.credits.create_coinbase_charge(
                 security={"bearer": MANAGEMENT_KEY}, amount=5, sender="0x1234", chain_id=8453), 400)

wrong = OpenRouter(api_key="sk-or-v1-wrong", server_url=BASE)
expect_error("a wrong key raises UnauthorizedResponseError (get_credits)", errors.UnauthorizedResponseError,
             lambda: wrong.credits.get_credits(), 401)
expect_error("a wrong key raises UnauthorizedResponseError (create_coinbase_charge)", errors.UnauthorizedResponseError,
             lambda: wrong.credits.create_coinbase_charge(
                 security={"bearer": "sk-or-v1-wrong"}, amount=5, sender=WALLET, chain_id=1), 401)

admin("/_sim/faults", {"rate_limit": 2})
def burst():
    for _ in range(10):
        client.credits.create_coinbase_charge(
            security={"bearer": MANAGEMENT_KEY}, amount=1, sender=WALLET, chain_id=137)
expect_error("a burst over the rate limit raises TooManyRequestsResponseError", errors.TooManyRequestsResponseError,
             burst, 429)
admin("/_sim/faults", {"rate_limit": None, "coinbase": "gone"})

expect_error("gone mode answers 410", errors.OpenRouterError,
             lambda: client.credits.create_coinbase_charge(
                 security={"bearer": MANAGEMENT_KEY}, amount=5, sender=WALLET, chain_id=8453), 410)

finish("SDK")
