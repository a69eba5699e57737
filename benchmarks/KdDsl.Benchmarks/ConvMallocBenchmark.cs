using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using KdDsl.Models;
using KdDsl.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Benchmarks;

/// <summary>
/// (f) One ResNet-20 training step (batch 128 of 1x28x28, SGD, 2 threads) under different C-allocator settings. Each variant
/// runs in its own child process (allocator settings are per process), the variants interleaved round by round with the
/// order rotated; ms/step, and user and system CPU seconds per step, are the medians over rounds.
/// </summary>
internal static class ConvMallocBenchmark
{
    private sealed record Variant(string Name, string Description, Dictionary<string, string> Environment, string Mallopt);

    private static readonly Variant[] Variants =
    {
        new("glibc", "glibc defaults (KDDSL_NATIVE_MEMORY=off)", new() { ["KDDSL_NATIVE_MEMORY"] = "off" }, "none"),
        new("kddsl", "KdDsl's NativeMemory.Configure (M_MMAP_MAX=0, M_TRIM_THRESHOLD=max)", new(), "none"),
        new("env4g", "MALLOC_MMAP_THRESHOLD_ = MALLOC_TRIM_THRESHOLD_ = 4 GiB (environment)",
            new() { ["MALLOC_MMAP_THRESHOLD_"] = "4294967296", ["MALLOC_TRIM_THRESHOLD_"] = "4294967296" }, "none"),
        new("thr32m", "mallopt M_MMAP_THRESHOLD=32 MiB, M_TRIM_THRESHOLD=max", new() { ["KDDSL_NATIVE_MEMORY"] = "off" }, "threshold"),
    };

    public static int Run(int rounds, int steps, int threads)
    {
        string self = typeof(ConvMallocBenchmark).Assembly.Location;
        var results = Variants.ToDictionary(v => v.Name, _ => new List<(double Ms, double User, double Sys)>());
        var notes = new Dictionary<string, string>();
        int nnpackLines = 0;
        if (AnsiConsole.Profile.Width < 200) AnsiConsole.Profile.Width = 200;
        AnsiConsole.MarkupLine(Markup.Escape($"(f) ResNet-20 step, batch 128 x 1x28x28, {threads} threads, {steps} timed steps per child, {rounds} rounds"));
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < Variants.Length; k++)
            {
                var variant = Variants[(k + round) % Variants.Length];
                var start = new ProcessStartInfo(Environment.ProcessPath!)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                if (!Environment.ProcessPath!.EndsWith(".Benchmarks", StringComparison.Ordinal)) start.ArgumentList.Add(self);
                foreach (var a in new[] { "conv-child", "--steps", steps.ToString(CultureInfo.InvariantCulture), "--threads",
                             threads.ToString(CultureInfo.InvariantCulture), "--mallopt", variant.Mallopt })
                    start.ArgumentList.Add(a);
                foreach (var (key, value) in variant.Environment) start.Environment[key] = value;
                using var child = Process.Start(start)!;
                var errorTask = child.StandardError.ReadToEndAsync();
                string output = child.StandardOutput.ReadToEnd();
                child.WaitForExit();
                string error = errorTask.Result;
                nnpackLines += error.Split('\n').Count(l => l.Contains("NNPACK", StringComparison.Ordinal));
                var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
                if (child.ExitCode != 0 || line is null)
                {
                    AnsiConsole.MarkupLine(Markup.Escape($"child {variant.Name} failed ({child.ExitCode}): {output} {error}"));
                    return 1;
                }
                var fields = line.Split(' ', 6);
                results[variant.Name].Add((Parse(fields[1]), Parse(fields[2]), Parse(fields[3])));
                notes[variant.Name] = fields.Length > 5 ? fields[5].Trim() : "";
                Console.WriteLine($"round {round + 1} {variant.Name,-7} {Parse(fields[1]),8:F1} ms/step  user {Parse(fields[2]):F3} s/step  sys {Parse(fields[3]):F3} s/step  peak RSS {fields[4]} MiB");
            }
        }
        double baseline = Median(results["glibc"].Select(r => r.Ms));
        var table = new Table().AddColumns("variant", "ms/step (median)", "user s/step", "sys s/step", "vs glibc defaults", "allocator status");
        foreach (var v in Variants)
        {
            var r = results[v.Name];
            double ms = Median(r.Select(x => x.Ms));
            table.AddRow(Markup.Escape(v.Description), ms.ToString("F1", CultureInfo.InvariantCulture),
                Median(r.Select(x => x.User)).ToString("F3", CultureInfo.InvariantCulture),
                Median(r.Select(x => x.Sys)).ToString("F3", CultureInfo.InvariantCulture),
                (ms / baseline).ToString("F3", CultureInfo.InvariantCulture), Markup.Escape(notes[v.Name]));
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"lines mentioning NNPACK on the children's stderr: {nnpackLines} over {rounds * Variants.Length} processes");
        return 0;
    }

    /// <summary>The child: prints "RESULT ms user sys peakRssMiB status".</summary>
    public static int Child(int steps, int threads, string mallopt)
    {
        torch.set_num_threads(threads);
        string status = NativeMemory.Status;
        if (mallopt == "threshold")
        {
            bool threshold = NativeMemory.TrySet(MallocOption.MmapThreshold, 32 << 20);
            bool trim = NativeMemory.TrySet(MallocOption.TrimThreshold, -1);
            status = $"M_MMAP_THRESHOLD=32MiB {(threshold ? "set" : "refused")}, trim {(trim ? "set" : "refused")}; " +
                     $"64 MiB {(NativeMemory.TrySet(MallocOption.MmapThreshold, 64 << 20) ? "set" : "refused")}";
            NativeMemory.TrySet(MallocOption.MmapThreshold, 32 << 20);
        }
        manual_seed(1);
        using var model = new ResNet20(1, 10);
        model.train();
        using var optimizer = optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        using var inputs = randn(128, 1, 28, 28);
        using var labels = randint(0, 10, new long[] { 128 });
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(inputs), labels);
            loss.backward();
            optimizer.step();
        }
        for (int i = 0; i < 3; i++) Step();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var user0 = process.UserProcessorTime;
        var sys0 = process.PrivilegedProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        double ms = clock.Elapsed.TotalMilliseconds / steps;
        process.Refresh();
        double user = (process.UserProcessorTime - user0).TotalSeconds / steps;
        double sys = (process.PrivilegedProcessorTime - sys0).TotalSeconds / steps;
        long peak = process.PeakWorkingSet64 >> 20;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {ms:F2} {user:F4} {sys:F4} {peak} {status}"));
        return 0;
    }

    private static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
