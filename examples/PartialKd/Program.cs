using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using KdDsl.Data;
using KdDsl.Examples.PartialKd;
using KdDsl.Reporting;
using KdDsl.Training;
using Spectre.Console;
using TorchSharp;

// Tang et al.'s partial KD on synthetic data: for each class correlation tau, the student alone, label smoothing, KD and the KD
// variants that keep only part of the teacher's knowledge, each for several seeds. docs/experiments/partial-kd.md records the setup
// and the latest figures.
var tausOption = new Option<double[]>("--taus")
{
    Description = "Class correlations tau to sweep, each in [0, 1].",
    DefaultValueFactory = _ => new[] { 0.0, 0.5, 0.9 },
    AllowMultipleArgumentsPerToken = true,
};
var seedsOption = new Option<int>("--seeds") { Description = "How many training seeds per method and tau (42, 43, ...).", DefaultValueFactory = _ => 3 };
var trainOption = new Option<int>("--train") { Description = "Synthetic training samples.", DefaultValueFactory = _ => 10_000 };
var testOption = new Option<int>("--test") { Description = "Synthetic test samples.", DefaultValueFactory = _ => 10_000 };
var dataSeedOption = new Option<int>("--data-seed") { Description = "Seed of the synthetic data (the same data for every training seed).", DefaultValueFactory = _ => 0 };
var epochsOption = new Option<int?>("--epochs") { Description = "Override the declared 15 epochs (students and teachers) for a quick smoke run." };
var threadsOption = new Option<int>("--threads")
{
    Description = "Torch CPU threads. Default 1: on a shared 2-core machine two threads spin against other jobs and run several times slower.",
    DefaultValueFactory = _ => 1,
};
var markdownOption = new Option<bool>("--markdown") { Description = "Also print the result tables as Markdown." };
var root = new RootCommand("Partial KD (Tang et al.) on synthetic data with a controllable class correlation tau.")
{
    tausOption, seedsOption, trainOption, testOption, dataSeedOption, epochsOption, threadsOption, markdownOption,
};
root.SetAction(parsed => PartialKdProgram.Run(new Sweep(
    parsed.GetValue(tausOption)!, parsed.GetValue(seedsOption), parsed.GetValue(trainOption), parsed.GetValue(testOption),
    parsed.GetValue(dataSeedOption), parsed.GetValue(epochsOption), parsed.GetValue(threadsOption), parsed.GetValue(markdownOption))));
return root.Parse(args).Invoke();

/// <summary>The command line, checked.</summary>
internal sealed record Sweep(double[] Taus, int Seeds, int Train, int Test, int DataSeed, int? Epochs, int Threads, bool Markdown);

/// <summary>What one run produced, kept after the models are disposed.</summary>
internal sealed record RunRecord(int Seed, double StudentAccuracy, double? TeacherAccuracy, TimeSpan Elapsed);

/// <summary>One row of the table.</summary>
internal sealed record Method(string Name, string Target, bool HasTeacher, Func<DatasetSplits, RunOptions, RunRecord> Run);

internal static class PartialKdProgram
{
    // The synthetic data's shape: SyntheticData's defaults (d = 64, K = 10 in 2 groups of 5, 4 sinusoids).
    private const int Features = 64, Classes = 10, Groups = 2, Sinusoids = 4;
    private const string Ls = "LS (e = 0.1)";

    private static readonly Method[] Methods =
    {
        new("Student alone (CE)", "-", false, (d, o) => { using var r = StudentAlone.Run(d, o); return Record(r); }),
        new(Ls, "uniform", false, (d, o) => { using var r = SmoothedLabels.Run(d, o); return Record(r); }),
        new("KD", "p_t", true, (d, o) => { using var r = FullKd.Run(d, o); return Record(r); }),
        new("KD-pt", "p_t,c + uniform rest", true, (d, o) => { using var r = InstanceKd.Run(d, o); return Record(r); }),
        new("KD-sim", "softmax(cos(W_c, W) / 0.2)", true, (d, o) => { using var r = SimilarityKd.Run(d, o); return Record(r); }),
        new("KD-pt+sim", "mean of KD-pt and KD-sim", true, (d, o) => { using var r = InstanceSimilarityKd.Run(d, o); return Record(r); }),
        new("KD-top3 (spread)", "top 3 of p_t + uniform rest", true, (d, o) => { using var r = TopKSpreadKd.Run(d, o); return Record(r); }),
        new("KD-top3 (renorm.)", "top 3 of p_t, renormalised", true, (d, o) => { using var r = TopKRenormalizedKd.Run(d, o); return Record(r); }),
    };

