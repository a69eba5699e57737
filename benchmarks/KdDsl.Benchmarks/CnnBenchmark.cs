using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using KdDsl.Training;
using Spectre.Console;
using TorchSharp;

namespace KdDsl.Benchmarks;

/// <summary>
/// (i) The targets of issue 14 on a CNN. Part 1: one KD step (ResNet-20 teacher on every batch, SmallCnn student, batch 128 of
/// 1x28x28) through the generated loop (BenchCnnKd), a hand-written TorchSharp loop (HandWrittenCnnKd) and PyTorch 1.13
/// (benchmarks/pytorch/cnn_kd_step.py) twice: in the plain environment users run it in, and with the C-allocator settings
/// KdDsl applies to itself (NativeMemory: M_MMAP_MAX = 0, M_TRIM_THRESHOLD = max) given to it as glibc's environment
/// variables; all four interleaved. Part 2: ms per distillation epoch with the teacher's outputs cached in memory vs the
/// student alone vs the teacher on every batch, through the generated loops, like (c).
/// </summary>
internal static class CnnBenchmark
{
    public const double StepTarget = 0.02;
    public const double CacheTarget = 0.05;

    /// <summary>glibc's environment equivalents of KdDsl's mallopt settings (NativeMemory): no mmap'ed requests, (practically) never trim.</summary>
    public static readonly IReadOnlyDictionary<string, string> SameMallocEnvironment = new Dictionary<string, string>
    {
        ["MALLOC_MMAP_MAX_"] = "0",
        ["MALLOC_TRIM_THRESHOLD_"] = "4294967296",
    };

    public static int Run(IReadOnlyCollection<string> parts, int trainSamples, int rounds, int warmup, int threads, string python,
        int cacheSamples, int cacheEpochs, int cacheRounds)
    {
        BenchData.WriteCnnTeacherCheckpoint();
        AnsiConsole.MarkupLine(Markup.Escape($"KdDsl's own allocator set-up in this process: {NativeMemory.Status}"));
        int failures = 0;
        if (parts.Contains("step")) failures += Step(trainSamples, rounds, warmup, threads, python) == 0 ? 0 : 1;
        if (parts.Contains("cache")) failures += Cache(cacheSamples, cacheEpochs, cacheRounds, warmup) == 0 ? 0 : 1;
        return failures == 0 ? 0 : 1;
    }

    private static int Step(int trainSamples, int rounds, int warmup, int threads, string python)
    {
        var settings = BenchCnnKd.DeclaredSettings;
        AnsiConsole.MarkupLine($"[bold](i) part 1, CNN KD step[/]: teacher ResNet-20 (checkpoint, eval, no_grad), student SmallCnn (3 blocks, width 16), " +
            $"images 1x28x28, batch {settings.BatchSize}, float32, CE 0.5 + KL 0.5 at T = 4, Adam {settings.LearningRate}; {trainSamples} random images " +
            $"({Batches.StepsPerEpoch(trainSamples, settings.BatchSize)} steps per round, the first of each not timed), {threads} threads everywhere; " +
            $"{warmup} warm-up + {rounds} measured rounds, order rotated every round.");
        var plainEnvironment = new Dictionary<string, string?>();
        foreach (string name in new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" })
            plainEnvironment[name] = null;
        var sameMalloc = SameMallocEnvironment.ToDictionary(p => p.Key, p => (string?)p.Value);
        sameMalloc["MALLOC_MMAP_THRESHOLD_"] = null;
        sameMalloc["MALLOC_TOP_PAD_"] = null;
        sameMalloc["GLIBC_TUNABLES"] = null;
        string[] arguments =
        {
            "--serve", "--threads", threads.ToString(CultureInfo.InvariantCulture),
            "--samples", trainSamples.ToString(CultureInfo.InvariantCulture),
            "--batch", settings.BatchSize.ToString(CultureInfo.InvariantCulture),
            "--lr", settings.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            "--temperature", "4", "--ce-weight", "0.5", "--kl-weight", "0.5", "--seed", settings.Seed.ToString(CultureInfo.InvariantCulture),
        };
        using var plain = PyTorchPeer.Start(python, "cnn_kd_step.py", arguments, plainEnvironment);
        if (plain is null) return 3;
        using var same = PyTorchPeer.Start(python, "cnn_kd_step.py", arguments, sameMalloc);
        if (same is null) return 3;
        AnsiConsole.MarkupLine($"PyTorch peer, plain environment: {Markup.Escape(plain.Ready)}");
        AnsiConsole.MarkupLine($"PyTorch peer, KdDsl's malloc settings as environment variables: {Markup.Escape(same.Ready)}");

        using var data = BenchData.FashionMnistImages(trainSamples, 256);
        using var teacher = BenchData.LoadCnnTeacher();
        var generated = new Variant("generated", () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            using var result = BenchCnnKd.Run(data, new RunOptions { Epochs = 1, Progress = clock });
            return clock.StepMs;
        });
        var handWritten = new Variant("hand-written TorchSharp", () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            HandWrittenCnnKd.Train(teacher, data.Train, 1, settings.BatchSize, settings.LearningRate, settings.Seed, clock);
            return clock.StepMs;
        });
        var pytorchPlain = new Variant("PyTorch 1.13, plain environment", plain.Round);
        var pytorchSame = new Variant("PyTorch 1.13, MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4GiB", same.Round);

