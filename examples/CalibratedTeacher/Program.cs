using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using KdDsl.Calibration;
using KdDsl.Data;
using KdDsl.Examples.CalibratedTeacher;
using KdDsl.Reporting;
using KdDsl.Training;
using Spectre.Console;
using static TorchSharp.torch;

// Teacher size versus student accuracy, with and without a temperature-scaled teacher (Yang and Song, 2021), on a
// Fashion-MNIST subset: four teachers of increasing width, each distilled into the same student, over several seeds.
var dataOption = new Option<string>("--data")
{
    Description = "Folder with the Fashion-MNIST IDX files.",
    DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
};
var seedsOption = new Option<int>("--seeds") { Description = "How many seeds to run (42, 43, ...).", DefaultValueFactory = _ => 3 };
var trainLimitOption = new Option<int>("--train-limit")
{
    Description = "Use the first N training images (10% of them become the validation split).",
    DefaultValueFactory = _ => 5_000,
};
var testLimitOption = new Option<int>("--test-limit")
{
    Description = "Use the first N test images (0 = all 10,000).",
    DefaultValueFactory = _ => 0,
};
var figuresOption = new Option<string?>("--figures")
{
    Description = "Folder for the reliability diagrams of the smallest and largest teachers (first seed) and results.csv; unset: none written.",
};
var threadsOption = new Option<int>("--threads")
{
    Description = "Torch intra-op threads (0 = TorchSharp's default, one per core). Default 1: on a shared, busy machine two " +
                  "OpenMP threads ran this experiment 3.5x slower than one.",
    DefaultValueFactory = _ => 1,
};
var root = new RootCommand("Teacher size vs. student accuracy, with and without teacher calibration (Yang & Song 2021), on Fashion-MNIST.")
{
    dataOption, seedsOption, trainLimitOption, testLimitOption, figuresOption, threadsOption,
};
root.SetAction(parsed => Runner.Run(
    parsed.GetValue(dataOption)!, parsed.GetValue(seedsOption), parsed.GetValue(trainLimitOption),
    parsed.GetValue(testLimitOption), parsed.GetValue(figuresOption), parsed.GetValue(threadsOption)));
return root.Parse(args).Invoke();

/// <summary>One teacher size: its two experiments (plain KD and KD from the calibrated teacher).</summary>
internal sealed record TeacherSize(
    string Name,
    int Width,
    Func<DatasetSplits, RunOptions, PlainRun> Plain,
    Func<DatasetSplits, RunOptions, CalibratedRun> Calibrated);

/// <summary>What one plain-KD run produced (copied out of the generated Result, whose models are then disposed).</summary>
internal sealed record PlainRun(
    double TeacherAccuracy, CalibrationReport TeacherTest, TeacherTrainingReport? TeacherTraining, bool TeacherLoaded,
    double StudentAloneAccuracy, double StudentAccuracy, CalibrationReport StudentTest, TimeSpan Elapsed);

/// <summary>What one calibrated-KD run produced.</summary>
internal sealed record CalibratedRun(
    double TeacherAccuracy, TeacherCalibrationReport Calibration, bool TeacherLoaded,
    double StudentAccuracy, CalibrationReport StudentTest, TimeSpan Elapsed);

/// <summary>Both runs of one (teacher size, seed) pair.</summary>
internal sealed record Point(TeacherSize Size, long Parameters, int Seed, PlainRun Plain, CalibratedRun Calibrated);