    public static int Run(Sweep sweep)
    {
        if (sweep.Taus.Length == 0 || sweep.Taus.Any(t => !(t >= 0 && t <= 1))) return Fail("--taus must be one or more values in [0, 1].");
        if (sweep.Seeds < 1) return Fail("--seeds must be at least 1.");
        if (sweep.Train < 1 || sweep.Test < 1) return Fail("--train and --test must be at least 1.");
        if (sweep.Epochs is < 1) return Fail("--epochs must be at least 1.");
        if (sweep.Threads < 1) return Fail("--threads must be at least 1.");
        torch.set_num_threads(sweep.Threads);
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

        var settings = StudentAlone.DeclaredSettings;
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Synthetic data: {sweep.Train} training and {sweep.Test} test samples, d = {Features}, K = {Classes} in {Groups} groups, " +
            $"{Sinusoids} sinusoids, data seed {sweep.DataSeed}; tau = {string.Join(", ", sweep.Taus.Select(Tau))}; seeds " +
            $"{string.Join(", ", Enumerable.Range(settings.Seed, sweep.Seeds))}; {sweep.Epochs ?? settings.Epochs} epochs, batch {settings.BatchSize}, " +
            $"Adam lr {settings.LearningRate.ToString(CultureInfo.InvariantCulture)}; {sweep.Threads} torch thread(s) on {Environment.ProcessorCount} CPU cores."));

        // results[tau][method] = one record per seed
        var results = new Dictionary<double, Dictionary<string, List<RunRecord>>>();
        var classBalance = new Dictionary<double, string>();
        var clock = Stopwatch.StartNew();
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                foreach (double tau in sweep.Taus)
                {
                    var task = context.AddTask($"tau = {Tau(tau)}", maxValue: Methods.Length * sweep.Seeds);
                    using var data = SyntheticClassification.Generate(sweep.Train, sweep.Test, Features, Classes, Groups, tau, sweep.DataSeed, Sinusoids);
                    classBalance[tau] = ClassShares(data.Train);
                    var byMethod = results[tau] = new Dictionary<string, List<RunRecord>>();
                    int done = 0;
                    foreach (var method in Methods)
                    {
                        var records = byMethod[method.Name] = new List<RunRecord>();
                        for (int i = 0; i < sweep.Seeds; i++)
                        {
                            int seed = settings.Seed + i;
                            task.Description = Markup.Escape($"tau = {Tau(tau)}: {method.Name}, seed {seed}");
                            records.Add(method.Run(data, new RunOptions { Seed = seed, Epochs = sweep.Epochs }));
                            task.Value = ++done;
                        }
                    }
                    task.Description = $"tau = {Tau(tau)}: done ({byMethod.Values.Sum(rs => rs.Sum(r => r.Elapsed.TotalSeconds)):F0} s)";
                }
            });
        clock.Stop();

        foreach (double tau in sweep.Taus)
            AnsiConsole.MarkupLine(Markup.Escape($"tau = {Tau(tau)}: training class shares {classBalance[tau]}"));
        CheckSharedTeachers(sweep, results);
        AnsiConsole.Write(AccuracyTable(sweep, results));
        AnsiConsole.Write(GainTable(sweep, results));
        AnsiConsole.MarkupLine(Markup.Escape(KdOverLsVerdict(sweep, results)));
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Training wall time {clock.Elapsed.TotalSeconds:F0} s ({clock.Elapsed.TotalMinutes:F1} min) for {Methods.Length} methods x " +
            $"{sweep.Taus.Length} tau x {sweep.Seeds} seeds. Gains are paired per seed (same initial weights, same batch order, same teacher)."));
        if (sweep.Markdown) PrintMarkdown(sweep, results);
        return 0;
    }

    private static RunRecord Record(IDistillationResult r) => new(r.Settings.Seed, r.StudentAccuracy, r.TeacherAccuracy, r.Elapsed);

    /// <summary>
    /// Every teacher-using run of one (tau, seed) trains the same teacher from the same seed on the same batches; says whether their
    /// test accuracies agree (they should, exactly, on the CPU), since the table shows one teacher row.
    /// </summary>
    private static void CheckSharedTeachers(Sweep sweep, Dictionary<double, Dictionary<string, List<RunRecord>>> results)
    {
        int mismatches = 0;
        foreach (double tau in sweep.Taus)
            for (int i = 0; i < sweep.Seeds; i++)
            {
                var accuracies = Methods.Where(m => m.HasTeacher).Select(m => results[tau][m.Name][i].TeacherAccuracy!.Value).Distinct().ToList();
                if (accuracies.Count > 1) mismatches++;
            }
        AnsiConsole.MarkupLine(mismatches == 0
            ? "The teacher of each (tau, seed) reached the same test accuracy in every method's run (it is retrained, deterministically, per run)."
            : $"[yellow]{mismatches} (tau, seed) pairs had teachers whose test accuracies differ between methods; the teacher row shows the KD run's.[/]");
    }

    private static Table AccuracyTable(Sweep sweep, Dictionary<double, Dictionary<string, List<RunRecord>>> results)
    {
        var table = new Table().Title($"Partial KD on synthetic data: student test accuracy, mean ± std over {sweep.Seeds} seeds")
            .AddColumns("Method", "rho (target)");
        foreach (double tau in sweep.Taus) table.AddColumn(new TableColumn($"tau = {Tau(tau)}").RightAligned());
        table.AddRow(new[] { "Teacher (TeacherMlp)", "-" }.Concat(sweep.Taus.Select(t => MeanStd(results[t]["KD"].Select(r => r.TeacherAccuracy!.Value)))).ToArray());
        foreach (var m in Methods)
            table.AddRow(new[] { Markup.Escape(m.Name), Markup.Escape(m.Target) }
                .Concat(sweep.Taus.Select(t => MeanStd(results[t][m.Name].Select(r => r.StudentAccuracy)))).ToArray());
        return table;
    }

    private static Table GainTable(Sweep sweep, Dictionary<double, Dictionary<string, List<RunRecord>>> results)
    {
        var table = new Table().Title("Paired gain over LS and over the student alone, points, mean ± std over seeds (seeds with a gain)")
            .AddColumn("Method");
        foreach (double tau in sweep.Taus)
        {
            table.AddColumn(new TableColumn($"vs LS, tau = {Tau(tau)}").RightAligned());
            table.AddColumn(new TableColumn($"vs alone, tau = {Tau(tau)}").RightAligned());
        }
        foreach (var m in Methods.Skip(1))
            table.AddRow(new[] { Markup.Escape(m.Name) }.Concat(sweep.Taus.SelectMany(t => new[]
            {
                m.Name == Ls ? "" : Gain(results[t][m.Name], results[t][Ls]),
                Gain(results[t][m.Name], results[t][Methods[0].Name]),
            })).ToArray());
        return table;
    }

    private static string KdOverLsVerdict(Sweep sweep, Dictionary<double, Dictionary<string, List<RunRecord>>> results)
    {
        var gains = sweep.Taus.OrderBy(t => t)
            .Select(t => (Tau: t, Gain: Statistics.MeanStd(results[t]["KD"].Zip(results[t][Ls], (a, b) => a.StudentAccuracy - b.StudentAccuracy))))
            .ToList();
        bool increasing = gains.Zip(gains.Skip(1), (a, b) => b.Gain.Mean > a.Gain.Mean).All(x => x);
        string list = string.Join(", ", gains.Select(g => $"tau {Tau(g.Tau)}: {Points(g.Gain.Mean)} ± {100 * g.Gain.StandardDeviation:F2}"));
        return $"KD's paired gain over LS: {list} -> " + (gains.Count < 2
            ? "one tau only, no trend to check."
            : increasing ? "grows with tau in these means (the paper's claim); compare the steps with the seed spread before calling it a trend."
                         : "does not grow monotonically with tau here (the paper claims it does).");
    }

    private static void PrintMarkdown(Sweep sweep, Dictionary<double, Dictionary<string, List<RunRecord>>> results)
    {
        Console.WriteLine();
        Console.WriteLine("| method | rho | " + string.Join(" | ", sweep.Taus.Select(t => $"tau = {Tau(t)}")) + " |");
        Console.WriteLine("|---|---|" + string.Concat(sweep.Taus.Select(_ => "---|")));
        Console.WriteLine("| teacher (TeacherMlp) | - | " + string.Join(" | ", sweep.Taus.Select(t => MeanStd(results[t]["KD"].Select(r => r.TeacherAccuracy!.Value)))) + " |");
        foreach (var m in Methods)
            Console.WriteLine($"| {m.Name} | {m.Target} | " + string.Join(" | ", sweep.Taus.Select(t => MeanStd(results[t][m.Name].Select(r => r.StudentAccuracy)))) + " |");
        Console.WriteLine();
        Console.WriteLine("| method | " + string.Join(" | ", sweep.Taus.Select(t => $"vs LS, tau = {Tau(t)} | vs alone, tau = {Tau(t)}")) + " |");
        Console.WriteLine("|---|" + string.Concat(sweep.Taus.Select(_ => "---|---|")));
        foreach (var m in Methods.Skip(1))
            Console.WriteLine($"| {m.Name} | " + string.Join(" | ", sweep.Taus.Select(t =>
                (m.Name == Ls ? "" : Gain(results[t][m.Name], results[t][Ls])) + " | " + Gain(results[t][m.Name], results[t][Methods[0].Name]))) + " |");
        Console.WriteLine();
        Console.WriteLine("| tau | seed | teacher | " + string.Join(" | ", Methods.Select(m => m.Name)) + " | run time (s, all methods) |");
        Console.WriteLine("|---|---|---|" + string.Concat(Methods.Select(_ => "---|")) + "---|");
        foreach (double tau in sweep.Taus)
            for (int i = 0; i < sweep.Seeds; i++)
                Console.WriteLine($"| {Tau(tau)} | {results[tau]["KD"][i].Seed} | {Percent(results[tau]["KD"][i].TeacherAccuracy!.Value)} | " +
                                  string.Join(" | ", Methods.Select(m => Percent(results[tau][m.Name][i].StudentAccuracy))) +
                                  $" | {Methods.Sum(m => results[tau][m.Name][i].Elapsed.TotalSeconds):F1} |");
    }

    private static string ClassShares(LabeledDataset train)
    {
        using var counts = torch.bincount(train.Labels, minlength: Classes);
        var values = counts.data<long>().ToArray();
        return string.Join(" ", values.Select(c => (100.0 * c / train.Count).ToString("F0", CultureInfo.InvariantCulture) + "%"));
    }

    private static string Gain(List<RunRecord> method, List<RunRecord> reference)
    {
        var differences = method.Zip(reference, (a, b) => a.StudentAccuracy - b.StudentAccuracy).ToList();
        var (mean, std) = Statistics.MeanStd(differences);
        return $"{Points(mean)} ± {100 * std:F2} ({differences.Count(d => d > 0)}/{differences.Count})";
    }

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLine($"[red]{Markup.Escape(message)}[/]");
        return 1;
    }

    private static string Tau(double tau) => tau.ToString("0.0#", CultureInfo.InvariantCulture);

    private static string Percent(double accuracy) => (100 * accuracy).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static string Points(double difference) => (100 * difference).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static string MeanStd(IEnumerable<double> accuracies)
    {
        var (mean, std) = Statistics.MeanStd(accuracies);
        return $"{100 * mean:F2} ± {100 * std:F2}%";
    }
}
