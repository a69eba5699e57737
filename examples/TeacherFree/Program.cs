using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using KdDsl.Data;
using KdDsl.Examples.TeacherFree;
using KdDsl.Reporting;
using KdDsl.Training;
using Spectre.Console;
using TorchSharp;

// Yuan et al. (CVPR 2020) on a Fashion-MNIST subset: the student alone, label smoothing, normal KD, reversed KD, defective KD,
// and the two teacher-free forms (self-training and the hand-made teacher), each for several seeds. docs/experiments/teacher-free.md
// records the setup and the latest figures.
var dataOption = new Option<string>("--data")
{
    Description = "Folder with the Fashion-MNIST IDX files (train-images-idx3-ubyte.gz, ...).",
    DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
};
var seedsOption = new Option<int>("--seeds") { Description = "How many seeds to run per method (42, 43, ...).", DefaultValueFactory = _ => 3 };
var trainOption = new Option<int>("--train-limit") { Description = "Training images used: the first N of the 60,000.", DefaultValueFactory = _ => 10_000 };
var testOption = new Option<int>("--test-limit") { Description = "Test images used: the first N of the 10,000 (0 = all).", DefaultValueFactory = _ => 0 };
var epochsOption = new Option<int?>("--epochs") { Description = "Override the declared 15 epochs (students and teachers) for a quick smoke run." };
var markdownOption = new Option<bool>("--markdown") { Description = "Also print the result tables as Markdown." };
var threadsOption = new Option<int>("--threads")
{
    Description = "Torch CPU threads. Default 1: on a shared 2-core machine two threads spin against other jobs and ran 7x slower.",
    DefaultValueFactory = _ => 1,
};
var root = new RootCommand("Teacher-free KD (Yuan et al., CVPR 2020) on Fashion-MNIST: LS, KD, Re-KD, De-KD, Tf-KD self and Tf-KD reg.")
{
    dataOption, seedsOption, trainOption, testOption, epochsOption, markdownOption, threadsOption,
};
root.SetAction(parsed => TeacherFreeProgram.Run(
    parsed.GetValue(dataOption)!, parsed.GetValue(seedsOption), parsed.GetValue(trainOption), parsed.GetValue(testOption),
    parsed.GetValue(epochsOption), parsed.GetValue(markdownOption), parsed.GetValue(threadsOption)));
return root.Parse(args).Invoke();

/// <summary>What one run of one method produced, kept after the models are disposed.</summary>
internal sealed record RunRecord(int Seed, double StudentAccuracy, double? TeacherAccuracy, double? StudentAloneAccuracy, TimeSpan Elapsed, string? Note = null);

/// <summary>One method of the table: how to run it for a seed, and which row it is compared with.</summary>
internal sealed record Method(
    string Name, string Teacher, string Student, int Phases, Func<DatasetSplits, RunOptions, RunRecord> Run, string? ComparedWith);

/// <summary>A line of the final table: a method's records, or the student-alone baseline carried inside another method's runs.</summary>
internal sealed record TableRow(string Name, string Teacher, string Student, IReadOnlyList<RunRecord> Records, Func<RunRecord, double> Accuracy, string? ComparedWith);

internal static class TeacherFreeProgram
{
    private const string BigAlone = "BigMlp alone";

    public static int Run(string directory, int seedCount, int trainLimit, int testLimit, int? epochs, bool markdown, int threads)
    {
        if (seedCount < 1) return Fail("--seeds must be at least 1.");
        if (trainLimit < 0 || testLimit < 0) return Fail("--train-limit and --test-limit must be 0 (all) or positive.");
        if (epochs is < 1) return Fail("--epochs must be at least 1.");
        if (threads < 1) return Fail("--threads must be at least 1.");
        torch.set_num_threads(threads);
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

        DatasetSplits data;
        try
        {
            data = FashionMnist.Load(directory, trainLimit, testLimit);
        }
        catch (DatasetException e)
        {
            return Fail(e.Message);
        }

        using (data)
        {
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Fashion-MNIST from {directory}: {data.Train.Count} training and {data.Test.Count} test images; seeds " +
                $"{string.Join(", ", Enumerable.Range(Baseline.DeclaredSettings.Seed, seedCount))}; " +
                $"{epochs ?? Baseline.DeclaredSettings.Epochs} epochs, batch {Baseline.DeclaredSettings.BatchSize}, " +
                $"Adam lr {Baseline.DeclaredSettings.LearningRate.ToString(CultureInfo.InvariantCulture)}; {threads} torch thread(s) on {Environment.ProcessorCount} CPU cores."));

