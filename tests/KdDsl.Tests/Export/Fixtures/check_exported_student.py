#!/usr/bin/python3
"""The other direction of the PyTorch interop: PyTorch loads the student KdDsl wrote (ModelExport.SavePyTorch and
SaveSafetensors) and records the logits it computes, which ModelExportTests compares with TorchSharp's.

    KDDSL_WRITE_EXPORT_FIXTURES=$PWD/tests/KdDsl.Tests/Export/Fixtures \
        dotnet test tests/KdDsl.Tests --filter FullyQualifiedName~ModelExportTests     # writes student_from_kddsl.{pt,safetensors}
    /usr/bin/python3 tests/KdDsl.Tests/Export/Fixtures/check_exported_student.py       # PyTorch 1.13 (Debian 12: python3-torch)

The model mirrors the tests' ExportedStudent: fc1 = Linear(8, 16), bn = BatchNorm1d(16), ReLU, fc2 = Linear(16, 3), in
eval mode. Both files are loaded with load_state_dict(strict=True); the .safetensors file is read with a few lines of
Python (Debian 12 has no safetensors package): a u64 little-endian header length, a JSON header, the raw tensors.
"""
import json
import os
import struct

import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))


class ExportedStudent(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def load_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    state = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        state[name] = torch.from_numpy(array.copy())
    return state


def logits(state):
    model = ExportedStudent()
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        return model(torch.linspace(-2, 2, 4 * 8).reshape(4, 8))


from_pt = logits(torch.load(os.path.join(here, "student_from_kddsl.pt")))
from_safetensors = logits(load_safetensors(os.path.join(here, "student_from_kddsl.safetensors")))
with open(os.path.join(here, "student_from_kddsl_logits.json"), "w") as f:
    json.dump({"torch": torch.__version__, "inputs": "torch.linspace(-2, 2, 4 * 8).reshape(4, 8)",
               "logits_pt": from_pt.tolist(), "logits_safetensors": from_safetensors.tolist()}, f, indent=1)
print("PyTorch", torch.__version__, "loaded both files strictly; logits:")
print(from_pt)
print("max |pt - safetensors| =", (from_pt - from_safetensors).abs().max().item())
