using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Spectre.Console;

namespace KdDsl.Benchmarks;

/// <summary>What the benchmark ran on, and how busy the machine was while it ran.</summary>
internal static class Machine
{
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The 1-, 5- and 15-minute load averages from /proc/loadavg.</summary>
    public static (double One, double Five, double Fifteen) LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return (Parse(parts[0]), Parse(parts[1]), Parse(parts[2]));
        }
        catch (IOException)
        {
            return (double.NaN, double.NaN, double.NaN);
        }
        static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);
    }

    public static string FormatLoad((double One, double Five, double Fifteen) load) =>
        string.Create(CultureInfo.InvariantCulture, $"{load.One:F2} / {load.Five:F2} / {load.Fifteen:F2}");

    public static void PrintHeader(int threads)
    {
        AnsiConsole.MarkupLine($"[bold]KdDsl benchmarks[/]  {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz}");
        AnsiConsole.MarkupLine(Markup.Escape(
            $"machine: {Environment.ProcessorCount} logical CPUs (nproc), CPU '{CpuModel()}', .NET {Environment.Version}, " +
            $"torch threads {threads}, load average (1/5/15 min) {FormatLoad(LoadAverage())}"));
    }
}

/// <summary>
/// Samples /proc/loadavg every few seconds and accounts the CPU time the machine spent outside this process (and its
/// children) while a benchmark ran: the honest measure of interference, since the load average counts our own threads too.
/// </summary>
internal sealed class BusyMonitor : IDisposable
{
    private readonly Timer timer;
    private readonly System.Collections.Generic.List<double> loadSamples = new();
    private readonly (double One, double Five, double Fifteen) startLoad;
    private readonly long startBusy, startTotal;
    private readonly TimeSpan startOwn;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan childCpu;

    public BusyMonitor()
    {
        startLoad = Machine.LoadAverage();
        (startBusy, startTotal) = CpuJiffies();
        startOwn = Process.GetCurrentProcess().TotalProcessorTime;
        timer = new Timer(_ => { lock (loadSamples) loadSamples.Add(Machine.LoadAverage().One); }, null, 0, 5000);
    }

    /// <summary>CPU time used by child processes (the PyTorch peer), added before they exit.</summary>
    public void AddChildCpu(TimeSpan cpu) => childCpu += cpu;

    public string Summary()
    {
        var (busy, total) = CpuJiffies();
        double ticks = 100.0; // USER_HZ
        double wall = clock.Elapsed.TotalSeconds;
        double machineBusyCores = (busy - startBusy) / ticks / wall;
        double ownCores = ((Process.GetCurrentProcess().TotalProcessorTime - startOwn) + childCpu).TotalSeconds / wall;
        double[] samples;
        lock (loadSamples) samples = loadSamples.ToArray();
        double maxLoad = samples.Length > 0 ? samples.Max() : double.NaN;
        double meanLoad = samples.Length > 0 ? samples.Average() : double.NaN;
        return string.Create(CultureInfo.InvariantCulture,
            $"wall {wall:F1} s; load average (1 min) at start {startLoad.One:F2}, during run mean {meanLoad:F2} max {maxLoad:F2}, at end {Machine.LoadAverage().One:F2}; " +
            $"CPU busy {machineBusyCores:F2} cores of {Environment.ProcessorCount}, of which this benchmark {ownCores:F2} and other processes {Math.Max(0, machineBusyCores - ownCores):F2}");
    }

    /// <summary>(busy, total) jiffies of all CPUs from /proc/stat; busy = user + nice + system + irq + softirq (+ steal counted as busy elsewhere).</summary>
    private static (long Busy, long Total) CpuJiffies()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal ...
            long busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6];
            long total = fields.Take(8).Sum();
            return (busy, total);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }

    public void Dispose() => timer.Dispose();
}
