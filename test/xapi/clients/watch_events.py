#!/usr/bin/env python3
"""The event loop of a XenAPI script: log in, take every PCI and PGPU with an
event.from from the empty token and say so on one line, then follow
event.from until the PGPU of ADDRESS reaches WANT; print what was seen as JSON.

usage: watch_events.py URL PASSWORD ADDRESS WANT"""
import json
import sys

import xenapi_shim as XenAPI

url, password, address, want = sys.argv[1:]
session = XenAPI.Session(url)
session.login_with_password("root", password, "2.21", "watch_events.py")
# `from` is a Python keyword: XenAPI scripts reach event.from by name.
event_from = getattr(session.xenapi.event, "from")
try:
    result = event_from(["pci", "pgpu"], "", 0.0)
    cache = {event["ref"]: event["snapshot"] for event in result["events"]}
    print(json.dumps({"ready": sorted(event["operation"] for event in result["events"])}), flush=True)
    pci = next(ref for ref, record in cache.items() if record.get("pci_id") == address)
    pgpu = next(ref for ref, record in cache.items() if record.get("PCI") == pci)
    seen = []
    while cache[pgpu]["dom0_access"] != want:
        result = event_from(["pci", "pgpu"], result["token"], 10.0)
        for event in result["events"]:
            seen.append([event["class"], event["operation"], event["ref"] == pgpu])
            cache[event["ref"]] = event["snapshot"]
    print(json.dumps({"seen": seen, "dom0_access": cache[pgpu]["dom0_access"], "counts": result["valid_ref_counts"]}))
finally:
    session.xenapi.session.logout()
