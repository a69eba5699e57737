#!/usr/bin/python3
"""Trains the example's teacher in PyTorch (Debian 12: apt-get install python3-torch, PyTorch 1.13) and writes its weights
as data/teacher.safetensors, which the C# experiment declares with [Teacher(typeof(ProfileTeacher), Weights = ...)].

    /usr/bin/python3 examples/BringYourOwn/python/train_teacher.py

The model mirrors ProfileTeacher in Models.cs: layers = Linear(20, 128), ReLU, Linear(128, 128), ReLU, Linear(128, 10).
Inputs are standardised as KdDsl's Standardizer does (mean and population std of the training split, a std of 0 replaced
by 1); classes are the label names in sorted order, as KdDsl.Data.CsvData numbers them. What PyTorch measures on the test
split is written to data/teacher_pytorch.json, so the C# side can be checked against it.
"""
import csv
import json
import os
import struct

import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data")


def load(name):
    with open(os.path.join(data, name)) as f:
        rows = list(csv.reader(f))
    return np.array([[float(v) for v in r[:-1]] for r in rows[1:]]), [r[-1] for r in rows[1:]]


x_train, names_train = load("train.csv")
x_test, names_test = load("test.csv")
classes = sorted(set(names_train))
y_train = torch.tensor([classes.index(n) for n in names_train])
y_test = torch.tensor([classes.index(n) for n in names_test])
mean = x_train.mean(axis=0)
std = x_train.std(axis=0)
std[std == 0] = 1
x_train = torch.tensor(((x_train - mean) / std).astype(np.float32))
x_test = torch.tensor(((x_test.astype(np.float32) - mean.astype(np.float32)) / std.astype(np.float32)).astype(np.float32))


class ProfileTeacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.layers(x)


torch.manual_seed(0)
model = ProfileTeacher()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
for epoch in range(200):
    model.train()
    order = torch.randperm(len(y_train))
    for start in range(0, len(order), 64):
        batch = order[start:start + 64]
        loss = nn.functional.cross_entropy(model(x_train[batch]), y_train[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

model.eval()
with torch.no_grad():
    train_accuracy = (model(x_train).argmax(1) == y_train).float().mean().item()
    test_logits = model(x_test)
    test_correct = int((test_logits.argmax(1) == y_test).sum().item())


def save_safetensors(state, path):
    """u64 little-endian header length, a JSON header, then the raw little-endian float32 tensors."""
    header, blobs, offset = {}, [], 0
    for name, tensor in state.items():
        raw = tensor.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


save_safetensors(model.state_dict(), os.path.join(data, "teacher.safetensors"))
with open(os.path.join(data, "teacher_pytorch.json"), "w") as f:
    json.dump({"torch": torch.__version__, "classes": classes, "train_accuracy": train_accuracy,
               "test_correct": test_correct, "test_count": len(y_test),
               "test_logits_first_3": test_logits[:3].tolist()}, f, indent=1)
print(f"PyTorch {torch.__version__}: teacher train accuracy {100 * train_accuracy:.2f}%, "
      f"test accuracy {100 * test_correct / len(y_test):.2f}% ({test_correct}/{len(y_test)})")