        using var monitor = new BusyMonitor();
        var results = Interleaved.Run(new List<Variant> { generated, handWritten, pytorchPlain, pytorchSame }, warmup, rounds);
        monitor.AddChildCpu(plain.CpuTime());
        monitor.AddChildCpu(same.CpuTime());
        plain.Quit();
        same.Quit();

        Interleaved.Print("(i) ms per CNN KD step", "ms/step", results, results[1]);
        double Ratio(int a, int b) => Stats.Median(Stats.PairedRatios(results[a], results[b]));
        string Iqr(int a, int b)
        {
            var paired = Stats.PairedRatios(results[a], results[b]);
            return $"IQR {Interleaved.F(Stats.Quantile(paired, 0.25), "F3")}..{Interleaved.F(Stats.Quantile(paired, 0.75), "F3")}";
        }
        double overHand = Ratio(0, 1), overPlain = Ratio(0, 2), overSame = Ratio(0, 3);
        AnsiConsole.MarkupLine($"generated / hand-written = [bold]{Interleaved.F(overHand, "F3")}[/] ({Iqr(0, 1)}); target within {100 * StepTarget:F0}%: " +
            (Math.Abs(overHand - 1) <= StepTarget ? "[green]met[/]" : "[red]not met[/]"));
        AnsiConsole.MarkupLine($"generated / PyTorch plain = [bold]{Interleaved.F(overPlain, "F3")}[/] ({Iqr(0, 2)}); target no slower: " +
            (overPlain <= 1 ? "[green]met[/]" : "[red]not met[/]"));
        AnsiConsole.MarkupLine($"generated / PyTorch same malloc = [bold]{Interleaved.F(overSame, "F3")}[/] ({Iqr(0, 3)}); " +
            $"hand-written / PyTorch plain = {Interleaved.F(Ratio(1, 2), "F3")}; PyTorch same malloc / PyTorch plain = {Interleaved.F(Ratio(3, 2), "F3")}");
        AnsiConsole.MarkupLine(Markup.Escape($"PyTorch CPU per step (median over rounds): plain user {plain.UserPerStep:F3} s sys {plain.SysPerStep:F3} s; " +
            $"same malloc user {same.UserPerStep:F3} s sys {same.SysPerStep:F3} s"));
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(monitor.Summary())} (the PyTorch children's CPU time counted as this benchmark's)[/]");
        Interleaved.Summary("i1", "ms/step", results, results[1]);
        Console.WriteLine($"RESULT i1 | generated / PyTorch plain | {Interleaved.F(overPlain, "F3")} | {Iqr(0, 2)}");
        Console.WriteLine($"RESULT i1 | generated / PyTorch same malloc | {Interleaved.F(overSame, "F3")} | {Iqr(0, 3)}");
        Console.WriteLine($"RESULT i1 | PyTorch sys s/step | plain {plain.SysPerStep:F4} | same malloc {same.SysPerStep:F4}");
        return 0;
    }

    private static int Cache(int trainSamples, int epochsPerRun, int rounds, int warmup)
    {
        var settings = BenchCnnKdCached.DeclaredSettings;
        AnsiConsole.MarkupLine($"[bold](i) part 2, cached CNN KD epoch[/]: time per distillation epoch through the generated loops, {trainSamples} random images 1x28x28 " +
            $"({Batches.StepsPerEpoch(trainSamples, settings.BatchSize)} steps of {settings.BatchSize}), {epochsPerRun} epochs per run " +
            $"(epochs 2..{epochsPerRun} timed, the per-epoch evaluation left out), {warmup} warm-up + {rounds} measured rounds, order rotated.");
        if (epochsPerRun < 2)
        {
            AnsiConsole.MarkupLine("[red]--cnn-cache-epochs must be at least 2 (the first epoch is not timed).[/]");
            return 2;
        }
        using var data = BenchData.FashionMnistImages(trainSamples, 256);
        using var teacher = BenchData.LoadCnnTeacher();
        var options = new RunOptions { Epochs = epochsPerRun };
        IReadOnlyList<double> Epochs(Func<StepClock, IDisposable> run)
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            using (run(clock)) { }
            return clock.EpochMs;
        }
        var cached = new Variant("KD, cached teacher outputs", () => Epochs(c => BenchCnnKdCached.Run(data, options with { Progress = c })));
        var alone = new Variant("student alone (CE)", () => Epochs(c => BenchCnnStudentAlone.Run(data, options with { Progress = c })));
        var uncached = new Variant("KD, teacher every batch", () => Epochs(c => BenchCnnKd.Run(data, options with { Progress = c })));
        // Diagnostic, not part of the target: the same cached KD epoch written by hand (what a cached KD epoch costs at least).
        var handCached = new Variant("diagnostic: hand-written cached KD", () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            using var outputs = TeacherOutputCache.InMemory(teacher, data.Train, settings.BatchSize, torch.CPU);
            HandWrittenCnnKd.Train(teacher, data.Train, epochsPerRun, settings.BatchSize, settings.LearningRate, settings.Seed, clock, outputs.Logits);
            return clock.EpochMs;
        });
        var build = new Variant("cache build (one-off per run)", () =>
        {
            long start = Stopwatch.GetTimestamp();
            using var outputs = TeacherOutputCache.InMemory(teacher, data.Train, settings.BatchSize, torch.CPU);
            return new[] { Stopwatch.GetElapsedTime(start).TotalMilliseconds };
        });

        using var monitor = new BusyMonitor();
        var results = Interleaved.Run(new List<Variant> { cached, alone, uncached, handCached, build }, warmup, rounds);
        var epochResults = new[] { results[0], results[1], results[2], results[3] };
        Interleaved.Print("(i) ms per CNN distillation epoch", "ms/epoch", epochResults, results[1]);
        double cachedRatio = Stats.Median(Stats.PairedRatios(results[0], results[1]));
        var pairedCached = Stats.PairedRatios(results[0], results[1]);
        double uncachedRatio = Stats.Median(Stats.PairedRatios(results[2], results[1]));
        double handRatio = Stats.Median(Stats.PairedRatios(results[3], results[1]));
        double generatedOverHand = Stats.Median(Stats.PairedRatios(results[0], results[3]));
        double buildMs = results[4].Median;
        bool met = cachedRatio <= 1 + CacheTarget;
        AnsiConsole.MarkupLine($"cached / student alone = [bold]{Interleaved.F(cachedRatio, "F3")}[/] ({Interleaved.F(100 * (cachedRatio - 1), "+0.0;-0.0")}%, " +
            $"IQR {Interleaved.F(Stats.Quantile(pairedCached, 0.25), "F3")}..{Interleaved.F(Stats.Quantile(pairedCached, 0.75), "F3")}); " +
            $"target within {100 * CacheTarget:F0}%: {(met ? "[green]met[/]" : "[red]not met[/]")}");
        AnsiConsole.MarkupLine($"uncached / student alone = {Interleaved.F(uncachedRatio, "F3")}; uncached / cached = " +
            $"{Interleaved.F(Stats.Median(Stats.PairedRatios(results[2], results[0])), "F2")}x");
        AnsiConsole.MarkupLine($"diagnostic: hand-written cached KD / student alone = {Interleaved.F(handRatio, "F3")}; generated cached / hand-written cached = " +
            $"{Interleaved.F(generatedOverHand, "F3")}");
        AnsiConsole.MarkupLine($"cache build (teacher over the {trainSamples} training images, once per run): median {Interleaved.F(buildMs, "F1")} ms " +
            $"= {Interleaved.F(buildMs / results[0].Median, "F2")} cached epochs; amortised over 10 epochs the cached epoch costs " +
            $"{Interleaved.F(results[0].Median + buildMs / 10, "F1")} ms ({Interleaved.F((results[0].Median + buildMs / 10) / results[1].Median, "F3")} x student alone)");
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(monitor.Summary())}[/]");
        Interleaved.Summary("i2", "ms/epoch", epochResults, results[1]);
        Console.WriteLine($"RESULT i2 | cache build | {Interleaved.F(buildMs, "F3")} ms/run |");
        return 0;
    }
}

