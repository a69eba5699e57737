#!/usr/bin/python3
"""Writes the PyTorch weight fixtures of PyTorchWeightsTests with PyTorch itself (Debian 12: apt-get install python3-torch).

    /usr/bin/python3 tests/KdDsl.Tests/Training/Fixtures/make_pytorch_fixtures.py

The model mirrors the tests' TinyTeacher (64 inputs, 10 classes): a `layers` Sequential of Linear(64, 64), ReLU,
Linear(64, 10). The logits PyTorch computes on a fixed input are written beside the weights, so the test compares what
KdDsl computes after loading with what PyTorch computed.
"""
import json
import os
import struct

import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))


class TinyTeacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.layers(x)


def save_safetensors(state, path):
    """The safetensors layout: u64 little-endian header length, a JSON header, then the raw little-endian tensor bytes."""
    header, blobs, offset = {}, [], 0
    for name, tensor in state.items():
        data = tensor.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


torch.manual_seed(2026)
model = TinyTeacher().eval()
torch.save(model.state_dict(), os.path.join(here, "tiny_teacher.pt"))
save_safetensors(model.state_dict(), os.path.join(here, "tiny_teacher.safetensors"))

inputs = torch.linspace(-1, 1, 5 * 64).reshape(5, 64)
with torch.no_grad():
    logits = model(inputs)
with open(os.path.join(here, "tiny_teacher_logits.json"), "w") as f:
    json.dump({"torch": torch.__version__, "inputs": "torch.linspace(-1, 1, 5 * 64).reshape(5, 64)",
               "logits": logits.tolist()}, f, indent=1)

# A file that does not fit: layers.2.bias missing, layers.0.weight of another shape, an extra head.weight.
wrong = dict(model.state_dict())
del wrong["layers.2.bias"]
wrong["layers.0.weight"] = torch.zeros(32, 64)
wrong["head.weight"] = torch.zeros(10, 64)
torch.save(wrong, os.path.join(here, "wrong_teacher.pt"))
print("wrote the fixtures with torch", torch.__version__)
