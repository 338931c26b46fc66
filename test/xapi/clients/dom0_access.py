#!/usr/bin/env python3
"""An operator's script for XAPI's PCI and PGPU classes, written as for the
XenAPI module: find a device by address, read, disable or enable its dom0
access, and report the PCI's status beside its PGPU's dom0_access.

usage: dom0_access.py URL PASSWORD PCI|PGPU get|disable|enable ADDRESS"""
import json
import sys

import xenapi_shim as XenAPI

url, password, cls, verb, address = sys.argv[1:]
session = XenAPI.Session(url)
session.login_with_password("root", password, "2.21", "dom0_access.py")
try:
    xapi = session.xenapi
    pci = next(ref for ref, record in xapi.PCI.get_all_records().items() if record["pci_id"] == address)
    pgpu = next((ref for ref, record in xapi.PGPU.get_all_records().items() if record["PCI"] == pci), None)
    if cls == "PGPU":
        act = {"get": xapi.PGPU.get_dom0_access, "disable": xapi.PGPU.disable_dom0_access, "enable": xapi.PGPU.enable_dom0_access}
        answer = act[verb](pgpu)
    else:
        act = {"get": xapi.PCI.get_dom0_access_status, "disable": xapi.PCI.disable_dom0_access, "enable": xapi.PCI.enable_dom0_access}
        answer = act[verb](pci)
    print(json.dumps({
        "api_version": session.API_version,
        "answer": answer,
        "pci": xapi.PCI.get_dom0_access_status(pci),
        "pgpu": xapi.PGPU.get_dom0_access(pgpu) if pgpu else None,
    }))
finally:
    session.xenapi.session.logout()
