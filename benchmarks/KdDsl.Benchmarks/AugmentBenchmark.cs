using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using KdDsl.Data;
using KdDsl.Models;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Benchmarks;

/// <summary>
/// (h) What [Augment(RandomCropPadding = 4, HorizontalFlip = true)] costs per batch of 128 28x28 images, against the steps it
/// feeds: gathering the batch alone, gathering and augmenting it (KdDsl's two gathers), gathering and augmenting it with a
/// plain per-sample loop (pad, narrow, flip, cat: the simple alternative), and a SmallCnn and an MLP training step with and
/// without the augmentation. All on the CPU, interleaved round by round.
/// </summary>
internal static class AugmentBenchmark
{
    private const int Batch = 128;

    public static int Run(int rounds, int warmup, int stepsPerRound)
    {
        const int samples = 10240;
        using var data = rand(new long[] { samples, 1, 28, 28 });
        var labels = randint(0, 10, new long[] { samples });
        var augmentation = new ImageAugmentation(4, true);
        manual_seed(1);
        using var cnn = new SmallCnn(1, 10);
        using var mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10));
        using var cnnOptimizer = optim.Adam(cnn.parameters(), 1e-3);
        using var mlpOptimizer = optim.Adam(mlp.parameters(), 1e-3);
        int counter = 0;

        Tensor Gather()
        {
            var indices = randint(0, samples, new long[] { Batch });
            return data.index_select(0, indices);
        }

        Tensor Loop(Tensor batch, int step)
        {
            var (offsets, flips) = augmentation.Draw(Batch, 0, 1, step);
            long[] o = offsets.data<long>().ToArray();
            bool[] f = flips.data<bool>().ToArray();
            var padded = nn.functional.pad(batch, new long[] { 4, 4, 4, 4 });
            var parts = new Tensor[Batch];
            for (int i = 0; i < Batch; i++)
            {
                var crop = padded[i].narrow(1, o[2 * i], 28).narrow(2, o[2 * i + 1], 28);
                parts[i] = f[i] ? crop.flip(2) : crop;
            }
            return stack(parts);
        }

        void Train(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor inputs, Tensor y)
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(inputs), y).backward();
            optimizer.step();
        }

        Variant Timed(string name, Action<int> step) => new(name, () =>
        {
            var times = new List<double>(stepsPerRound);
            for (int s = 0; s < stepsPerRound; s++)
            {
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                step(++counter);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            return times;
        });

        Tensor Y() => labels.index_select(0, randint(0, samples, new long[] { Batch }));
        cnn.train();
        mlp.train();
        var variants = new List<Variant>
        {
            Timed("gather", _ => Gather()),
            Timed("gather + augment (gathers)", s => augmentation.Apply(Gather(), 0, 1, s)),
            Timed("gather + augment (per-sample loop)", s => Loop(Gather(), s)),
            Timed("SmallCnn step", _ => Train(cnn, cnnOptimizer, Gather(), Y())),
            Timed("SmallCnn step + augment", s => Train(cnn, cnnOptimizer, augmentation.Apply(Gather(), 0, 1, s), Y())),
            Timed("MLP step", _ => Train(mlp, mlpOptimizer, Gather(), Y())),
            Timed("MLP step + augment", s => Train(mlp, mlpOptimizer, augmentation.Apply(Gather(), 0, 1, s), Y())),
        };
        // The loop and the gathers must agree before anything is timed.
        using (NewDisposeScope())
        {
            var batch = Gather();
            if (!augmentation.Apply(batch, 0, 1, 7).allclose(Loop(batch, 7), 0, 0))
            {
                AnsiConsole.MarkupLine("[red]the per-sample loop and the gathers disagree[/]");
                return 1;
            }
        }
        var results = Interleaved.Run(variants, warmup, rounds);
        var cnnStep = results[3];
        Interleaved.Print($"(h) augmentation of a batch of {Batch} 1x28x28 images (crop 4, flip) and the steps it feeds", "ms/batch", results, cnnStep);
        Interleaved.Summary("augment", "ms/batch", results, cnnStep);
        double gather = results[0].Median, augmented = results[1].Median, loop = results[2].Median;
        AnsiConsole.MarkupLine($"augmentation alone: {Interleaved.F(augmented - gather, "F3")} ms/batch with gathers, {Interleaved.F(loop - gather, "F3")} ms/batch " +
                               $"with a per-sample loop; {Interleaved.F((augmented - gather) / cnnStep.Median * 100, "F2")}% of a SmallCnn step, " +
                               $"{Interleaved.F((augmented - gather) / results[5].Median * 100, "F2")}% of an MLP step");
        return 0;
    }
}