internal static class Runner
{
    // The generated Result types share no interface with these members, so each size spells out what it copies.
    private static readonly TeacherSize[] Sizes =
    {
        new(nameof(TeacherW128), TeacherW128.Width,
            (d, o) => Take(KdW128.Run(d, o), r => new PlainRun(r.TeacherAccuracy, r.TeacherTest, r.TeacherTraining, r.TeacherLoadedFromCheckpoint, r.StudentAloneAccuracy!.Value, r.StudentAccuracy, r.StudentTest, r.Elapsed)),
            (d, o) => Take(CalibratedKdW128.Run(d, o), r => new CalibratedRun(r.TeacherAccuracy, r.TeacherCalibration, r.TeacherLoadedFromCheckpoint, r.StudentAccuracy, r.StudentTest, r.Elapsed))),
        new(nameof(TeacherW256), TeacherW256.Width,
            (d, o) => Take(KdW256.Run(d, o), r => new PlainRun(r.TeacherAccuracy, r.TeacherTest, r.TeacherTraining, r.TeacherLoadedFromCheckpoint, r.StudentAloneAccuracy!.Value, r.StudentAccuracy, r.StudentTest, r.Elapsed)),
            (d, o) => Take(CalibratedKdW256.Run(d, o), r => new CalibratedRun(r.TeacherAccuracy, r.TeacherCalibration, r.TeacherLoadedFromCheckpoint, r.StudentAccuracy, r.StudentTest, r.Elapsed))),
        new(nameof(TeacherW512), TeacherW512.Width,
            (d, o) => Take(KdW512.Run(d, o), r => new PlainRun(r.TeacherAccuracy, r.TeacherTest, r.TeacherTraining, r.TeacherLoadedFromCheckpoint, r.StudentAloneAccuracy!.Value, r.StudentAccuracy, r.StudentTest, r.Elapsed)),
            (d, o) => Take(CalibratedKdW512.Run(d, o), r => new CalibratedRun(r.TeacherAccuracy, r.TeacherCalibration, r.TeacherLoadedFromCheckpoint, r.StudentAccuracy, r.StudentTest, r.Elapsed))),
        new(nameof(TeacherW768), TeacherW768.Width,
            (d, o) => Take(KdW768.Run(d, o), r => new PlainRun(r.TeacherAccuracy, r.TeacherTest, r.TeacherTraining, r.TeacherLoadedFromCheckpoint, r.StudentAloneAccuracy!.Value, r.StudentAccuracy, r.StudentTest, r.Elapsed)),
            (d, o) => Take(CalibratedKdW768.Run(d, o), r => new CalibratedRun(r.TeacherAccuracy, r.TeacherCalibration, r.TeacherLoadedFromCheckpoint, r.StudentAccuracy, r.StudentTest, r.Elapsed))),
    };

    private const double ValidationFraction = 0.1;

    /// <summary>Copies what is needed out of a result, then releases its models.</summary>
    private static T Take<TResult, T>(TResult result, Func<TResult, T> copy) where TResult : IDisposable
    {
        using (result) return copy(result);
    }

