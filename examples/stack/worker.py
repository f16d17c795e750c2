"""Posts a job to the API every two seconds and reports the running total."""
import json
import os
import time
import urllib.request

api = os.environ.get("API_URL", "http://127.0.0.1:18080")
print(f"worker started, using {api}", flush=True)
while True:
    try:
        request = urllib.request.Request(f"{api}/jobs", method="POST")
        with urllib.request.urlopen(request, timeout=2) as r:
            recorded_by = json.load(r)["recorded_by"]
        with urllib.request.urlopen(f"{api}/jobs", timeout=2) as r:
            print(f"job recorded by {recorded_by}; jobs so far: {json.load(r)['jobs']}", flush=True)
    except Exception as e:  # noqa: BLE001 - a demo worker reports and carries on
        print(f"api not reachable: {e}", flush=True)
    time.sleep(2)
