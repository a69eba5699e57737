using System.Collections.Generic;
using System.Diagnostics;
using KdDsl.Training;
using Spectre.Console;
using TorchSharp;

namespace KdDsl.Benchmarks;

/// <summary>
/// (c) Time per distillation epoch: KD with the teacher running on every batch, KD with the teacher's outputs cached in memory
/// ([Teacher(CacheOutputs = TeacherOutputCaching.Memory)]), and the student alone (cross-entropy only) — all three through their
/// generated loops, interleaved. The cache's one-off cost (one teacher pass over the training split per run) is measured in
/// the same rotation and reported separately.
/// </summary>
internal static class CacheBenchmark
{
    public const double Target = 0.10;

    public static int Run(int trainSamples, int epochsPerRun, int rounds, int warmup)
    {
        var settings = BenchKd.DeclaredSettings;
        AnsiConsole.MarkupLine($"[bold](c) teacher-output caching[/]: time per distillation epoch, {trainSamples} random Fashion-MNIST-shaped samples " +
            $"({Batches.StepsPerEpoch(trainSamples, settings.BatchSize)} steps of {settings.BatchSize}), {epochsPerRun} epochs per run " +
            $"(epochs 2..{epochsPerRun} timed), {warmup} warm-up + {rounds} measured rounds, order rotated.");
        using var data = BenchData.FashionMnistShaped(trainSamples, 512);
        using var teacher = BenchData.LoadTeacher();
        var options = new RunOptions { Epochs = epochsPerRun };

        IReadOnlyList<double> Epochs(System.Func<StepClock, System.IDisposable> run)
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            using (run(clock)) { }
            return clock.EpochMs;
        }
        var uncached = new Variant("KD, teacher every batch", () => Epochs(c => BenchKd.Run(data, options with { Progress = c })));
        var cached = new Variant("KD, cached teacher outputs", () => Epochs(c => BenchKdCached.Run(data, options with { Progress = c })));
        var alone = new Variant("student alone (CE)", () => Epochs(c => BenchStudentAlone.Run(data, options with { Progress = c })));
        // Diagnostic references, not part of the target: the same cached KD step written by hand (float32 kl_div, one read per
        // term), to show what a cached KD epoch costs at least, and with one part of the generated loop added to it.
        Variant Hand(string name, KdDsl.Losses.KlPrecision? libraryKl, bool noGcRegionPerStep) => new(name, () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            using var outputs = TeacherOutputCache.InMemory(teacher, data.Train, settings.BatchSize, torch.CPU);
            HandWrittenKd.Train(teacher, data.Train, epochsPerRun, settings.BatchSize, settings.LearningRate, settings.Seed, clock, outputs.Logits,
                libraryKl, noGcRegionPerStep);
            return clock.EpochMs;
        });
        var handCached = Hand("hand-written cached KD (float32 kl_div)", null, false);
        var handCachedLibraryKl = Hand("hand-written cached KD, library KL (policy: float32 at T = 4)", KdDsl.Losses.KlPrecision.Automatic, false);
        var handCachedFloat64Kl = Hand("hand-written cached KD, library KL forced to float64 (as before)", KdDsl.Losses.KlPrecision.Float64, false);
        var handCachedNoGc = Hand("hand-written cached KD, a no-GC region per step (as before)", null, true);
        var build = new Variant("cache build (one-off per run)", () =>
        {
            long start = Stopwatch.GetTimestamp();
            using var outputs = TeacherOutputCache.InMemory(teacher, data.Train, settings.BatchSize, torch.CPU);
            return new[] { Stopwatch.GetElapsedTime(start).TotalMilliseconds };
        });

        using var monitor = new BusyMonitor();
        var results = Interleaved.Run(new List<Variant> { uncached, cached, alone, handCached, handCachedLibraryKl, build, handCachedFloat64Kl, handCachedNoGc },
            warmup, rounds);
        var epochResults = new[] { results[0], results[1], results[2], results[3], results[4], results[6], results[7] };
        Interleaved.Print("(c) ms per distillation epoch", "ms/epoch", epochResults, results[2]);
        double cachedRatio = Stats.Median(Stats.PairedRatios(results[1], results[2]));
        double uncachedRatio = Stats.Median(Stats.PairedRatios(results[0], results[2]));
        double speedup = Stats.Median(Stats.PairedRatios(results[0], results[1]));
        bool met = cachedRatio <= 1 + Target;
        double buildMs = results[5].Median;
        AnsiConsole.MarkupLine($"cached / student alone = [bold]{Interleaved.F(cachedRatio, "F3")}[/] ({Interleaved.F(100 * (cachedRatio - 1), "+0.0;-0.0")}%); " +
            $"target within {100 * Target:F0}%: {(met ? "[green]met[/]" : "[red]not met[/]")}");
        double handRatio = Stats.Median(Stats.PairedRatios(results[3], results[2]));
        double generatedOverHand = Stats.Median(Stats.PairedRatios(results[1], results[3]));
        AnsiConsole.MarkupLine($"uncached / student alone = {Interleaved.F(uncachedRatio, "F3")}; uncached / cached = {Interleaved.F(speedup, "F2")}x");
        double libraryKlOverHand = Stats.Median(Stats.PairedRatios(results[4], results[3]));
        double generatedOverLibraryKl = Stats.Median(Stats.PairedRatios(results[1], results[4]));
        AnsiConsole.MarkupLine($"diagnostic: hand-written cached KD (float32 KL) / student alone = {Interleaved.F(handRatio, "F3")}; " +
            $"generated cached / hand-written cached = {Interleaved.F(generatedOverHand, "F3")}, of which the library's KL term " +
            $"(hand-written with library KL / hand-written) {Interleaved.F(libraryKlOverHand, "F3")} and the rest of the generated loop " +
            $"(generated / hand-written with library KL) {Interleaved.F(generatedOverLibraryKl, "F3")}; for comparison, hand-written with the KL " +
            $"forced to float64 / hand-written = {Interleaved.F(Stats.Median(Stats.PairedRatios(results[6], results[3])), "F3")}, with a no-GC region " +
            $"per step / hand-written = {Interleaved.F(Stats.Median(Stats.PairedRatios(results[7], results[3])), "F3")}");
        AnsiConsole.MarkupLine($"cache build (teacher over the {trainSamples} training samples, once per run): median {Interleaved.F(buildMs, "F1")} ms " +
            $"= {Interleaved.F(buildMs / results[1].Median, "F2")} cached epochs; amortised over 10 epochs the cached epoch costs " +
            $"{Interleaved.F(results[1].Median + buildMs / 10, "F1")} ms ({Interleaved.F((results[1].Median + buildMs / 10) / results[2].Median, "F3")} x student alone)");
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(monitor.Summary())}[/]");
        Interleaved.Summary("c", "ms/epoch", epochResults, results[2]);
        System.Console.WriteLine($"RESULT c | cache build | {Interleaved.F(buildMs, "F3")} ms/run |");
        return 0;
    }
}
