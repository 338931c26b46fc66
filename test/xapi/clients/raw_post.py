#!/usr/bin/env python3
"""Posts a body read from stdin as text/xml, as a broken client would, and reads
the answer with Python's own XML-RPC parser: prints the fault it raises, or the
response, as JSON.

usage: raw_post.py URL < BODY"""
import json
import sys
import urllib.request
import xmlrpc.client

request = urllib.request.Request(sys.argv[1], data=sys.stdin.buffer.read(), headers={"Content-Type": "text/xml"})
with urllib.request.urlopen(request) as response:
    status, body = response.status, response.read()
try:
    print(json.dumps({"status": status, "response": xmlrpc.client.loads(body)[0]}))
except xmlrpc.client.Fault as fault:
    print(json.dumps({"status": status, "fault": {"code": fault.faultCode, "string": fault.faultString}}))
