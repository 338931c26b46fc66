#!/usr/bin/env python3
"""Runs XAPI calls through Python's own XML-RPC client and prints every answer
as JSON: the struct the server sent, {"fault": ...} for an XML-RPC fault,
{"http_status": ...} for an HTTP error.

usage: calls.py URL < [[METHOD, PARAM...], ...]
A parameter "$session" is the session of the last successful login; "$host",
"$pool", "$PCI:ADDRESS" and "$PGPU:ADDRESS" are looked up with that session."""
import json
import sys
import xmlrpc.client

server = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True)
session = None


def value(answer):
    assert answer["Status"] == "Success", answer
    return answer["Value"]


def pci_ref(address):
    records = value(server.PCI.get_all_records(session))
    return next(ref for ref, record in records.items() if record["pci_id"] == address)


def resolve(param):
    if not isinstance(param, str) or not param.startswith("$"):
        return param
    if param == "$session":
        return session
    if param == "$host":
        return value(server.host.get_all(session))[0]
    if param == "$pool":
        return value(server.pool.get_all(session))[0]
    cls, _, address = param[1:].partition(":")
    if cls == "PCI":
        return pci_ref(address)
    pgpus = value(server.PGPU.get_all_records(session))
    return next(ref for ref, record in pgpus.items() if record["PCI"] == pci_ref(address))


answers = []
for method, *params in json.load(sys.stdin):
    try:
        answer = getattr(server, method)(*[resolve(param) for param in params])
        if method == "session.login_with_password" and answer["Status"] == "Success":
            session = answer["Value"]
    except xmlrpc.client.Fault as fault:
        answer = {"fault": {"code": fault.faultCode, "string": fault.faultString}}
    except xmlrpc.client.ProtocolError as error:
        answer = {"http_status": error.errcode}
    answers.append(answer)
print(json.dumps(answers))
