#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the captured upstream traffic in tests/fixtures/upstream/.

Run from the repository root when the captures change: python3 fuzz/extract_corpus.py
Each seed is one file named after its capture; the corpus stays small (a few KiB per target)
and is committed. New entries found while fuzzing go to build-fuzz/, never here.
"""
import base64
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "upstream")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

# Which captured bodies feed which decoder (by file name prefix).
BODIES = {
    "active_jobs": ["jobs_active_GET"],
    "results": ["results_GET"],
    "system_status": ["system_status_GET"],
    "generate_response": ["generate_POST"],
    "queue_response": ["queue_generation_POST"],
    "cancel_response": ["cancel_POST"],
    "job_detail": ["job_GET"],
    "error_message": ["auth_403", "cancel_POST_400", "cancel_POST_404", "generate_POST_422", "result_DELETE_404",
                      "results_GET_422", "unknown_route_404"],
}


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    if os.path.isdir(CORPUS):
        # Regression seeds (inputs that once failed a target) are kept; the rest is regenerated.
        for target in os.listdir(CORPUS):
            folder = os.path.join(CORPUS, target)
            for name in os.listdir(folder):
                if not name.startswith("regress_"):
                    os.remove(os.path.join(folder, name))
    captures = {}
    for name in sorted(os.listdir(FIXTURES)):
        if name.endswith(".json"):
            with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
                captures[name[:-5]] = json.load(f)

    for target, prefixes in BODIES.items():
        for stem, capture in captures.items():
            if any(stem.startswith(p) for p in prefixes) and capture.get("body") is not None:
                body = compact(capture["body"])
                if target == "error_message":
                    # byte 0: status (400 + b % 200), byte 1: status-text length, then text and body
                    status = capture.get("http_status", 500)
                    body = bytes([(status - 400) % 200, 0]) + body
                write(target, stem, body)

    timestamps, images = set(), []
    for stem, capture in captures.items():
        text = json.dumps(capture)
        timestamps.update(re.findall(r"\d{4}-\d\d-\d\dT[0-9:.]+(?:[+-]\d\d:\d\d|Z)?", text))
        for m in re.finditer(r'"(?:data:image/[a-z]+;base64,)?(iVBOR[A-Za-z0-9+/=]+|/9j/[A-Za-z0-9+/=]+)"', text):
            images.append(m.group(0).strip('"'))
        if stem.startswith("ws_"):
            for i, message in enumerate(capture.get("messages", [])):
                if message.get("dir") == "in":
                    write("ws_message", f"{stem}_{i:03d}", compact(message["msg"]))

    for i, t in enumerate(sorted(timestamps)):
        write("timestamp", f"ts_{i:03d}", t.encode())
    for t in ["2026-11-26T07:06:38", "2026-11-26T07:06:38.818771+00:00", "2026-11-26 07:06:38Z", "1970-01-01T00:00:00"]:
        write("timestamp", "hand_" + re.sub(r"[^0-9A-Za-z]", "_", t), t.encode())

    for i, text in enumerate(sorted(set(images))[:8]):
        write("base64", f"image_{i:02d}", text.encode())
        raw = text.split(",", 1)[1] if text.startswith("data:") else text
        write("image", f"image_{i:02d}", base64.b64decode(raw + "=" * (-len(raw) % 4)))
    # 1x1 GIF and 2x1 BMP, so the fuzzer starts inside stb's other decoders too.
    write("image", "gif_1x1", base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"))
    bmp_pixels = b"\x00\x00\xff\xff\x00\x00\x00\x00"
    bmp = (b"BM" + (54 + len(bmp_pixels)).to_bytes(4, "little") + b"\0\0\0\0" + (54).to_bytes(4, "little") +
           (40).to_bytes(4, "little") + (2).to_bytes(4, "little") + (1).to_bytes(4, "little") + (1).to_bytes(2, "little") +
           (24).to_bytes(2, "little") + b"\0" * 24 + bmp_pixels)
    write("image", "bmp_2x1", bmp)
    write("base64", "data_url", b"data:image/png;base64,iVBORw0KGgo=")
    write("base64", "whitespace", b"aGVs\nbG8g d29y bGQ=")

    for i, url in enumerate([
        "http://127.0.0.1:8000/api/v1", "https://example.com/v1/", "http://[::1]:8000/api/v1",
        "http://localhost/api/v1///", "ws://127.0.0.1:8000/api/v1/ws/progress", "wss://h:443/x?y=1",
        "http://user:pw@h/x", "ftp://h/x", "127.0.0.1:8000/api/v1", "HTTP://H:65535/A%20b",
    ]):
        write("url", f"url_{i:02d}", url.encode())


if __name__ == "__main__":
    main()
