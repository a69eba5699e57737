using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;

namespace KdDsl.Sweeps;

/// <summary>
/// The sweep command line, for a program to call from <c>Main</c>: <c>list</c>, <c>run</c> (one trial), <c>sweep</c> (all trials, or
/// <c>--shard i/n</c> of them, resumable), <c>report</c> (merges databases; Markdown and CSV) and <c>slurm</c> (writes an
/// <c>sbatch --array</c> script).
/// </summary>
public static class SweepCommandLine
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    /// <param name="args">The program's arguments.</param>
    /// <param name="experiments">The swept experiments (each generated class's <c>Sweep</c> property).</param>
    /// <param name="datasets">The data sets they can run on.</param>
    /// <param name="defaultDataRoot">The <c>--data</c> default handed to each data set's loader.</param>
    /// <param name="output">Where to write (default: the console).</param>
    /// <param name="error">Where a user error goes, as one line (default: the console's error stream).</param>
    /// <remarks>
    /// A mistake of the user's (an unknown experiment or data set, a data folder or database that does not exist, a trial
    /// index out of range, bad data) prints one line, <c>error: ...</c>, and returns 2, with no stack trace; anything else is a
    /// bug and propagates.
    /// </remarks>
    public static int Invoke(string[] args, IReadOnlyList<ISweepExperiment> experiments, IReadOnlyList<SweepDataset> datasets,
        string defaultDataRoot = "../shared/data", TextWriter? output = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (experiments.Select(e => e.Name).Distinct().Count() != experiments.Count || datasets.Select(d => d.Name).Distinct().Count() != datasets.Count)
            throw new ArgumentException("Experiment names and data set names must each be unique.");
        var o = output ?? Console.Out;

        Option<string> Data() => new("--data") { Description = "Root folder of the data sets.", DefaultValueFactory = _ => defaultDataRoot };
        Option<string[]> Experiments() => new("--experiment") { Description = "Only these experiments (repeatable; default: all)." };
        Option<string[]> Datasets() => new("--dataset") { Description = "Only these data sets (repeatable; default: all)." };
        Option<int> Seeds() => new("--seeds") { Description = "Seeds per trial: the declared seed and the ones after it.", DefaultValueFactory = _ => 1 };

        // list
        var listDb = new Option<string[]>("--db") { Description = "Also count the trials stored in these databases, by status." };
        var listSeeds = Seeds();
        var list = new Command("list", "List the experiments, their axes and grid sizes, and the data sets.") { listDb, listSeeds };
        list.SetAction(p => List(o, experiments, datasets, p.GetValue(listSeeds), p.GetValue(listDb) ?? Array.Empty<string>()));

        // run
        var runExperiment = new Option<string>("--experiment") { Description = "The experiment.", Required = true };
        var runDataset = new Option<string>("--dataset") { Description = "The data set.", Required = true };
        var runTrial = new Option<int>("--trial") { Description = "Trial index in the grid (see list).", Required = true };
        var runSeed = new Option<int?>("--seed") { Description = "Seed (default: the declared one)." };
        var runData = Data();
        var run = new Command("run", "Run one trial and print its metrics.") { runExperiment, runDataset, runTrial, runSeed, runData };
        run.SetAction(p =>
        {
            var experiment = Find(experiments, p.GetValue(runExperiment)!, e => e.Name, "experiment");
            var dataset = Find(datasets, p.GetValue(runDataset)!, d => d.Name, "data set");
            int trial = p.GetValue(runTrial);
            if (trial < 0 || trial >= experiment.TrialCount)
                throw new ArgumentOutOfRangeException("--trial", trial, $"{experiment.Name} has trials 0 to {experiment.TrialCount - 1}.");
            int seed = p.GetValue(runSeed) ?? experiment.DeclaredSeed;
            using var data = dataset.Load(DataRoot(p, runData)).Validate();
            var result = experiment.RunTrial(trial, data, seed);
            o.WriteLine($"{experiment.Name} / {dataset.Name} / trial {trial} ({SweepGrid.Describe(experiment.Configuration(trial))}) / seed {seed}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"student {100 * result.StudentAccuracy:F2}%, teacher {(result.TeacherAccuracy is { } t ? (100 * t).ToString("F2", CultureInfo.InvariantCulture) + "%" : "-")}, " +
                $"final loss {result.FinalLoss:G6}, {result.Elapsed.TotalSeconds:F1} s"));
            return 0;
        });

        // sweep
        var sweepShard = new Option<string>("--shard") { Description = "Run only slice i/n of the grid (0 <= i < n), e.g. $SLURM_ARRAY_TASK_ID/8.", DefaultValueFactory = _ => "0/1" };
        var sweepDb = new Option<string?>("--db") { Description = "Result database (default sweep.db, or sweep.shard-i-of-n.db with --shard)." };
        var sweepSeeds = Seeds();
        var sweepExperiments = Experiments();
        var sweepDatasets = Datasets();
        var sweepData = Data();
        var retry = new Option<bool>("--retry-failed") { Description = "Run failed trials again." };
        var sweep = new Command("sweep", "Run every trial not yet finished in the database (resumes after a kill).")
            { sweepShard, sweepDb, sweepSeeds, sweepExperiments, sweepDatasets, sweepData, retry };
        sweep.SetAction(p =>
        {
            var shard = Shard.Parse(p.GetValue(sweepShard)!);
            string db = p.GetValue(sweepDb) ?? (shard.Count == 1 ? "sweep.db" : $"sweep.shard-{shard.Index}-of-{shard.Count}.db");
            var items = SweepPlan.Enumerate(Select(experiments, p.GetValue(sweepExperiments), e => e.Name, "experiment"),
                Select(datasets, p.GetValue(sweepDatasets), d => d.Name, "data set"), p.GetValue(sweepSeeds), shard);
            string dataRoot = DataRoot(p, sweepData); // a missing folder would otherwise fail every trial on its own
            using var store = SweepStore.Open(db);
            var summary = SweepRunner.Run(store, items, dataRoot, shard, o, p.GetValue(retry));
            o.WriteLine($"Done: {summary.Ran} run, {summary.Failed} failed, {summary.AlreadyFinished} already finished, {summary.SkippedFailed} failed earlier (skipped).");
            return summary.Failed == 0 ? 0 : 1;
        });

        // report
        var reportDb = new Option<string[]>("--db") { Description = "Result databases to merge (repeatable), e.g. one per shard.", Required = true };
        var reportOut = new Option<string?>("--out") { Description = "Folder for report.md and the CSV files." };
        var report = new Command("report", "Best configuration per data set and student, cost per knob value, most robust configuration.") { reportDb, reportOut };
        report.SetAction(p =>
        {
            var records = SweepStore.ReadMerged(p.GetValue(reportDb)!.Select(ExistingDatabase).ToList(), out var conflicts);
            foreach (string conflict in conflicts) o.WriteLine("warning: " + conflict);
            var analysis = SweepAnalysis.From(records);
            o.Write(analysis.ToMarkdown());
            if (p.GetValue(reportOut) is { } folder)
                foreach (string file in analysis.Write(folder)) o.WriteLine("wrote " + file);
            return 0;
        });

        // slurm
        var slurmShards = new Option<int>("--shards") { Description = "Number of array tasks (shards).", Required = true };
        var slurmOut = new Option<string>("--out") { Description = "Script file to write.", DefaultValueFactory = _ => "sweep.sbatch" };
        var slurmDbDir = new Option<string>("--db-dir") { Description = "Folder (on shared storage) for the shards' databases and logs.", DefaultValueFactory = _ => "sweep-results" };
        var slurmCommand = new Option<string?>("--command") { Description = "How the cluster starts this program (default: as it was started now)." };
        var slurmSeeds = Seeds();
        var slurmData = Data();
        var slurmExperiments = Experiments();
        var slurmDatasets = Datasets();
        var slurmCpus = new Option<int>("--cpus") { Description = "Slurm --cpus-per-task.", DefaultValueFactory = _ => 2 };
        var slurmTime = new Option<string>("--time") { Description = "Slurm --time per task.", DefaultValueFactory = _ => "02:00:00" };
        var slurm = new Command("slurm", "Write a Slurm job-array script (sbatch --array) that runs the sweep in shards.")
            { slurmShards, slurmOut, slurmDbDir, slurmCommand, slurmSeeds, slurmData, slurmExperiments, slurmDatasets, slurmCpus, slurmTime };
        slurm.SetAction(p =>
        {
            // The data folder the tasks read, checked by the script on the node: one given with --data must exist here too; the
            // default is handed on only when it exists (data sets that read no files, e.g. the embedded digits, need none).
            var arguments = new List<string> { "--seeds", p.GetValue(slurmSeeds).ToString(CultureInfo.InvariantCulture) };
            string data = DataRoot(p, slurmData);
            if (p.GetResult(slurmData) is { Implicit: false } || Directory.Exists(data)) arguments.AddRange(new[] { "--data", Path.GetFullPath(data) });
            foreach (string e in p.GetValue(slurmExperiments) ?? Array.Empty<string>()) arguments.AddRange(new[] { "--experiment", Find(experiments, e, x => x.Name, "experiment").Name });
            foreach (string d in p.GetValue(slurmDatasets) ?? Array.Empty<string>()) arguments.AddRange(new[] { "--dataset", Find(datasets, d, x => x.Name, "data set").Name });
            string script = SlurmScript.Create(p.GetValue(slurmShards), p.GetValue(slurmCommand) ?? CurrentCommand(),
                Path.GetFullPath(p.GetValue(slurmDbDir)!), arguments, p.GetValue(slurmCpus), p.GetValue(slurmTime)!);
            string file = p.GetValue(slurmOut)!;
            Directory.CreateDirectory(Path.GetFullPath(p.GetValue(slurmDbDir)!)); // Slurm opens the tasks' logs there before they start
            File.WriteAllText(file, script);
            o.WriteLine($"wrote {file}: sbatch {file}");
            return 0;
        });

        var root = new RootCommand("Configuration sweeps of KdDsl experiments.") { list, run, sweep, report, slurm };
        var errors = error ?? Console.Error;
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { Output = o, Error = errors, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            errors.WriteLine("error: " + string.Join(" ", e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
            return 2;
        }
    }

    private static bool IsUserError(Exception e) => e is ArgumentException or FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException or InvalidDataException or Data.DatasetException;

    /// <summary>The <c>--data</c> value; one written on the command line must exist (the default may serve data sets that need no files).</summary>
    private static string DataRoot(ParseResult parse, Option<string> option)
    {
        string path = parse.GetValue(option)!;
        return parse.GetResult(option) is { Implicit: false } ? ExistingFolder(path) : path;
    }

    private static string ExistingFolder(string path) => Directory.Exists(path) ? path
        : throw new DirectoryNotFoundException($"The data folder '{path}' ({Path.GetFullPath(path)}) does not exist; pass --data <the folder holding the data sets>.");

    private static string ExistingDatabase(string path) => File.Exists(path) ? path
        : throw new FileNotFoundException($"The sweep database '{path}' ({Path.GetFullPath(path)}) does not exist; pass --db <a database written by sweep>.");

    /// <summary>How this process was started, for a script to start it again: <c>dotnet app.dll</c> or the app host's path.</summary>
    public static string CurrentCommand()
    {
        string? process = Environment.ProcessPath;
        string? entry = Assembly.GetEntryAssembly()?.Location;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" && !string.IsNullOrEmpty(entry))
            return SlurmScript.Quote(process) + " " + SlurmScript.Quote(entry);
        return SlurmScript.Quote(process ?? "dotnet");
    }

    private static int List(TextWriter o, IReadOnlyList<ISweepExperiment> experiments, IReadOnlyList<SweepDataset> datasets, int seeds, string[] databases)
    {
        int total = 0;
        foreach (var experiment in experiments)
        {
            int distinct = Enumerable.Range(0, experiment.TrialCount).Count(t => experiment.SameAs(t) == t);
            o.WriteLine($"{experiment.Name} (student {experiment.Student}, seed {experiment.DeclaredSeed}): {experiment.TrialCount} trials" +
                        (distinct == experiment.TrialCount ? "" : $", {distinct} distinct ({experiment.TrialCount - distinct} repeat an earlier configuration and are skipped)"));
            foreach (var axis in experiment.Axes) o.WriteLine($"  {axis.Name}: {string.Join(", ", axis.Values)}");
            total += distinct * datasets.Count * seeds;
        }
        o.WriteLine($"Data sets: {string.Join(", ", datasets.Select(d => d.Name))}");
        o.WriteLine($"Work items with {seeds} seed(s): {total}");
        foreach (string db in databases)
        {
            using var store = SweepStore.Open(ExistingDatabase(db));
            var counts = store.Statuses().Values.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Count()}");
            o.WriteLine($"{db}: {string.Join(", ", counts)}");
        }
        return 0;
    }

    private static T Find<T>(IReadOnlyList<T> items, string name, Func<T, string> nameOf, string what) =>
        items.FirstOrDefault(i => nameOf(i) == name)
        ?? throw new ArgumentException($"Unknown {what} '{name}'; known: {string.Join(", ", items.Select(nameOf))}.");

    private static IReadOnlyList<T> Select<T>(IReadOnlyList<T> items, string[]? names, Func<T, string> nameOf, string what) =>
        names is null || names.Length == 0 ? items : names.Select(n => Find(items, n, nameOf, what)).ToList();
}
