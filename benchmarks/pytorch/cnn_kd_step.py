#!/usr/bin/python3
"""PyTorch peer of KdDsl benchmark (h): the same CNN KD step as the generated BenchCnnKd loop, on the CPU.

Teacher CIFAR ResNet-20 (He et al. 2016, option-A shortcuts, exactly as src/KdDsl/Models/CifarResNet.cs: a 3x3 conv stem to
16 channels + BN + ReLU, three stages of three basic blocks with 16, 32, 64 channels, the second and third stage starting
with stride 2, the shortcut subsampling every second pixel and padding zero channels evenly before and after, global average
pooling, Linear) in eval mode under no_grad; student SmallCnn (exactly as src/KdDsl/Models/SmallCnn.cs: 3x3 conv to 16
channels + BN + ReLU, then 3 blocks of 3x3 conv doubling the channels + BN + ReLU + 2x2 max pooling with ceil mode, global
average pooling, Linear); every convolution 3x3, padding 1, no bias, Kaiming-normal (fan-out, ReLU), BN weight 1 and bias 0.
Images [N, 1, 28, 28] in [0, 1), 10 classes, batch 128, float32, loss 0.5 * CE + 0.5 * T^2 * KL(softmax(z_t/T) || softmax(z_s/T))
(batchmean) at T = 4, Adam (lr 1e-3), a shuffled epoch order (randperm + index_select), and both terms' values read once
per step (.item()). The teacher's weights are a seeded random initialisation, as on the C# side (a step costs the same
whatever the weights are).

Same protocol as kd_step.py:
  --serve       prints "READY <json>", then for each "round <epochs>" line on stdin trains a fresh student for that many
                epochs and prints one JSON line {"step_ms": [...], "user_s": u, "sys_s": s, "steps": n}
                (CPU seconds of this process during the round); "quit" ends.
  (default)     standalone: warm-up round, then --rounds rounds, prints the median ms/step.

Step time = interval between the ends of two consecutive steps of one epoch (the first step of an epoch is not timed),
exactly as the C# side times its steps. Run it with /usr/bin/python3 (Debian's python3-torch, 1.13.x). The C allocator's
settings come from the environment (MALLOC_MMAP_MAX_, MALLOC_TRIM_THRESHOLD_); READY reports which are set.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3x3(inputs, outputs, stride=1):
    return nn.Conv2d(inputs, outputs, kernel_size=3, stride=stride, padding=1, bias=False)


def initialize(model):
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = conv3x3(inputs, outputs, stride)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = conv3x3(outputs, outputs)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.stride = stride
        self.pad_before = (outputs - inputs) // 2
        self.pad_after = outputs - inputs - self.pad_before

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        shortcut = x
        if self.stride != 1:
            shortcut = shortcut[:, :, ::self.stride, ::self.stride]
        if self.pad_before + self.pad_after > 0:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, self.pad_before, self.pad_after))
        return F.relu(out + shortcut)


class CifarResNet(nn.Module):
    def __init__(self, input_channels, classes, depth=20, width=1):
        super().__init__()
        n = (depth - 2) // 6
        channels = [16 * width, 32 * width, 64 * width]
        self.stem = nn.Sequential(conv3x3(input_channels, channels[0]), nn.BatchNorm2d(channels[0]), nn.ReLU())
        stages = []
        previous = channels[0]
        for s in range(3):
            blocks = []
            for b in range(n):
                blocks.append(BasicBlock(previous, channels[s], 2 if b == 0 and s > 0 else 1))
                previous = channels[s]
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.ModuleList(stages)
        self.head = nn.Linear(channels[2], classes)
        initialize(self)

    def forward(self, x):
        hidden = self.stem(x)
        for stage in self.stages:
            hidden = stage(hidden)
        return self.head(hidden.mean((2, 3)))


class SmallCnn(nn.Module):
    def __init__(self, input_channels, classes, layers=3, width=16):
        super().__init__()
        self.embedding = nn.Sequential(conv3x3(input_channels, width), nn.BatchNorm2d(width), nn.ReLU())
        blocks = []
        channels = width
        for _ in range(layers):
            blocks.append(nn.Sequential(conv3x3(channels, 2 * channels), nn.BatchNorm2d(2 * channels), nn.ReLU(),
                                        nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)))
            channels *= 2
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(channels, classes)
        initialize(self)

    def forward(self, x):
        hidden = self.embedding(x)
        for block in self.blocks:
            hidden = block(hidden)
        return self.head(hidden.mean((2, 3)))


def blas_libraries():
    try:
        with open("/proc/self/maps") as maps:
            names = {line.split()[-1] for line in maps if "blas" in line.lower() or "gomp" in line.lower()}
        return sorted(names)
    except OSError:
        return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--samples", type=int, default=1536)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--temperature", type=float, default=4.0)
    parser.add_argument("--ce-weight", type=float, default=0.5)
    parser.add_argument("--kl-weight", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(2024)
    images = torch.rand(args.samples, 1, 28, 28, generator=generator)
    labels = torch.randint(0, 10, (args.samples,), generator=generator, dtype=torch.int64)
    torch.manual_seed(1234)
    teacher = CifarResNet(1, 10, depth=20)
    teacher.eval()
    T = args.temperature
    order_generator = torch.Generator().manual_seed(args.seed)

    def run_round(epochs):
        torch.manual_seed(args.seed + 1)
        student = SmallCnn(1, 10)
        student.train()
        optimizer = torch.optim.Adam(student.parameters(), lr=args.lr)
        count = images.shape[0]
        steps = (count + args.batch - 1) // args.batch
        step_ms = []
        before = resource.getrusage(resource.RUSAGE_SELF)
        for _ in range(epochs):
            order = torch.randperm(count, generator=order_generator)
            previous = None
            for step in range(steps):
                indices = order[step * args.batch:(step + 1) * args.batch]
                inputs = images.index_select(0, indices)
                targets = labels.index_select(0, indices)
                with torch.no_grad():
                    teacher_logits = teacher(inputs)
                student_logits = student(inputs)
                ce = F.cross_entropy(student_logits, targets)
                kl = F.kl_div(F.log_softmax(student_logits / T, dim=1), F.log_softmax(teacher_logits / T, dim=1),
                              reduction="batchmean", log_target=True) * (T * T)
                loss = args.ce_weight * ce + args.kl_weight * kl
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                _total = args.ce_weight * ce.item() + args.kl_weight * kl.item()
                now = time.perf_counter()
                if previous is not None:
                    step_ms.append((now - previous) * 1000.0)
                previous = now
        after = resource.getrusage(resource.RUSAGE_SELF)
        return {"step_ms": step_ms, "user_s": after.ru_utime - before.ru_utime, "sys_s": after.ru_stime - before.ru_stime,
                "steps": epochs * steps}

    info = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "malloc_env": {k: v for k, v in os.environ.items() if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES"},
        "blas": blas_libraries(),
    }
    if args.serve:
        print("READY " + json.dumps(info), flush=True)
        for line in sys.stdin:
            parts = line.split()
            if not parts or parts[0] == "quit":
                break
            if parts[0] == "round":
                print(json.dumps(run_round(int(parts[1]))), flush=True)
        return

    print(json.dumps(info))
    run_round(1)
    results = [run_round(1) for _ in range(args.rounds)]
    medians = [statistics.median(r["step_ms"]) for r in results]
    sys_per_step = statistics.median(r["sys_s"] / r["steps"] for r in results)
    print(f"PyTorch {torch.__version__}: median {statistics.median(medians):.2f} ms/step over {args.rounds} rounds "
          f"(rounds {min(medians):.2f} .. {max(medians):.2f}); sys {sys_per_step:.4f} s/step")


if __name__ == "__main__":
    main()
