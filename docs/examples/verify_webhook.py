#!/usr/bin/env python3
"""Verify a partnerops webhook delivery (Standard Webhooks) with Python's
standard library only.

    WEBHOOK_SECRET=whsec_... python3 verify_webhook.py \
        "$WEBHOOK_ID" "$WEBHOOK_TIMESTAMP" "$WEBHOOK_SIGNATURE" < body.json
"""
import base64
import hashlib
import hmac
import os
import sys
import time

TOLERANCE_SECONDS = 5 * 60


def verify(secret: str, msg_id: str, timestamp: str, signatures: str, body: bytes) -> bool:
    """True when one of the v1 signatures is the HMAC-SHA256 of
    id.timestamp.body under the secret, and the timestamp is recent."""
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for signature in signatures.split():
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


if __name__ == "__main__":
    ok = verify(os.environ["WEBHOOK_SECRET"], sys.argv[1], sys.argv[2], sys.argv[3], sys.stdin.buffer.read())
    print("valid" if ok else "invalid")
    sys.exit(0 if ok else 1)
