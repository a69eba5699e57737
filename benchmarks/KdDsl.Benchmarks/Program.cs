using System;
using System.CommandLine;
using System.IO;
using KdDsl.Benchmarks;
using Spectre.Console;
using TorchSharp;

// KdDsl benchmarks (docs/benchmarks.md). Every ratio is measured side by side in one run: the variants are interleaved
// round by round (order rotated every round), after warm-up rounds, with a fixed number of torch threads.
//
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- step        (a) generated loop vs hand-written TorchSharp loop
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- pytorch     (b) generated loop vs PyTorch 1.13 on the CPU
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- cache       (c) teacher-output caching vs none vs student alone
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- generator   (d) generator time, first run and incremental edits
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- all         (a) to (d) in one process
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- precision   (e) the KL term's float32 error by temperature
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- conv        (f) a ResNet-20 step under C-allocator settings
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- augment     (h) [Augment]'s cost per batch of 128 28x28 images vs the step
//   dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- cnn         (i) CNN KD step (generated vs hand-written vs PyTorch,
//                                                                                  plain and with KdDsl's malloc settings) and cached CNN epoch

var threads = new Option<int>("--threads") { Description = "torch.set_num_threads for TorchSharp (and the PyTorch peer).", DefaultValueFactory = _ => 2 };
var rounds = new Option<int>("--rounds") { Description = "Measured rounds per variant (interleaved).", DefaultValueFactory = _ => 30 };
var warmup = new Option<int>("--warmup") { Description = "Warm-up rounds per variant (discarded).", DefaultValueFactory = _ => 1 };
var samples = new Option<int>("--samples") { Description = "Training samples per round ((a), (b): 10240 = 40 steps of 256).", DefaultValueFactory = _ => 10240 };
var cacheSamples = new Option<int>("--cache-samples") { Description = "Training samples for (c) (60000 = Fashion-MNIST's training split).", DefaultValueFactory = _ => 60000 };
var cacheRounds = new Option<int>("--cache-rounds") { Description = "Measured rounds for (c).", DefaultValueFactory = _ => 7 };
var cacheEpochs = new Option<int>("--cache-epochs") { Description = "Epochs per run in (c); epochs 2.. are timed.", DefaultValueFactory = _ => 3 };
var python = new Option<string>("--python") { Description = "Interpreter with PyTorch 1.13 for (b).", DefaultValueFactory = _ => "/usr/bin/python3" };
var experiments = new Option<int>("--experiments") { Description = "Experiment classes in the compilation of (d).", DefaultValueFactory = _ => 100 };
var repetitions = new Option<int>("--repetitions") { Description = "Warm repetitions of (d).", DefaultValueFactory = _ => 10 };

var step = new Command("step", "(a) generated KD loop vs a hand-written TorchSharp loop: ms/step and ratio (target: within 2%).") { threads, rounds, warmup, samples };
step.SetAction(p => Setup(p.GetValue(threads), () => StepBenchmark.Run(p.GetValue(samples), p.GetValue(rounds), p.GetValue(warmup))));

var pytorch = new Command("pytorch", "(b) generated KD loop vs the same step in PyTorch 1.13 on the CPU: ms/step and ratio.") { threads, rounds, warmup, samples, python };
pytorch.SetAction(p => Setup(p.GetValue(threads), () =>
    PyTorchBenchmark.Run(p.GetValue(samples), p.GetValue(rounds), p.GetValue(warmup), p.GetValue(threads), p.GetValue(python)!)));

var cache = new Command("cache", "(c) KD with cached teacher outputs vs without vs the student alone: ms/epoch and ratios (target: cached within 10% of alone).")
    { threads, warmup, cacheSamples, cacheRounds, cacheEpochs };
cache.SetAction(p => Setup(p.GetValue(threads), () =>
    CacheBenchmark.Run(p.GetValue(cacheSamples), p.GetValue(cacheEpochs), p.GetValue(cacheRounds), p.GetValue(warmup))));

var generator = new Command("generator", "(d) generator time on 100 experiments: first run, unrelated edit, edits inside one experiment.") { experiments, repetitions };
generator.SetAction(p => Setup(null, () => GeneratorBenchmark.Run(p.GetValue(experiments), p.GetValue(repetitions))));

var all = new Command("all", "(a), (b), (c) and (d) in one process, with their default settings.")
    { threads, rounds, warmup, samples, cacheSamples, cacheRounds, cacheEpochs, python, experiments, repetitions };
all.SetAction(p => Setup(p.GetValue(threads), () =>
{
    int failures = 0;
    failures += StepBenchmark.Run(p.GetValue(samples), p.GetValue(rounds), p.GetValue(warmup)) == 0 ? 0 : 1;
    failures += PyTorchBenchmark.Run(p.GetValue(samples), p.GetValue(rounds), p.GetValue(warmup), p.GetValue(threads), p.GetValue(python)!) == 0 ? 0 : 1;
    failures += CacheBenchmark.Run(p.GetValue(cacheSamples), p.GetValue(cacheEpochs), p.GetValue(cacheRounds), p.GetValue(warmup)) == 0 ? 0 : 1;
    failures += GeneratorBenchmark.Run(p.GetValue(experiments), p.GetValue(repetitions)) == 0 ? 0 : 1;
    return failures == 0 ? 0 : 1;
}));

