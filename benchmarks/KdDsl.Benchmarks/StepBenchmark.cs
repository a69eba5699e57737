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
            $"({Batches.StepsPerEpoch(trainSamples, settings.BatchSize)} steps per round), {warmup} warm-up + {rounds} measured rounds, order rotated (ABC, BCA, CAB; C is a diagnostic).");
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

        // Diagnostic, not part of the target: the hand-written loop with the library's KL term (float64) instead of kl_div.
        var handWrittenLibraryKl = new Variant("hand-written, library KL (float64)", () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            HandWrittenKd.Train(teacher, data.Train, 1, settings.BatchSize, settings.LearningRate, settings.Seed, clock, libraryKl: true);
            return clock.StepMs;
        });

        using var monitor = new BusyMonitor();
        var results = Interleaved.Run(new List<Variant> { generated, handWritten, handWrittenLibraryKl }, warmup, rounds);
        Interleaved.Print("(a) ms per KD step", "ms/step", results, results[1]);
        double ratio = Stats.Median(Stats.PairedRatios(results[0], results[1]));
        bool met = ratio <= 1 + Target;
        AnsiConsole.MarkupLine($"generated / hand-written = [bold]{Interleaved.F(ratio, "F3")}[/] ({Interleaved.F(100 * (ratio - 1), "+0.0;-0.0")}%); " +
            $"target within {100 * Target:F0}%: {(met ? "[green]met[/]" : "[red]not met[/]")}");
        AnsiConsole.MarkupLine($"diagnostic: hand-written with library KL / hand-written = {Interleaved.F(Stats.Median(Stats.PairedRatios(results[2], results[1])), "F3")}; " +
            $"generated / hand-written with library KL = {Interleaved.F(Stats.Median(Stats.PairedRatios(results[0], results[2])), "F3")}");
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(monitor.Summary())}[/]");
        Interleaved.Summary("a", "ms/step", results, results[1]);
        return 0;
    }
}
