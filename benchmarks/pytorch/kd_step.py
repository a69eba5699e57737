#!/usr/bin/python3
"""PyTorch peer of KdDsl benchmark (b): the same KD step as the generated BenchKd loop, on the CPU.

Teacher 784-1024-1024-10 MLP (ReLU, eval mode, no_grad), student 784-128-10 MLP, batch 256, float32,
loss 0.1 * CE + 0.9 * T^2 * KL(softmax(z_t/T) || softmax(z_s/T)) (batchmean) at T = 4, Adam (lr 1e-3),
a shuffled epoch order (randperm + index_select), and both terms' values read once per step (.item()).

Two modes:
  --serve       for the C# benchmark process: prints "READY <json>", then for each "round <epochs>" line on stdin runs a
                fresh student for that many epochs and prints one JSON line {"step_ms": [...]}; "quit" ends.
  (default)     standalone: warm-up round, then --rounds rounds, prints the median ms/step.

Step time = interval between the ends of two consecutive steps of one epoch (the first step of an epoch is not timed),
exactly as the C# side times its steps. Run it with /usr/bin/python3 (Debian's python3-torch, 1.13.x).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


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
    parser.add_argument("--samples", type=int, default=10240)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--temperature", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(2024)
    features = torch.rand(args.samples, 784, generator=generator)
    labels = torch.randint(0, 10, (args.samples,), generator=generator, dtype=torch.int64)
    torch.manual_seed(1234)
    teacher = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
    teacher.eval()
    T = args.temperature
    order_generator = torch.Generator().manual_seed(args.seed)

    def run_round(epochs):
        torch.manual_seed(args.seed + 1)
        student = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        student.train()
        optimizer = torch.optim.Adam(student.parameters(), lr=args.lr)
        count = features.shape[0]
        steps = (count + args.batch - 1) // args.batch
        step_ms = []
        for _ in range(epochs):
            order = torch.randperm(count, generator=order_generator)
            previous = None
            for step in range(steps):
                indices = order[step * args.batch:(step + 1) * args.batch]
                inputs = features.index_select(0, indices)
                targets = labels.index_select(0, indices)
                with torch.no_grad():
                    teacher_logits = teacher(inputs)
                student_logits = student(inputs)
                ce = F.cross_entropy(student_logits, targets)
                kl = F.kl_div(F.log_softmax(student_logits / T, dim=1), F.log_softmax(teacher_logits / T, dim=1),
                              reduction="batchmean", log_target=True) * (T * T)
                loss = 0.1 * ce + 0.9 * kl
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                _total = 0.1 * ce.item() + 0.9 * kl.item()
                now = time.perf_counter()
                if previous is not None:
                    step_ms.append((now - previous) * 1000.0)
                previous = now
        return step_ms

    info = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "blas": blas_libraries(),
    }
    if args.serve:
        print("READY " + json.dumps(info), flush=True)
        for line in sys.stdin:
            parts = line.split()
            if not parts or parts[0] == "quit":
                break
            if parts[0] == "round":
                print(json.dumps({"step_ms": run_round(int(parts[1]))}), flush=True)
        return

    print(json.dumps(info))
    run_round(1)
    medians = [statistics.median(run_round(1)) for _ in range(args.rounds)]
    print(f"PyTorch {torch.__version__}: median {statistics.median(medians):.2f} ms/step over {args.rounds} rounds "
          f"(rounds {min(medians):.2f} .. {max(medians):.2f})")


if __name__ == "__main__":
    main()
