"""Writes torch_mlp.safetensors and torch_mlp.json, the golden files of
export's TestReadsTorchStateDict.

A torch.nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)) in float32, seeded,
has its state_dict written in the safetensors format by this script (Debian
ships PyTorch but not the safetensors package, so the few lines of the format
are spelled out below, after its specification: an 8-byte little-endian
header length, a JSON header padded with spaces to a multiple of 8, the
tensors' little-endian bytes in header order). torch_mlp.json holds an input
batch and the module's output on it, so the test checks that gradtune,
loading these weights, computes what PyTorch computed.

Run from this folder: /usr/bin/python3 gen_torch_mlp.py
"""
import json
import struct
import sys

import torch

assert sys.byteorder == "little"
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
x = torch.randn(5, 3)
with torch.no_grad():
    y = net(x)

header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
for name, t in sorted(net.state_dict().items()):
    b = t.contiguous().numpy().tobytes()
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
    blobs.append(b)
    offset += len(b)
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open("torch_mlp.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

with open("torch_mlp.json", "w") as f:
    json.dump({
        "generator": "gen_torch_mlp.py, torch %s" % torch.__version__,
        "module": "Sequential(Linear(3, 4), ReLU(), Linear(4, 2)), float32, torch.manual_seed(0)",
        "x": x.tolist(),
        "y": y.tolist(),
        "state_dict": {k: v.tolist() for k, v in net.state_dict().items()},
    }, f, indent=1)
    f.write("\n")