    public static int Run(string dataFolder, int seedCount, int trainLimit, int testLimit, string? figuresFolder, int threads)
    {
        if (seedCount < 1)
        {
            AnsiConsole.MarkupLine("[red]--seeds must be at least 1.[/]");
            return 2;
        }
        if (trainLimit < 20 || testLimit < 0)
        {
            AnsiConsole.MarkupLine("[red]--train-limit must be at least 20 and --test-limit at least 0.[/]");
            return 2;
        }
        if (threads < 0)
        {
            AnsiConsole.MarkupLine("[red]--threads must be at least 0.[/]");
            return 2;
        }
        if (threads > 0) set_num_threads(threads);
        // Logs (output redirected to a file) get wide tables instead of Spectre's 80-column fallback.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        var clock = Stopwatch.StartNew();
        string dataPath = Path.GetFullPath(dataFolder);
        string? figuresPath = figuresFolder is null ? null : Path.GetFullPath(figuresFolder);

        using var loaded = FashionMnist.Load(dataPath, trainLimit, testLimit);
        using var data = loaded.WithValidation(ValidationFraction);
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Fashion-MNIST from {dataPath}: {data.Train.Count} training, {data.Validation!.Count} validation, {data.Test.Count} test images; " +
            $"{Environment.ProcessorCount} logical CPUs, torch threads {get_num_threads()}."));
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Teachers: 784-w-w-10 ReLU MLPs, w = {string.Join(", ", Sizes.Select(s => s.Width))}, {Setup.TeacherEpochs} epochs; " +
            $"student 784-{StudentMlp.Width}-10, {Setup.StudentEpochs} epochs; Adam, lr {F(Setup.LearningRate, "G")}, batch {Setup.BatchSize}; " +
            $"loss {F(Setup.CrossEntropyWeight, "G")}·CE + {F(Setup.KlWeight, "G")}·T²·KL, T = {F(Setup.KdTemperature, "G")}; " +
            $"ECE with {Setup.Bins} bins; seeds {Setup.FirstSeed}..{Setup.FirstSeed + seedCount - 1}."));

        // The teacher checkpoints declared in Experiments.cs are relative paths: run in a private temporary folder so that
        // nothing is left in the caller's folder and concurrent runs cannot share a teacher.
        string originalDirectory = Environment.CurrentDirectory;
        var scratch = Directory.CreateTempSubdirectory("kddsl-calibrated-teacher-");
        Environment.CurrentDirectory = scratch.FullName;
        var points = new List<Point>();
        try
        {
            int total = seedCount * Sizes.Length * 2, done = 0;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var task = context.AddTask("starting", maxValue: total);
                    for (int s = 0; s < seedCount; s++)
                    {
                        int seed = Setup.FirstSeed + s;
                        foreach (var size in Sizes)
                        {
                            // A fresh teacher for every seed: the plain run trains it and saves the checkpoint, the
                            // calibrated run of the same seed loads it, so both distil from the very same weights.
                            string checkpoint = Path.Combine("teachers", $"w{size.Width}.ckpt");
                            if (File.Exists(checkpoint)) File.Delete(checkpoint);
                            var plain = size.Plain(data, Options(seed, task, $"seed {seed} {size.Name} plain KD"));
                            task.Value = ++done;
                            var calibrated = size.Calibrated(data, Options(seed, task, $"seed {seed} {size.Name} calibrated KD"));
                            task.Value = ++done;
                            File.Delete(checkpoint);
                            Check(plain, calibrated, size, seed);
                            points.Add(new Point(size, TeacherMlp.ParameterCount(data.Train.FeatureCount, data.Train.ClassCount, size.Width),
                                seed, plain, calibrated));
                        }
                    }
                    task.Description = "done";
                });
        }
        finally
        {
            Environment.CurrentDirectory = originalDirectory;
            scratch.Delete(recursive: true);
        }

        Report(points, seedCount);
        if (figuresPath is not null) WriteFigures(points, figuresPath);
        AnsiConsole.MarkupLine($"Wall time {clock.Elapsed.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s " +
                               $"({points.Sum(p => (p.Plain.Elapsed + p.Calibrated.Elapsed).TotalSeconds).ToString("F0", CultureInfo.InvariantCulture)} s in the runs).");
        return 0;
    }

    private static RunOptions Options(int seed, ProgressTask task, string label) => new()
    {
        Seed = seed,
        Progress = new Progress(task, label),
    };

    /// <summary>The calibrated run must have loaded the plain run's teacher; anything else would make the comparison unpaired.</summary>
    private static void Check(PlainRun plain, CalibratedRun calibrated, TeacherSize size, int seed)
    {
        if (plain.TeacherLoaded || !calibrated.TeacherLoaded)
            throw new InvalidOperationException($"{size.Name}, seed {seed}: expected the plain run to train the teacher and the calibrated run to load it.");
        if (plain.TeacherAccuracy != calibrated.TeacherAccuracy
            || plain.TeacherTest.ExpectedCalibrationError != calibrated.Calibration.TestBefore.ExpectedCalibrationError)
            throw new InvalidOperationException($"{size.Name}, seed {seed}: the calibrated run's teacher differs from the plain run's.");
    }

    private static void Report(List<Point> points, int seedCount)
    {
        var bySize = Sizes.Select(s => points.Where(p => p.Size == s).ToList()).ToList();
        var table = new Table().Title($"Fashion-MNIST test split, mean ± std over {seedCount} seed(s)")
            .AddColumns("Teacher", "Params", "Teacher acc", "Teacher ECE before", "ECE after", "T*", "Student alone",
                "Student acc, plain KD", "Student acc, calibrated KD", "Δ (cal − plain)");
        foreach (var group in bySize)
        {
            var first = group[0];
            table.AddRow(
                first.Size.Name,
                first.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                PercentMeanStd(group.Select(p => p.Plain.TeacherAccuracy)),
                PercentMeanStd(group.Select(p => p.Calibrated.Calibration.TestBefore.ExpectedCalibrationError)),
                PercentMeanStd(group.Select(p => p.Calibrated.Calibration.TestAfter.ExpectedCalibrationError)),
                MeanStd(group.Select(p => p.Calibrated.Calibration.Temperature), "F3"),
                PercentMeanStd(group.Select(p => p.Plain.StudentAloneAccuracy)),
                PercentMeanStd(group.Select(p => p.Plain.StudentAccuracy)),
                PercentMeanStd(group.Select(p => p.Calibrated.StudentAccuracy)),
                PointsMeanStd(group.Select(p => p.Calibrated.StudentAccuracy - p.Plain.StudentAccuracy)));
        }
        AnsiConsole.Write(table);
        foreach (var seedGroup in points.GroupBy(p => p.Seed))
        {
            if (seedGroup.Select(p => p.Plain.StudentAloneAccuracy).Distinct().Count() != 1)
                AnsiConsole.MarkupLine($"[yellow]Seed {seedGroup.Key}: the student alone differs between the teacher sizes, though it never sees a teacher.[/]");
        }

        var seeds = points.Select(p => p.Seed).Distinct().ToList();
        var perSeed = new Table().Title("Per seed: teacher acc | ECE before → after | T* | student acc plain → calibrated")
            .AddColumns(new[] { "Teacher" }.Concat(seeds.Select(s => $"seed {s}")).ToArray());
        foreach (var group in bySize)
        {
            perSeed.AddRow(new[] { group[0].Size.Name }.Concat(group.Select(p =>
                $"{Percent(p.Plain.TeacherAccuracy)} | {Percent(p.Calibrated.Calibration.TestBefore.ExpectedCalibrationError)} → " +
                $"{Percent(p.Calibrated.Calibration.TestAfter.ExpectedCalibrationError)} | {F(p.Calibrated.Calibration.Temperature, "F3")} | " +
                $"{Percent(p.Plain.StudentAccuracy)} → {Percent(p.Calibrated.StudentAccuracy)}"))
                .Select(Markup.Escape).ToArray());
        }
        AnsiConsole.Write(perSeed);

        var teachers = new Table().Title("Teachers: over-confidence on the test split and the validation curve (mean over seeds)")
            .AddColumns("Teacher", "avg conf − acc before", "after", "test NLL before", "after", "final train CE", "val CE min (epoch) → last",
                "val acc (last)", "test acc");
        foreach (var group in bySize)
        {
            var trainings = group.Select(p => p.Plain.TeacherTraining!).ToList();
            double minLoss = trainings.Average(t => t.ValidationLoss.Min());
            double minEpoch = trainings.Average(t => t.ValidationLoss.ToList().IndexOf(t.ValidationLoss.Min()) + 1);
            teachers.AddRow(
                group[0].Size.Name,
                Points(group.Average(p => p.Calibrated.Calibration.TestBefore.Overconfidence)),
                Points(group.Average(p => p.Calibrated.Calibration.TestAfter.Overconfidence)),
                F(group.Average(p => p.Calibrated.Calibration.TestBefore.NegativeLogLikelihood), "F3"),
                F(group.Average(p => p.Calibrated.Calibration.TestAfter.NegativeLogLikelihood), "F3"),
                F(trainings.Average(t => t.EpochLosses[^1]), "F4"),
                $"{F(minLoss, "F3")} ({F(minEpoch, "F1")}) → {F(trainings.Average(t => t.ValidationLoss[^1]), "F3")}",
                Percent(trainings.Average(t => t.ValidationAccuracy[^1])),
                Percent(group.Average(p => p.Plain.TeacherAccuracy)));
        }
        AnsiConsole.Write(teachers);

        var students = new Table().Title("Distilled students' calibration on the test split (ECE, mean ± std over seeds)")
            .AddColumns("Teacher", "Student ECE, plain KD", "Student ECE, calibrated KD");
        foreach (var group in bySize)
        {
            students.AddRow(group[0].Size.Name,
                PercentMeanStd(group.Select(p => p.Plain.StudentTest.ExpectedCalibrationError)),
                PercentMeanStd(group.Select(p => p.Calibrated.StudentTest.ExpectedCalibrationError)));
        }
        AnsiConsole.Write(students);

        var outcomes = points.GroupBy(p => p.Calibrated.Calibration.Fit.Outcome).Select(g => $"{g.Key} ×{g.Count()}");
        AnsiConsole.MarkupLine(Markup.Escape($"Temperature fits: {string.Join(", ", outcomes)}."));

        // Spearman's rank correlation between teacher size and student accuracy: over the sizes' seed means, and over every
        // (size, seed) point (sizes then tie in threes; ties take average ranks). p: two-sided permutation test.
        var correlations = new Table().Title("Spearman ρ(teacher parameters, ·), two-sided permutation p")
            .AddColumns("Quantity", "over size means (n = 4)", "over all size × seed points");
        void AddCorrelation(string name, Func<Point, double> value)
        {
            var sizes = bySize.Select(g => (double)g[0].Parameters).ToList();
            var means = bySize.Select(g => g.Average(value)).ToList();
            var allSizes = points.Select(p => (double)p.Parameters).ToList();
            var all = points.Select(value).ToList();
            correlations.AddRow(name, Correlation(sizes, means), Correlation(allSizes, all));
        }
        AddCorrelation("Student acc, plain KD", p => p.Plain.StudentAccuracy);
        AddCorrelation("Student acc, calibrated KD", p => p.Calibrated.StudentAccuracy);
        AddCorrelation("Δ student acc (cal − plain)", p => p.Calibrated.StudentAccuracy - p.Plain.StudentAccuracy);
        AddCorrelation("Teacher acc", p => p.Plain.TeacherAccuracy);
        AddCorrelation("Teacher ECE before", p => p.Calibrated.Calibration.TestBefore.ExpectedCalibrationError);
        AddCorrelation("T*", p => p.Calibrated.Calibration.Temperature);
        AnsiConsole.Write(correlations);
        var teacherAccuracies = points.Select(p => p.Plain.TeacherAccuracy).ToList();
        AnsiConsole.MarkupLine(Markup.Escape(
            "Spearman ρ(teacher accuracy, student accuracy) over all size × seed points: plain KD " +
            $"{Correlation(teacherAccuracies, points.Select(p => p.Plain.StudentAccuracy).ToList())}, calibrated KD " +
            $"{Correlation(teacherAccuracies, points.Select(p => p.Calibrated.StudentAccuracy).ToList())}."));
    }

    private static string Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count < 3) return "n/a";
        double rho = Statistics.Spearman(x, y);
        if (double.IsNaN(rho)) return "undefined (constant)";
        return $"{F(rho, "+0.000;-0.000;0.000")} (p = {F(PermutationP(x, y, rho), "F3")})";
    }

    /// <summary>
    /// Two-sided permutation p-value of Spearman's ρ: the share of pairings of y with x at least as extreme as the observed one
    /// (all n! when n ≤ 8, else 100,000 random shuffles with a fixed seed).
    /// </summary>
    private static double PermutationP(IReadOnlyList<double> x, IReadOnlyList<double> y, double observed)
    {
        const double slack = 1e-12;
        int n = y.Count, extreme = 0, count = 0;
        var shuffled = y.ToArray();
        if (n <= 8)
        {
            foreach (var permutation in Permutations(Enumerable.Range(0, n).ToArray(), 0))
            {
                for (int i = 0; i < n; i++) shuffled[i] = y[permutation[i]];
                count++;
                if (Math.Abs(Statistics.Spearman(x, shuffled)) >= Math.Abs(observed) - slack) extreme++;
            }
            return (double)extreme / count;
        }
        var random = new Random(12345);
        const int draws = 100_000;
        for (int d = 0; d < draws; d++)
        {
            random.Shuffle(shuffled);
            if (Math.Abs(Statistics.Spearman(x, shuffled)) >= Math.Abs(observed) - slack) extreme++;
        }
        return (extreme + 1.0) / (draws + 1.0);
    }

    private static IEnumerable<int[]> Permutations(int[] items, int start)
    {
        if (start == items.Length - 1)
        {
            yield return items;
            yield break;
        }
        for (int i = start; i < items.Length; i++)
        {
            (items[start], items[i]) = (items[i], items[start]);
            foreach (var p in Permutations(items, start + 1)) yield return p;
            (items[start], items[i]) = (items[i], items[start]);
        }
    }

    private static void WriteFigures(List<Point> points, string folder)
    {
        Directory.CreateDirectory(folder);
        int seed = points.Min(p => p.Seed);
        foreach (var size in new[] { Sizes[0], Sizes[^1] })
        {
            var p = points.First(q => q.Size == size && q.Seed == seed);
            var calibration = p.Calibrated.Calibration;
            string file = Path.Combine(folder, $"reliability-{size.Name.ToLowerInvariant()}-seed{seed}.png");
            ReliabilityDiagram.SaveComparison(calibration.TestBefore, calibration.TestAfter, file,
                $"{size.Name} ({p.Parameters.ToString("N0", CultureInfo.InvariantCulture)} params), seed {seed}, test",
                "raw (T = 1)", $"calibrated (T* = {F(calibration.Temperature, "F2")})");
            AnsiConsole.MarkupLine(Markup.Escape($"Wrote {file}"));
        }

        var csv = new StringBuilder();
        csv.AppendLine("teacher,width,parameters,seed,teacher_accuracy,teacher_ece_before,teacher_ece_after,temperature,fit_outcome," +
                       "teacher_nll_before,teacher_nll_after,teacher_overconfidence_before,teacher_overconfidence_after," +
                       "student_accuracy_plain,student_accuracy_calibrated,student_ece_plain,student_ece_calibrated,seconds_plain,seconds_calibrated," +
                       "teacher_validation_accuracy_last,teacher_validation_nll_last,student_alone_accuracy");
        foreach (var p in points)
        {
            var c = p.Calibrated.Calibration;
            csv.AppendLine(string.Join(",", new[]
            {
                p.Size.Name, p.Size.Width.ToString(CultureInfo.InvariantCulture), p.Parameters.ToString(CultureInfo.InvariantCulture),
                p.Seed.ToString(CultureInfo.InvariantCulture),
                R(p.Plain.TeacherAccuracy), R(c.TestBefore.ExpectedCalibrationError), R(c.TestAfter.ExpectedCalibrationError),
                R(c.Temperature), c.Fit.Outcome.ToString(), R(c.TestBefore.NegativeLogLikelihood), R(c.TestAfter.NegativeLogLikelihood),
                R(c.TestBefore.Overconfidence), R(c.TestAfter.Overconfidence),
                R(p.Plain.StudentAccuracy), R(p.Calibrated.StudentAccuracy),
                R(p.Plain.StudentTest.ExpectedCalibrationError), R(p.Calibrated.StudentTest.ExpectedCalibrationError),
                R(p.Plain.Elapsed.TotalSeconds), R(p.Calibrated.Elapsed.TotalSeconds),
                R(p.Plain.TeacherTraining!.ValidationAccuracy[^1]), R(p.Plain.TeacherTraining!.ValidationLoss[^1]),
                R(p.Plain.StudentAloneAccuracy),
            }));
        }
        string csvPath = Path.Combine(folder, "results.csv");
        File.WriteAllText(csvPath, csv.ToString());
        AnsiConsole.MarkupLine(Markup.Escape($"Wrote {csvPath}"));
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => F(100 * fraction, "F2") + "%";

    private static string Points(double difference) => F(100 * difference, "+0.00;-0.00;0.00") + " pt";

    private static string PercentMeanStd(IEnumerable<double> values)
    {
        var (mean, std) = Statistics.MeanStd(values);
        return $"{F(100 * mean, "F2")} ± {F(100 * std, "F2")}%";
    }

    private static string PointsMeanStd(IEnumerable<double> values)
    {
        var (mean, std) = Statistics.MeanStd(values);
        return $"{F(100 * mean, "+0.00;-0.00;0.00")} ± {F(100 * std, "F2")} pt";
    }

    private static string MeanStd(IEnumerable<double> values, string format)
    {
        var (mean, std) = Statistics.MeanStd(values);
        return $"{F(mean, format)} ± {F(std, format)}";
    }

    /// <summary>Shows the current run's phase, epoch and loss on the single overall progress bar.</summary>
    private sealed class Progress(ProgressTask task, string label) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            task.Description = $"{label}: {value.Phase} epoch {value.Epoch}/{value.Epochs} loss {value.Loss.ToString("F3", CultureInfo.InvariantCulture)}";
        }
    }
}
