"""Makes docs/images/serve.png: the page of `ogan serve` after picking two samples and uploading two images.

    ./ogan serve -c runs --port 8080 &
    scripts/debian13.sh run python3 docs/images/serve-screenshot.py http://127.0.0.1:8080/ docs/images/serve.png IMAGE...

Drives headless chromium through the DevTools protocol with the standard library only (a minimal WebSocket
client), as the browser test does in C#.
"""
import base64
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class Socket:
    def __init__(self, url):
        host, port, path = re.match(r"ws://([^:/]+):(\d+)(/.*)", url).groups()
        self.s = socket.create_connection((host, int(port)))
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.s.recv(1)
        self.id = 0

    def _read(self, n):
        data = b""
        while len(data) < n:
            data += self.s.recv(n - len(data))
        return data

    def _send(self, text):
        payload, mask = text.encode(), os.urandom(4)
        n = len(payload)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.s.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            n = struct.unpack(">H", self._read(2))[0] if n == 126 else struct.unpack(">Q", self._read(8))[0] if n == 127 else n
            message += self._read(n)
            if first & 0x80:
                return json.loads(message)

    def call(self, method, **params):
        self.id += 1
        self._send(json.dumps({"id": self.id, "method": method, "params": params}))
        while True:
            reply = self._receive()
            if reply.get("id") == self.id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)["result"].get("value")

    def wait(self, expression, seconds=60):
        end = time.time() + seconds
        while not self.evaluate(f"!!({expression})"):
            if time.time() > end:
                raise TimeoutError(expression)
            time.sleep(0.2)


def main(url, output, images):
    profile = tempfile.mkdtemp()
    browser = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--remote-debugging-port=0",
                                f"--user-data-dir={profile}", "--window-size=1400,1000", "about:blank"], stderr=subprocess.PIPE, text=True)
    try:
        for line in browser.stderr:
            match = re.search(r"DevTools listening on ws://([^/]+)/", line)
            if match:
                break
        pages = json.load(urllib.request.urlopen(f"http://{match.group(1)}/json/list"))
        page = Socket(next(p for p in pages if p["type"] == "page")["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Page.navigate", url=url)
        page.wait("document.getElementById('direction-image')?.dataset.loaded === '1'")
        root = page.call("DOM.getDocument")["root"]["nodeId"]
        node = page.call("DOM.querySelector", nodeId=root, selector="#upload")["nodeId"]
        page.call("DOM.setFileInputFiles", nodeId=node, files=[os.path.abspath(i) for i in images])
        page.wait(f"document.querySelectorAll('#uploads .reconstruction[data-loaded=\"1\"]').length === {len(images)}")
        page.wait("document.getElementById('strip').dataset.loaded === '1' && document.getElementById('run-reconstructions').dataset.loaded === '1'")
        time.sleep(1)
        data = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        with open(output, "wb") as f:
            f.write(base64.b64decode(data))
        print(f"wrote {output}")
    finally:
        browser.kill()


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
