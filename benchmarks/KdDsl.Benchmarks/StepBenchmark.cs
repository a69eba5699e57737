using System.Collections.Generic;
using KdDsl.Training;
using Spectre.Console;

namespace KdDsl.Benchmarks;

/// <summary>
/// (a) The generated KD loop (BenchKd.Run, its distillation phase timed from its progress reports) against a minimal
/// hand-written TorchSharp loop doing the same step, interleaved round by round in one process.
/// </summary>
internal static class StepBenchmark
{
    public const double Target = 0.02;

    public static int Run(int trainSamples, int rounds, int warmup)
    {
        var settings = BenchKd.DeclaredSettings;
        AnsiConsole.MarkupLine($"[bold](a) generated KD loop vs hand-written TorchSharp loop[/]: teacher 784-1024-1024-10, student 784-128-10, " +
            $"batch {settings.BatchSize}, float32, CE 0.1 + KL 0.9 at T = 4, Adam {settings.LearningRate}; {trainSamples} random samples " +
            $"({Batches.StepsPerEpoch(trainSamples, settings.BatchSize)} steps per round), {warmup} warm-up + {rounds} measured rounds, order rotated every round (variants 3 to 5 are diagnostics).");
        using var data = BenchData.FashionMnistShaped(trainSamples, 512);
        using var teacher = BenchData.LoadTeacher();
        var generated = new Variant("generated", () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            using var result = BenchKd.Run(data, new RunOptions { Epochs = 1, Progress = clock });
            return clock.StepMs;
        });
        var handWritten = new Variant("hand-written", () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            HandWrittenKd.Train(teacher, data.Train, 1, settings.BatchSize, settings.LearningRate, settings.Seed, clock);
            return clock.StepMs;
        });

        // Diagnostics, not part of the target: the hand-written loop with one part of the generated loop added.
        Variant Hand(string name, KdDsl.Losses.KlPrecision? libraryKl, bool noGcRegionPerStep) => new(name, () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            HandWrittenKd.Train(teacher, data.Train, 1, settings.BatchSize, settings.LearningRate, settings.Seed, clock, libraryKl: libraryKl,
                noGcRegionPerStep: noGcRegionPerStep);
            return clock.StepMs;
        });
        var handWrittenLibraryKl = Hand("hand-written, library KL (policy: float32 at T = 4)", KdDsl.Losses.KlPrecision.Automatic, false);
        var handWrittenFloat64Kl = Hand("hand-written, library KL forced to float64 (as before)", KdDsl.Losses.KlPrecision.Float64, false);
        var handWrittenNoGc = Hand("hand-written, a no-GC region per step (as before)", null, true);

        using var monitor = new BusyMonitor();
        var results = Interleaved.Run(new List<Variant> { generated, handWritten, handWrittenLibraryKl, handWrittenFloat64Kl, handWrittenNoGc }, warmup, rounds);
        Interleaved.Print("(a) ms per KD step", "ms/step", results, results[1]);
        double ratio = Stats.Median(Stats.PairedRatios(results[0], results[1]));
        bool met = ratio <= 1 + Target;
        AnsiConsole.MarkupLine($"generated / hand-written = [bold]{Interleaved.F(ratio, "F3")}[/] ({Interleaved.F(100 * (ratio - 1), "+0.0;-0.0")}%); " +
            $"target within {100 * Target:F0}%: {(met ? "[green]met[/]" : "[red]not met[/]")}");
        string R(int a, int b) => Interleaved.F(Stats.Median(Stats.PairedRatios(results[a], results[b])), "F3");
        AnsiConsole.MarkupLine($"diagnostic: hand-written with library KL / hand-written = {R(2, 1)}; with the library KL forced to float64 = {R(3, 1)}; " +
            $"with a no-GC region per step = {R(4, 1)}; generated / hand-written with library KL = {R(0, 2)}");
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(monitor.Summary())}[/]");
        Interleaved.Summary("a", "ms/step", results, results[1]);
        return 0;
    }
}
