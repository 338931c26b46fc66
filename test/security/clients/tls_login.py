#!/usr/bin/env python3
"""Logs in to passthru's XAPI over HTTPS with Python's own xmlrpc.client and
lists the PCIs, trusting only CAFILE (the system's CAs when it is empty).
Prints {"ok": true, "value": [...]} or {"ok": false, "error": "..."}.

usage: tls_login.py URL CAFILE TOKEN"""
import json
import ssl
import sys
import xmlrpc.client

url, cafile, token = sys.argv[1:4]
context = ssl.create_default_context(cafile=cafile or None)
server = xmlrpc.client.ServerProxy(url, context=context)
try:
    session = server.session.login_with_password("root", token, "2.21", "tls-test")["Value"]
    print(json.dumps({"ok": True, "value": server.PCI.get_all(session)["Value"]}))
except ssl.SSLError as error:
    print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error.reason}"}))
