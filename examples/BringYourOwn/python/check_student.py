#!/usr/bin/python3
"""The other direction, checked by hand: PyTorch loads the student the C# program exported (student.pt and
student.safetensors, strictly, into the same architecture) and measures its test accuracy with the exported
standardizer.json; it should print the accuracy the C# program printed.

    /usr/bin/python3 examples/BringYourOwn/python/check_student.py [bring-your-own-out]
"""
import csv
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else "bring-your-own-out"


class ProfileStudent(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 10))

    def forward(self, x):
        return self.layers(x)


def load_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    return {name: torch.from_numpy(np.frombuffer(data[e["data_offsets"][0]:e["data_offsets"][1]], dtype=np.float32)
                                   .reshape(e["shape"]).copy())
            for name, e in header.items() if name != "__metadata__"}


with open(os.path.join(here, "..", "data", "test.csv")) as f:
    rows = list(csv.reader(f))[1:]
classes = sorted({r[-1] for r in rows})
x = np.array([[float(v) for v in r[:-1]] for r in rows], dtype=np.float32)
y = torch.tensor([classes.index(r[-1]) for r in rows])
stats = json.load(open(os.path.join(out, "standardizer.json")))
x = torch.tensor((x - np.array(stats["Mean"], dtype=np.float32)) / np.array(stats["Std"], dtype=np.float32))

for name, state in (("student.pt", torch.load(os.path.join(out, "student.pt"))),
                    ("student.safetensors", load_safetensors(os.path.join(out, "student.safetensors")))):
    model = ProfileStudent()
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        correct = int((model(x).argmax(1) == y).sum())
    print(f"PyTorch {torch.__version__}, {name} loaded strictly: test accuracy {100 * correct / len(y):.2f}% ({correct}/{len(y)})")