            var methods = Methods();
            var records = methods.ToDictionary(m => m.Name, _ => new List<RunRecord>());
            var clock = Stopwatch.StartNew();
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    foreach (var method in methods)
                    {
                        var task = context.AddTask(Markup.Escape(method.Name), maxValue: seedCount * method.Phases);
                        for (int i = 0; i < seedCount; i++)
                        {
                            int seed = Baseline.DeclaredSettings.Seed + i;
                            var progress = new RowProgress(task, method, seed, i);
                            records[method.Name].Add(method.Run(data, new RunOptions { Seed = seed, Epochs = epochs, Progress = progress }));
                        }
                        task.Value = task.MaxValue;
                        task.Description = Markup.Escape($"{method.Name}: done ({records[method.Name].Sum(r => r.Elapsed.TotalSeconds):F0} s)");
                    }
                });
            clock.Stop();

            var rows = TableRows(methods, records);
            AnsiConsole.Write(SeedTable(rows, seedCount));
            AnsiConsole.Write(SummaryTable(rows));
            foreach (var r in records["De-KD"].Where(r => r.Note is not null))
                AnsiConsole.MarkupLine(Markup.Escape($"De-KD teacher, seed {r.Seed}: {r.Note}"));
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Training wall time {clock.Elapsed.TotalSeconds:F0} s ({clock.Elapsed.TotalMinutes:F1} min) for {methods.Count} methods x {seedCount} seeds. " +
                "Δ is paired per seed (same initial weights, same batch order) against the row named in 'vs'."));
            if (markdown) PrintMarkdown(rows, seedCount);
        }
        return 0;
    }

    /// <summary>The methods, in the order they run. The Re-KD runs also train the big model alone (StudentBaseline).</summary>
    private static List<Method> Methods() => new()
    {
        new("Baseline (CE)", "-", "SmallMlp", 1, (d, o) => { using var r = Baseline.Run(d, o); return Record(r); }, null),
        new("LS (e = 0.1)", "-", "SmallMlp", 1, (d, o) => { using var r = SmoothedLabels.Run(d, o); return Record(r); }, "Baseline (CE)"),
        new("KD", "BigMlp", "SmallMlp", 2, (d, o) => { using var r = NormalKd.Run(d, o); return Record(r); }, "Baseline (CE)"),
        new("De-KD", "BigMlp, stopped at 50% train acc.", "SmallMlp", 2, (d, o) =>
        {
            using var r = DefectiveKd.Run(d, o);
            var t = r.TeacherTraining!;
            int epochsTrained = t.EpochLosses.Count;
            string note = t.StoppedAtTargetAccuracy
                ? $"stopped in epoch {epochsTrained} at >= 50% training accuracy, test accuracy {Percent(r.TeacherAccuracy)}"
                : $"never reached 50% training accuracy in {epochsTrained} epochs, test accuracy {Percent(r.TeacherAccuracy)}";
            return Record(r, note);
        }, "Baseline (CE)"),
        new("Tf-KD self", "SmallMlp (itself, CE-trained)", "SmallMlp", 2, (d, o) => { using var r = TfKdSelf.Run(d, o); return Record(r); }, "Baseline (CE)"),
        new("Tf-KD reg (paper form)", "hand-made, a = 0.99, T = 40", "SmallMlp", 1, (d, o) => { using var r = TfKdRegPaper.Run(d, o); return Record(r); }, "Baseline (CE)"),
        new("Tf-KD reg (code form)", "hand-made, a = 0.99, T = 40", "SmallMlp", 1, (d, o) => { using var r = TfKdRegCode.Run(d, o); return Record(r); }, "Baseline (CE)"),
        new("Re-KD", "SmallMlp", "BigMlp", 3, (d, o) => { using var r = ReversedKd.Run(d, o); return Record(r); }, BigAlone),
    };

    private static RunRecord Record(IDistillationResult r, string? note = null) =>
        new(r.Settings.Seed, r.StudentAccuracy, r.TeacherAccuracy, r.StudentAloneAccuracy, r.Elapsed, note);

    private static List<TableRow> TableRows(List<Method> methods, Dictionary<string, List<RunRecord>> records)
    {
        var rows = new List<TableRow>();
        foreach (var m in methods)
        {
            if (m.Name == "Re-KD")
                rows.Add(new TableRow(BigAlone, "-", "BigMlp", records[m.Name], r => r.StudentAloneAccuracy!.Value, null));
            rows.Add(new TableRow(m.Name, m.Teacher, m.Student, records[m.Name], r => r.StudentAccuracy, m.ComparedWith));
        }
        return rows;
    }

    private static Table SeedTable(List<TableRow> rows, int seedCount)
    {
        var table = new Table().Title("Test accuracy per seed (teacher accuracy in brackets)").AddColumn("Method");
        foreach (var seed in rows[0].Records.Select(r => r.Seed)) table.AddColumn(new TableColumn($"seed {seed}").RightAligned());
        foreach (var row in rows)
            table.AddRow(new[] { Markup.Escape(row.Name) }.Concat(row.Records.Select(r =>
                Percent(row.Accuracy(r)) + (r.TeacherAccuracy is double t && row.Name != BigAlone ? $" ({Percent(t)})" : ""))).ToArray());
        return table;
    }

    private static Table SummaryTable(List<TableRow> rows)
    {
        var table = new Table().Title($"Teacher-free KD on Fashion-MNIST: test accuracy, mean ± std over {rows[0].Records.Count} seeds")
            .AddColumns("Method", "Teacher", "Student")
            .AddColumn(new TableColumn("Teacher acc.").RightAligned())
            .AddColumn(new TableColumn("Student acc.").RightAligned())
            .AddColumn(new TableColumn("Δ (paired)").RightAligned())
            .AddColumn("vs")
            .AddColumn(new TableColumn("seeds better").RightAligned())
            .AddColumn(new TableColumn("time").RightAligned());
        foreach (var row in rows)
        {
            var (delta, better) = Compare(row, rows);
            table.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Teacher), row.Student, TeacherCell(row), MeanStd(row.Records.Select(row.Accuracy)),
                delta, Markup.Escape(row.ComparedWith ?? ""), better, Seconds(row));
        }
        return table;
    }

    private static string TeacherCell(TableRow row) =>
        row.Name != BigAlone && row.Records.All(r => r.TeacherAccuracy is not null)
            ? MeanStd(row.Records.Select(r => r.TeacherAccuracy!.Value))
            : "-";

    private static (string Delta, string Better) Compare(TableRow row, List<TableRow> rows)
    {
        if (row.ComparedWith is null) return ("", "");
        var other = rows.Single(r => r.Name == row.ComparedWith);
        var differences = row.Records.Zip(other.Records, (a, b) => row.Accuracy(a) - other.Accuracy(b)).ToList();
        var (mean, std) = Statistics.MeanStd(differences);
        return ($"{Points(mean)} ± {100 * std:F2}", $"{differences.Count(d => d > 0)}/{differences.Count}");
    }

    private static void PrintMarkdown(List<TableRow> rows, int seedCount)
    {
        Console.WriteLine();
        Console.WriteLine("| method | teacher | student | teacher acc. | student acc. | Δ (paired) | vs | seeds better | time |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var (delta, better) = Compare(row, rows);
            Console.WriteLine($"| {row.Name} | {row.Teacher} | {row.Student} | {TeacherCell(row)} | {MeanStd(row.Records.Select(row.Accuracy))} | {delta} | {row.ComparedWith} | {better} | {Seconds(row)} |");
        }
        Console.WriteLine();
        Console.WriteLine("| method | " + string.Join(" | ", rows[0].Records.Select(r => $"seed {r.Seed}")) + " |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---|", seedCount)));
        foreach (var row in rows)
            Console.WriteLine($"| {row.Name} | " + string.Join(" | ", row.Records.Select(r =>
                Percent(row.Accuracy(r)) + (r.TeacherAccuracy is double t && row.Name != BigAlone ? $" (teacher {Percent(t)})" : ""))) + " |");
    }

    /// <summary>Wall time of the row's runs; the big model alone is trained inside the Re-KD runs and has no time of its own.</summary>
    private static string Seconds(TableRow row) => row.Name == BigAlone ? "(in Re-KD)" : $"{row.Records.Sum(r => r.Elapsed.TotalSeconds):F0} s";

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLine($"[red]{Markup.Escape(message)}[/]");
        return 1;
    }

    internal static string Percent(double accuracy) => (100 * accuracy).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static string Points(double difference) => (100 * difference).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static string MeanStd(IEnumerable<double> accuracies)
    {
        var (mean, std) = Statistics.MeanStd(accuracies);
        return $"{100 * mean:F2} ± {100 * std:F2}%";
    }
}

/// <summary>Moves a method's progress bar through its seeds and phases, fed by the generated loop's step reports.</summary>
internal sealed class RowProgress(ProgressTask task, Method method, int seed, int seedIndex) : IProgress<TrainingProgress>
{
    private readonly List<TrainingPhase> phases = new();

    public void Report(TrainingProgress value)
    {
        if (!phases.Contains(value.Phase)) phases.Add(value.Phase);
        double done = (double)(value.Epoch - 1) / value.Epochs + (double)value.Step / ((double)value.Epochs * value.StepsPerEpoch);
        task.Value = Math.Min(task.MaxValue, seedIndex * method.Phases + phases.Count - 1 + done);
        task.Description = Markup.Escape($"{method.Name}: seed {seed}, {value.Phase} epoch {value.Epoch}/{value.Epochs}, loss {value.Loss:F3}");
    }
}
