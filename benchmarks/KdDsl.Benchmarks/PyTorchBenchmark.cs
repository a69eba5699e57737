using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using KdDsl.Training;
using Spectre.Console;

namespace KdDsl.Benchmarks;

/// <summary>
/// (b) The generated KD loop against the same step in PyTorch 1.13 on the CPU. The PyTorch peer is a child process kept alive
/// for the whole benchmark (benchmarks/pytorch/kd_step.py --serve): each round asks it for one epoch and reads back its step
/// times, so PyTorch and TorchSharp rounds interleave (AB, BA, ...) in one run. The hand-written TorchSharp loop runs in the
/// same rotation, for reference.
/// </summary>
internal static class PyTorchBenchmark
{
    public static int Run(int trainSamples, int rounds, int warmup, int threads, string python)
    {
        var settings = BenchKd.DeclaredSettings;
        string script = Path.Combine(AppContext.BaseDirectory, "pytorch", "kd_step.py");
        AnsiConsole.MarkupLine($"[bold](b) generated KD loop vs PyTorch on the CPU[/]: same shapes, batch {settings.BatchSize}, float32, " +
            $"CE 0.1 + KL 0.9 at T = 4, Adam, {threads} threads on both sides; {trainSamples} random samples per round; " +
            $"{warmup} warm-up + {rounds} measured rounds, order rotated.");
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     script, "--serve", "--threads", threads.ToString(CultureInfo.InvariantCulture),
                     "--samples", trainSamples.ToString(CultureInfo.InvariantCulture),
                     "--batch", settings.BatchSize.ToString(CultureInfo.InvariantCulture),
                     "--lr", settings.LearningRate.ToString("R", CultureInfo.InvariantCulture),
                     "--temperature", "4", "--seed", settings.Seed.ToString(CultureInfo.InvariantCulture),
                 })
            start.ArgumentList.Add(argument);

        Process peer;
        try
        {
            peer = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[red]Could not start {Markup.Escape(python)}: {Markup.Escape(e.Message)}.[/] Install the peer with " +
                "`apt-get install --no-install-recommends python3-torch libopenblas0-openmp` (see docs/benchmarks.md) or pass --python.");
            return 3;
        }
        var stderr = new System.Text.StringBuilder();
        peer.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        peer.BeginErrorReadLine();
        using var _ = peer;
        string? ready = peer.StandardOutput.ReadLine();
        if (ready is null || !ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            peer.WaitForExit(5000);
            AnsiConsole.MarkupLine($"[red]The PyTorch peer did not start[/] ({Markup.Escape(python)} {Markup.Escape(script)}):");
            lock (stderr) AnsiConsole.WriteLine(stderr.ToString());
            return 3;
        }
        AnsiConsole.MarkupLine($"PyTorch peer: {Markup.Escape(ready[6..])}");

        using var data = BenchData.FashionMnistShaped(trainSamples, 512);
        using var teacher = BenchData.LoadTeacher();
        var generated = new Variant("generated", () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            using var result = BenchKd.Run(data, new RunOptions { Epochs = 1, Progress = clock });
            return clock.StepMs;
        });
        var handWritten = new Variant("hand-written TorchSharp", () =>
        {
            var clock = new StepClock(TrainingPhase.Distillation);
            HandWrittenKd.Train(teacher, data.Train, 1, settings.BatchSize, settings.LearningRate, settings.Seed, clock);
            return clock.StepMs;
        });
        var pytorch = new Variant("PyTorch", () =>
        {
            peer.StandardInput.WriteLine("round 1");
            peer.StandardInput.Flush();
            string line = peer.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException("The PyTorch peer exited: " + stderr);
            using var json = JsonDocument.Parse(line);
            return json.RootElement.GetProperty("step_ms").EnumerateArray().Select(e => e.GetDouble()).ToList();
        });

        using var monitor = new BusyMonitor();
        var results = Interleaved.Run(new List<Variant> { generated, pytorch, handWritten }, warmup, rounds);
        try
        {
            peer.Refresh();
            monitor.AddChildCpu(peer.TotalProcessorTime);
        }
        catch (InvalidOperationException)
        {
            // exited already: its CPU time is not counted as ours
        }
        peer.StandardInput.WriteLine("quit");
        peer.StandardInput.Flush();
        peer.WaitForExit(10000);

        Interleaved.Print("(b) ms per KD step, TorchSharp vs PyTorch", "ms/step", results, results[1]);
        double ratio = Stats.Median(Stats.PairedRatios(results[0], results[1]));
        AnsiConsole.MarkupLine($"generated (TorchSharp) / PyTorch = [bold]{Interleaved.F(ratio, "F3")}[/] " +
            $"({(ratio <= 1 ? "ours faster by " + Interleaved.F(100 * (1 / ratio - 1), "F1") + "%" : "PyTorch faster by " + Interleaved.F(100 * (ratio - 1), "F1") + "%")})");
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(monitor.Summary())} (the PyTorch child's CPU time counted as this benchmark's)[/]");
        Interleaved.Summary("b", "ms/step", results, results[1]);
        return 0;
    }
}
