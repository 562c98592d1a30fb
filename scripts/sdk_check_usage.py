"""Checks that the official OpenRouter Python SDK (1.3.84) works against openrouter-sim unchanged
for the calls credit-recon's fetch makes: credits, the current key, the account's keys and the activity.

Usage: sdk_check_usage.py BASE_URL   (e.g. http://127.0.0.1:PORT/api/v1; the simulator must run
with --keys-page 2 and a fresh state)

Run by scripts/sdk-check.sh, which creates the virtual environment and starts the simulator.
Every answer must pass the SDK's own validation (pydantic models, strict about required fields).
Exits 0 when every check passes, 1 otherwise, printing one line per check.
"""
import openrouter
from openrouter import OpenRouter, components, errors, operations

from sdk_check_common import BASE, MANAGEMENT_KEY, admin, check, expect_error, finish

print(f"openrouter SDK {openrouter._version.__version__} against {BASE}")

# A small account: four keys, use on three models over two days, one key disabled, one deleted.
admin("/_sim/clock", {"now": "2026-11-10T09:00:00Z"})
ci = admin("/_sim/keys", {"name": "ci", "limit": "50"})
batch = admin("/_sim/keys", {"name": "batch"})
old = admin("/_sim/keys", {"name": "old"})
gone = admin("/_sim/keys", {"name": "gone"})
admin("/_sim/usage", {"amount": "1.25", "key": ci["hash"], "model": "openai/gpt-4o", "prompt_tokens": 1200,
                      "completion_tokens": 300})
admin("/_sim/usage", {"amount": "0.5", "key": batch["hash"], "model": "anthropic/claude-sonnet-4", "provider": "Anthropic"})
admin("/_sim/usage", {"amount": "2", "key": gone["hash"], "model": "openai/gpt-4o"})
admin("/_sim/clock", {"now": "2026-11-11T09:00:00Z"})
admin("/_sim/usage", {"amount": "3.75", "key": ci["hash"], "model": "openai/gpt-4o", "requests": 3})
admin("/_sim/usage", {"amount": "0.25", "model": "openai/gpt-4o-mini"})  # chat in the browser: on no key
admin(f"/_sim/keys/{old['hash']}/disable")
admin(f"/_sim/keys/{gone['hash']}", method="DELETE")
admin("/_sim/clock", {"now": "2026-11-12T06:00:00Z"})

client = OpenRouter(api_key=MANAGEMENT_KEY, server_url=BASE)

credits = client.credits.get_credits()
check("credits.get_credits returns a validated GetCreditsResponse",
      isinstance(credits, operations.GetCreditsResponse)
      and credits.data.total_credits == 1234.567891 and credits.data.total_usage == 1007.750009,
      f"total_credits={credits.data.total_credits} total_usage={credits.data.total_usage}")

current = client.api_keys.get_current_key_metadata()
check("api_keys.get_current_key_metadata returns a validated GetCurrentKeyResponse for the management key",
      isinstance(current, operations.GetCurrentKeyResponse) and current.data.is_management_key is True,
      f"is_management_key={current.data.is_management_key} label={current.data.label}")

ordinary = OpenRouter(api_key=ci["key"], server_url=BASE).api_keys.get_current_key_metadata()
check("api_keys.get_current_key_metadata says an ordinary key is no management key",
      ordinary.data.is_management_key is False and ordinary.data.usage == 5.0 and ordinary.data.limit == 50.0
      and ordinary.data.limit_remaining == 45.0 and ordinary.data.effective_budget is not None,
      f"is_management_key={ordinary.data.is_management_key} usage={ordinary.data.usage} "
      f"limit={ordinary.data.limit} limit_remaining={ordinary.data.limit_remaining}")

pages = []
offset = 0
while True:
    page = client.api_keys.list(include_disabled=True, offset=offset)
    if not isinstance(page, operations.ListResponse):
        break
    pages.append(page)
    if not page.data:
        break
    offset += len(page.data)
keys = [key for page in pages for key in page.data]
check("api_keys.list(include_disabled=True) pages by offset until an empty page, validated ListResponses",
      [len(page.data) for page in pages] == [2, 1, 0]
      and [(key.name, key.disabled, key.usage) for key in keys] == [("ci", False, 5.0), ("batch", False, 0.5), ("old", True, 0.0)],
      f"pages {[len(page.data) for page in pages]}: " + ", ".join(f"{k.name} disabled={k.disabled} usage={k.usage}" for k in keys))
enabled = client.api_keys.list()
check("api_keys.list() leaves the disabled key out", [key.name for key in enabled.data] == ["ci", "batch"],
      f"{[key.name for key in enabled.data]}")

window = client.analytics.get_user_activity()
rows = [(row.date_, row.model, row.usage, row.requests) for row in window.data]
check("analytics.get_user_activity() returns a validated ActivityResponse for the window",
      isinstance(window, components.ActivityResponse)
      and rows == [("2026-11-10", "anthropic/claude-sonnet-4", 0.5, 1), ("2026-11-10", "openai/gpt-4o", 3.25, 2),
                   ("2026-11-11", "openai/gpt-4o", 3.75, 3), ("2026-11-11", "openai/gpt-4o-mini", 0.25, 1)],
      f"{len(rows)} rows, usage {sum(row[2] for row in rows)}")

day = client.analytics.get_user_activity(request=operations.GetUserActivityRequest(date_="2026-11-10"))
check("analytics.get_user_activity(date=2026-11-10) returns that day's rows",
      [(row.date_, row.model, row.usage, row.prompt_tokens) for row in day.data]
      == [("2026-11-10", "anthropic/claude-sonnet-4", 0.5, 0), ("2026-11-10", "openai/gpt-4o", 3.25, 1200)],
      f"{len(day.data)} rows, usage {sum(row.usage for row in day.data)}")

deleted = client.analytics.get_user_activity(request={"api_key_hash": gone["hash"]})
check("analytics.get_user_activity(api_key_hash=<deleted key>) keeps its past use",
      [(row.date_, row.usage) for row in deleted.data] == [("2026-11-10", 2.0)], f"{len(deleted.data)} rows")

expect_error("a date outside the 30-day window raises BadRequestResponseError", errors.BadRequestResponseError,
             lambda: client.analytics.get_user_activity(request=operations.GetUserActivityRequest(date_="2026-11-12")), 400)
ordinary_client = OpenRouter(api_key=ci["key"], server_url=BASE)
expect_error("an ordinary key listing keys raises UnauthorizedResponseError", errors.UnauthorizedResponseError,
             lambda: ordinary_client.api_keys.list(), 401)
expect_error("an ordinary key reading activity raises ForbiddenResponseError", errors.ForbiddenResponseError,
             lambda: ordinary_client.analytics.get_user_activity(), 403)

wrong = OpenRouter(api_key="sk-or-v1-wrong", server_url=BASE)
for name, call in [
    ("credits.get_credits", lambda: wrong.credits.get_credits()),
    ("api_keys.get_current_key_metadata", lambda: wrong.api_keys.get_current_key_metadata()),
    ("api_keys.list", lambda: wrong.api_keys.list(include_disabled=True)),
    ("analytics.get_user_activity", lambda: wrong.analytics.get_user_activity()),
]:
    expect_error(f"a wrong key raises UnauthorizedResponseError ({name})", errors.UnauthorizedResponseError, call, 401)

finish("SDK 1.3.84")