/// <summary>
/// A PyTorch peer kept alive for a whole benchmark (the --serve protocol of benchmarks/pytorch/*.py): "READY json" once, then
/// one JSON line per "round n" request.
/// </summary>
internal sealed class PyTorchPeer : IDisposable
{
    private readonly Process process;
    private readonly System.Text.StringBuilder stderr;
    private readonly List<double> userPerStep = new();
    private readonly List<double> sysPerStep = new();

    private PyTorchPeer(Process process, string ready, System.Text.StringBuilder stderr)
    {
        this.process = process;
        this.stderr = stderr;
        Ready = ready;
    }

    /// <summary>The peer's READY line, less "READY ".</summary>
    public string Ready { get; }

    /// <summary>Median over rounds of the peer's user CPU seconds per step.</summary>
    public double UserPerStep => Stats.Median(userPerStep);

    /// <summary>Median over rounds of the peer's system CPU seconds per step.</summary>
    public double SysPerStep => Stats.Median(sysPerStep);

    /// <summary>
    /// Starts <paramref name="script"/> (next to this program, in pytorch/) with <paramref name="python"/>; environment variables
    /// mapped to null are removed from the child's environment. Null (and a message printed) when it does not start.
    /// </summary>
    public static PyTorchPeer? Start(string python, string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "pytorch", script);
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(path);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[red]Could not start {Markup.Escape(python)}: {Markup.Escape(e.Message)}.[/] Install the peer with " +
                "`apt-get install --no-install-recommends python3-torch libopenblas0-openmp` (see docs/benchmarks.md) or pass --python.");
            return null;
        }
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        string? ready = process.StandardOutput.ReadLine();
        if (ready is null || !ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            process.WaitForExit(5000);
            AnsiConsole.MarkupLine($"[red]The PyTorch peer did not start[/] ({Markup.Escape(python)} {Markup.Escape(path)}):");
            lock (errors) AnsiConsole.WriteLine(errors.ToString());
            process.Dispose();
            return null;
        }
        return new PyTorchPeer(process, ready[6..], errors);
    }

    /// <summary>One round (one epoch of a fresh student); returns its step times and records its CPU time per step.</summary>
    public IReadOnlyList<double> Round()
    {
        process.StandardInput.WriteLine("round 1");
        process.StandardInput.Flush();
        string line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The PyTorch peer exited: " + Errors());
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        if (root.TryGetProperty("steps", out var steps) && steps.GetInt32() > 0)
        {
            userPerStep.Add(root.GetProperty("user_s").GetDouble() / steps.GetInt32());
            sysPerStep.Add(root.GetProperty("sys_s").GetDouble() / steps.GetInt32());
        }
        return root.GetProperty("step_ms").EnumerateArray().Select(e => e.GetDouble()).ToList();
    }

    private string Errors()
    {
        lock (stderr) return stderr.ToString();
    }

    /// <summary>The peer's CPU time so far (zero once it has exited).</summary>
    public TimeSpan CpuTime()
    {
        try
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }

    public void Quit()
    {
        try
        {
            process.StandardInput.WriteLine("quit");
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // exited already
        }
        process.WaitForExit(10000);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
        }
        process.Dispose();
    }
}
