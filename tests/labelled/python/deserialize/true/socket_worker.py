import pickle
import socketserver


class JobHandler(socketserver.StreamRequestHandler):
    def handle(self):
        size = int.from_bytes(self.rfile.read(4), "big")
        job = pickle.loads(self.rfile.read(size))
        self.wfile.write(repr(job.run()).encode())


if __name__ == "__main__":
    with socketserver.TCPServer(("0.0.0.0", 9400), JobHandler) as server:
        server.serve_forever()
