"""What sdk_check.py (SDK 0.6.0) and sdk_check_usage.py (SDK 1.3.84) share: the simulator's
address from the command line, one printed line per check, the simulator's admin routes,
and the closing verdict."""
import json
import sys
import urllib.request

BASE = sys.argv[1].rstrip("/")
ROOT = BASE.rsplit("/api/v1", 1)[0]
MANAGEMENT_KEY = "sim-management-key"
failures = []


def check(name, condition, detail=""):
    print(("ok    " if condition else "FAIL  ") + name + (f" ({detail})" if detail else ""))
    if not condition:
        failures.append(name)


def admin(path, body=None, method="POST"):
    """Calls an admin route of the simulator (`/_sim/...`) and returns its JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        ROOT + path, data=data, headers={"Content-Type": "application/json"}, method=method)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def expect_error(name, error_type, call, status=None):
    """`call` must raise the SDK's `error_type` (with HTTP `status`, when given)."""
    try:
        call()
    except error_type as error:
        ok = status is None or error.status_code == status
        check(name, ok, f"{type(error).__name__} status {error.status_code}: {error.message[:90]}")
        return
    except Exception as error:  # noqa: BLE001 - report whatever the SDK raised
        check(name, False, f"raised {type(error).__name__}: {error}")
        return
    check(name, False, "no error raised")


def finish(what):
    """Exits 1 when a check failed, else says that every check of `what` passed."""
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print(f"all {what} checks passed")
