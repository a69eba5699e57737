using System.IO;
using System.Linq;
using KdDsl.Reporting;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Reporting;

/// <summary>Progress written to a file or pipe is whole lines, and the last epoch of every phase is on the last line it wrote.</summary>
public sealed class LineProgressTests
{
    [Fact]
    public void Whole_lines_for_shown_epochs_and_each_phase_ends_on_its_last_epoch()
    {
        var writer = new StringWriter();
        var progress = new LineProgress(writer, "seed 7:");
        string[] names = { "CrossEntropy", "KlDivergence" };
        for (int epoch = 1; epoch <= 10; epoch++)
            for (int step = 1; step <= 3; step++)
                progress.Report(new TrainingProgress(TrainingPhase.Teacher, epoch, 10, step, 3, 1.0 / epoch));
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            for (int step = 1; step <= 3; step++)
                progress.Report(new TrainingProgress(TrainingPhase.Distillation, epoch, 2, step, 3, 0.5, names, new[] { 0.25, 0.75 }));
            Assert.DoesNotContain($"Distillation epoch {epoch}/2", writer.ToString()); // waits for the accuracy measured after it
            progress.Report(new EpochEvaluation(TrainingPhase.Distillation, epoch, 2, 0.9 + epoch / 100.0, "validation"));
        }

        string text = writer.ToString();
        Assert.EndsWith("\n", text);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(new[] { 1, 2, 4, 6, 8, 10 }, lines.Where(l => l.Contains("Teacher")).Select(l => int.Parse(l.Split("epoch ")[1].Split('/')[0])));
        Assert.Equal("seed 7: Teacher      epoch 10/10 loss 0.100", lines[5]);
        Assert.Equal("seed 7: Distillation epoch 2/2 loss 0.500 CrossEntropy 0.250 KlDivergence 0.750 | validation accuracy 92.0%", lines[^1]);
        Assert.Equal(8, lines.Length);
    }
}
