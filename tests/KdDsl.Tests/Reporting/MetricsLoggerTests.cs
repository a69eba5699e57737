using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using KdDsl.Reporting;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Reporting;

/// <summary>The metrics files of a real run: CSV per step, JSON lines per epoch, TensorBoard events, loss curves.</summary>
public sealed class MetricsLoggerTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kddsl-metrics-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void A_run_logs_every_step_and_epoch_of_every_phase()
    {
        TinyDigitsKd.Result result;
        using (var logger = new MetricsLogger(folder))
        {
            result = TinyDigitsKd.Run(new RunOptions { Progress = logger });
            logger.SaveLossCurves(Path.Combine(folder, "loss.png"));
        }
        using var _ = result;

        // Per step: 400 samples / 32 = 13 steps per epoch, 3 distillation epochs; each row's total is the declared weighted sum.
        var rows = File.ReadAllLines(Path.Combine(folder, "Distillation.steps.csv"));
        Assert.Equal("epoch,step,total,CrossEntropy,KlDivergence", rows[0]);
        Assert.Equal(1 + 3 * 13, rows.Length);
        foreach (var row in rows.Skip(1).Select(r => r.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()))
            Assert.Equal(0.25 * row[3] + 0.75 * row[4], row[2], 9);
        Assert.Equal(1 + 4 * 13, File.ReadAllLines(Path.Combine(folder, "Teacher.steps.csv")).Length);

        // Per epoch: the logger's own means agree with the loop's typed result.
        var epochs = File.ReadAllLines(Path.Combine(folder, "epochs.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4 + 3 + 3, epochs.Count);
        var distillation = epochs.Where(e => e.GetProperty("phase").GetString() == "Distillation").ToList();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(result.Epochs[i].Total, distillation[i].GetProperty("total").GetDouble(), 9);
            Assert.Equal(result.Epochs[i].KlDivergence, distillation[i].GetProperty("terms").GetProperty("KlDivergence").GetDouble(), 9);
        }

        var events = Directory.GetFiles(Path.Combine(folder, "tensorboard"), "events.out.tfevents*", SearchOption.AllDirectories);
        Assert.NotEmpty(events);
        Assert.True(new FileInfo(events[0]).Length > 1000);
        var png = File.ReadAllBytes(Path.Combine(folder, "loss.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4));
    }
}