var draws = new Option<int>("--draws") { Description = "Random logit draws per cell of (e).", DefaultValueFactory = _ => 5 };
var precision = new Command("precision", "(e) the KL term's float32 error against a float64 reference, by temperature (sets the float32 limit).") { draws };
precision.SetAction(p => Setup(1, () => PrecisionBenchmark.Run(p.GetValue(draws))));

var convRounds = new Option<int>("--rounds") { Description = "Rounds of (f): one child process per variant per round.", DefaultValueFactory = _ => 3 };
var convSteps = new Option<int>("--steps") { Description = "Timed steps per child process of (f), after 3 warm-up steps.", DefaultValueFactory = _ => 8 };
var conv = new Command("conv", "(f) a ResNet-20 step (batch 128, 1x28x28) under glibc's default allocator settings vs KdDsl's NativeMemory and others.")
    { threads, convRounds, convSteps };
conv.SetAction(p => ConvMallocBenchmark.Run(p.GetValue(convRounds), p.GetValue(convSteps), p.GetValue(threads)));
var mallopt = new Option<string>("--mallopt") { DefaultValueFactory = _ => "none" };
var convChild = new Command("conv-child", "One child process of (f).") { Hidden = true };
convChild.Options.Add(threads);
convChild.Options.Add(convSteps);
convChild.Options.Add(mallopt);
convChild.SetAction(p => ConvMallocBenchmark.Child(p.GetValue(convSteps), p.GetValue(threads), p.GetValue(mallopt)!));

var augmentRounds = new Option<int>("--rounds") { Description = "Measured rounds of (h).", DefaultValueFactory = _ => 10 };
var augmentSteps = new Option<int>("--steps") { Description = "Timed batches per variant per round of (h).", DefaultValueFactory = _ => 20 };
var augment = new Command("augment", "(h) [Augment] (crop 4, flip) per batch of 128 28x28 images: gathers vs a per-sample loop, vs the SmallCnn and MLP steps it feeds.")
    { threads, augmentRounds, warmup, augmentSteps };
augment.SetAction(p => Setup(p.GetValue(threads), () => AugmentBenchmark.Run(p.GetValue(augmentRounds), p.GetValue(warmup), p.GetValue(augmentSteps))));

var cnnSamples = new Option<int>("--cnn-samples") { Description = "Training images per round of (i) part 1 (1536 = 12 steps of 128).", DefaultValueFactory = _ => 1536 };
var cnnRounds = new Option<int>("--rounds") { Description = "Measured rounds of (i) part 1 (interleaved).", DefaultValueFactory = _ => 15 };
var cnnCacheSamples = new Option<int>("--cnn-cache-samples") { Description = "Training images for (i) part 2.", DefaultValueFactory = _ => 10000 };
var cnnCacheRounds = new Option<int>("--cnn-cache-rounds") { Description = "Measured rounds of (i) part 2.", DefaultValueFactory = _ => 8 };
var cnnCacheEpochs = new Option<int>("--cnn-cache-epochs") { Description = "Epochs per run in (i) part 2; epochs 2.. are timed.", DefaultValueFactory = _ => 2 };
var cnnParts = new Option<string>("--parts") { Description = "Parts of (i) to run: step, cache or step,cache.", DefaultValueFactory = _ => "step,cache" };
var cnn = new Command("cnn", "(i) CNN KD step: generated vs hand-written vs PyTorch 1.13 (plain and with KdDsl's malloc settings); cached CNN KD epoch vs the student alone.")
    { threads, cnnRounds, warmup, cnnSamples, cnnCacheSamples, cnnCacheRounds, cnnCacheEpochs, python, cnnParts };
cnn.SetAction(p => Setup(p.GetValue(threads), () => CnnBenchmark.Run(
    p.GetValue(cnnParts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    p.GetValue(cnnSamples), p.GetValue(cnnRounds), p.GetValue(warmup), p.GetValue(threads), p.GetValue(python)!,
    p.GetValue(cnnCacheSamples), p.GetValue(cnnCacheEpochs), p.GetValue(cnnCacheRounds))));

var root = new RootCommand("KdDsl benchmarks: each prints its figures and the ratio, measured side by side in one run.") { step, pytorch, cache, generator, all, precision, conv, convChild, augment, cnn };
return root.Parse(args).Invoke();

static int Setup(int? threads, Func<int> benchmark)
{
    // Wide tables stay readable when the output is redirected to a file (Spectre then assumes 80 columns).
    if (AnsiConsole.Profile.Width < 160) AnsiConsole.Profile.Width = 160;
#if DEBUG
    AnsiConsole.MarkupLine("[yellow]warning: a Debug build; run the benchmarks with -c Release.[/]");
#endif
    if (threads is { } n)
    {
        if (n < 1)
        {
            AnsiConsole.MarkupLine("[red]--threads must be at least 1.[/]");
            return 2;
        }
        torch.set_num_threads(n);
    }
    Machine.PrintHeader(threads ?? 0);
    // The declared experiments load their teacher from a relative checkpoint path: work in a private temporary folder.
    string work = Path.Combine(Path.GetTempPath(), $"kddsl-benchmarks-{Environment.ProcessId}");
    Directory.CreateDirectory(work);
    string previous = Environment.CurrentDirectory;
    Environment.CurrentDirectory = work;
    try
    {
        if (threads is not null) BenchData.WriteTeacherCheckpoint();
        return benchmark();
    }
    finally
    {
        Environment.CurrentDirectory = previous;
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
