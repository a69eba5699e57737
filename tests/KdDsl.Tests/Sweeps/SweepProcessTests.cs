using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using KdDsl.Sweeps;
using Microsoft.Data.Sqlite;
using Xunit;

namespace KdDsl.Tests.Sweeps;

/// <summary>
/// The sweep as separate processes (tests/KdDsl.SweepHost, started with <c>dotnet KdDsl.SweepHost.dll</c>): a sweep killed while a
/// trial runs and then resumed ends with the same table as an uninterrupted run; n shard processes merged equal one process; the
/// Slurm script, run once per array index, does the same.
/// </summary>
public sealed class SweepProcessTests : IDisposable, IClassFixture<SweepProcessTests.SingleProcessSweep>
{
    /// <summary>The sharded work run once by one process: the table the sharded runs must reproduce (shared by two tests).</summary>
    public sealed class SingleProcessSweep : IDisposable
    {
        private readonly Lazy<IReadOnlyList<TrialRecord>> rows;
        private readonly Lazy<string> report;

        public SingleProcessSweep()
        {
            // In a folder of its own: the sweep keeps its teachers in "teachers" beside the database.
            Folder = Path.Combine(Path.GetTempPath(), "kddsl-sweep-one-" + Guid.NewGuid().ToString("N"));
            Database = Path.Combine(Folder, "single.db");
            rows = new Lazy<IReadOnlyList<TrialRecord>>(() =>
            {
                Host(new[] { "sweep", "--db", Database }.Concat(ShardedWork).ToArray());
                return SweepProcessTests.Rows(Database);
            });
            report = new Lazy<string>(() =>
            {
                _ = rows.Value;
                return Host("report", "--db", Database);
            });
        }

        public string Folder { get; }

        public string Database { get; }

        public IReadOnlyList<TrialRecord> Rows => rows.Value;

        public string Report => report.Value;

        public void Dispose()
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
        }
    }

    private readonly SingleProcessSweep single;

    // 8 trials: both experiments × 4 configurations on one data set, one seed.
    private static readonly string[] ShardedWork = { "--experiment", "HostWideSweep", "--experiment", "HostNarrowSweep", "--dataset", "digits-250" };

    private readonly string folder = Path.Combine(Path.GetTempPath(), "kddsl-sweep-" + Guid.NewGuid().ToString("N"));

    public SweepProcessTests(SingleProcessSweep single)
    {
        this.single = single;
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Sweep_killed_mid_trial_resumes_to_the_same_table_as_an_uninterrupted_run()
    {
        // 8 trials: one experiment on one data set, two seeds.
        string[] work = { "sweep", "--experiment", "HostWideSweep", "--dataset", "digits-400", "--seeds", "2" };
        // Separate folders, so the killed sweep trains (and on resume reloads) its own teachers instead of the reference's.
        string reference = Path.Combine(folder, "reference", "sweep.db"), killed = Path.Combine(folder, "killed", "sweep.db");
        Host(work.Concat(new[] { "--db", reference }).ToArray());

        using (var child = Start(work.Concat(new[] { "--db", killed }).ToArray()))
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var counts = Counts(killed);
                if (counts.Finished >= 1 && counts.Running == 1) break;
                Assert.False(child.HasExited, "The sweep finished before it could be killed mid-trial.");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "The sweep never had a finished and a running trial.");
                Thread.Sleep(5);
            }
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        var afterKill = Rows(killed);
        int finishedBeforeKill = afterKill.Count(r => r.Status == TrialStatus.Finished);
        Assert.InRange(finishedBeforeKill, 1, 7);
        var halfWritten = Assert.Single(afterKill, r => r.Status == TrialStatus.Running);
        Assert.Null(halfWritten.StudentAccuracy);

        string output = Host(work.Concat(new[] { "--db", killed }).ToArray());
        Assert.Contains($"{finishedBeforeKill} already finished", output);
        Assert.Contains($"Done: {8 - finishedBeforeKill} run, 0 failed", output);

        var resumed = Rows(killed);
        AssertSameTable(Rows(reference), resumed);
        Assert.Equal(2, resumed.Single(r => r.Trial == halfWritten.Trial && r.Seed == halfWritten.Seed).Attempts); // re-run once, not duplicated
        Assert.All(resumed.Where(r => r.Trial != halfWritten.Trial || r.Seed != halfWritten.Seed), r => Assert.Equal(1, r.Attempts));

        // One teacher per seed, trained by the first trial of that seed; every other trial (and the resumed process) loaded it.
        Assert.Equal(new bool?[] { false, true, true, true, false, true, true, true }, Rows(reference).Select(r => r.TeacherLoaded));
        // Named by experiment, data set, seed and the fingerprint of the teacher's declaration.
        Assert.Collection(Directory.GetFiles(Path.Combine(folder, "killed", "teachers"), "*.pt").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal),
            name => Assert.Matches("^HostWideSweep-digits-400-seed11-[0-9a-f]{8}\\.pt$", name),
            name => Assert.Matches("^HostWideSweep-digits-400-seed12-[0-9a-f]{8}\\.pt$", name));
        Assert.All(resumed.GroupBy(r => r.Seed), seed => Assert.InRange(seed.Count(r => r.TeacherLoaded == false), 0, 1));
    }

    [Fact]
    public async System.Threading.Tasks.Task Shards_in_separate_processes_merge_to_the_single_process_table_and_report()
    {
        var shards = Enumerable.Range(0, 3).Select(i => Path.Combine(folder, $"shard-{i}.db")).ToArray();
        var children = Enumerable.Range(0, 3)
            .Select(i => Start(new[] { "sweep", "--shard", $"{i}/3", "--db", shards[i] }.Concat(ShardedWork).ToArray())).ToList();
        var outputs = new List<string>();
        foreach (var child in children)
        {
            var error = child.StandardError.ReadToEndAsync();
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            Assert.True(child.ExitCode == 0, output + await error);
            outputs.Add(output);
            child.Dispose();
        }
        Assert.Equal(new[] { 3, 3, 2 }, shards.Select(s => Rows(s).Count)); // 8 trials, round robin
        // The three shards start together and each needs both teachers at once: each teacher is trained once (by the shard that
        // took its lock first); the others waited for it and loaded it.
        string all = string.Join("\n", outputs);
        Assert.True(CountOf(all, "(teacher trained") == 2, all);
        Assert.True(CountOf(all, "(teacher loaded") == 6, all);
        Assert.Equal(2, shards.Select(Rows).SelectMany(r => r).Count(r => r.TeacherLoaded == false));
        // The shards share the teachers folder beside their databases: one file per experiment.
        Assert.Collection(Directory.GetFiles(Path.Combine(folder, "teachers"), "*.pt").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal),
            name => Assert.Matches("^HostNarrowSweep-digits-250-seed11-[0-9a-f]{8}\\.pt$", name),
            name => Assert.Matches("^HostWideSweep-digits-250-seed11-[0-9a-f]{8}\\.pt$", name));
        Assert.DoesNotContain(shards.Select(Rows).SelectMany(r => r).GroupBy(r => (r.Experiment, r.Trial)), g => g.Count() > 1);

        var merged = SweepStore.ReadMerged(shards, out var conflicts);
        Assert.Empty(conflicts);
        AssertSameTable(single.Rows, merged);
        Assert.Equal(ReportBody(single.Report),
            ReportBody(Host(new[] { "report" }.Concat(shards.SelectMany(s => new[] { "--db", s })).ToArray())));
    }

    [Fact]
    public void Slurm_script_run_once_per_array_index_covers_the_grid()
    {
        string script = Path.Combine(folder, "sweep.sbatch"), results = Path.Combine(folder, "results");
        string command = SlurmScript.Quote(DotnetHost()) + " " + SlurmScript.Quote(HostDll());
        var writer = new StringWriter();
        // The script hands the shards an explicit --data, which must exist (the host's data sets read no files).
        int code = SweepCommandLine.Invoke(new[] { "slurm", "--shards", "2", "--out", script, "--db-dir", results, "--command", command, "--data", folder }
            .Concat(ShardedWork).ToArray(), KdDsl.SweepHost.HostSweep.Experiments, KdDsl.SweepHost.HostSweep.Datasets, output: writer);
        Assert.Equal(0, code);
        string text = File.ReadAllText(script);
        Assert.Contains("#SBATCH --array=0-1\n", text);
        Assert.Contains("#SBATCH --requeue\n", text);
        Assert.Contains("#SBATCH --open-mode=append\n", text); // a requeued task appends to its log
        Assert.Contains("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-2}\"\n", text);
        Assert.True(Directory.Exists(results)); // Slurm opens the logs there before the tasks start
        Assert.Contains($"exec {command} sweep --shard \"$task/2\" --db {results}/\"shard-$task.db\" --seeds 1 --data ", text);

        for (int task = 0; task < 2; task++)
        {
            var info = new ProcessStartInfo("bash", script) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            info.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var run = Process.Start(info)!;
            string output = run.StandardOutput.ReadToEnd() + run.StandardError.ReadToEnd();
            run.WaitForExit();
            Assert.True(run.ExitCode == 0, output);
            Assert.Contains($"Shard {task}/2: 4 trials", output);
        }
        var merged = SweepStore.ReadMerged(new[] { Path.Combine(results, "shard-0.db"), Path.Combine(results, "shard-1.db") }, out _);
        AssertSameTable(single.Rows, merged);
        Assert.Equal(new[] { "0/2", "1/2" }, merged.Select(r => r.Shard).Distinct().OrderBy(s => s));
    }

    [Fact]
    public void Slurm_script_stops_with_a_clear_message_when_the_data_folder_is_missing_on_the_node()
    {
        string script = Path.Combine(folder, "missing-data.sbatch"), data = Path.Combine(folder, "data-that-will-vanish");
        Directory.CreateDirectory(data);
        string command = SlurmScript.Quote(DotnetHost()) + " " + SlurmScript.Quote(HostDll());
        Assert.Equal(0, SweepCommandLine.Invoke(new[] { "slurm", "--shards", "2", "--out", script, "--db-dir", Path.Combine(folder, "r"),
            "--command", command, "--data", data }, KdDsl.SweepHost.HostSweep.Experiments, KdDsl.SweepHost.HostSweep.Datasets, output: new StringWriter()));
        Directory.Delete(data);
        var info = new ProcessStartInfo("bash", script) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        info.Environment["SLURM_ARRAY_TASK_ID"] = "0";
        using var run = Process.Start(info)!;
        string error = run.StandardError.ReadToEnd();
        run.StandardOutput.ReadToEnd();
        run.WaitForExit();
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"kddsl: the data folder {data} does not exist on", error);
    }

    private static void AssertSameTable(IReadOnlyList<TrialRecord> expected, IReadOnlyList<TrialRecord> actual)
    {
        static object Key(TrialRecord r) => (r.Experiment, r.Dataset, r.Student, r.Trial, r.Seed, r.ConfigurationText, r.Status,
            r.StudentAccuracy, r.TeacherAccuracy, r.StudentAloneAccuracy, r.FinalLoss);
        Assert.Equal(8, expected.Count);
        Assert.All(expected, r => Assert.Equal(TrialStatus.Finished, r.Status));
        Assert.Equal(expected.Select(Key), actual.Select(Key));
    }

    private static string ReportBody(string output) => output.Replace("\r", "", StringComparison.Ordinal);

    private static IReadOnlyList<TrialRecord> Rows(string db)
    {
        using var store = SweepStore.Open(db);
        return store.ReadAll();
    }

    private static (int Finished, int Running) Counts(string db)
    {
        if (!File.Exists(db)) return (0, 0);
        try
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT sum(status = 'finished'), sum(status = 'running') FROM trials;";
            using var reader = command.ExecuteReader();
            reader.Read();
            return (reader.IsDBNull(0) ? 0 : reader.GetInt32(0), reader.IsDBNull(1) ? 0 : reader.GetInt32(1));
        }
        catch (SqliteException)
        {
            return (0, 0); // not created yet, or busy
        }
    }

    private static string HostDll() => Path.Combine(AppContext.BaseDirectory, "KdDsl.SweepHost.dll");

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(HostDll());
        foreach (string arg in args) info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    private static string Host(params string[] args)
    {
        using var child = Start(args);
        var error = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        Assert.True(child.ExitCode == 0, $"dotnet KdDsl.SweepHost.dll {string.Join(" ", args)} exited with {child.ExitCode}:\n{output}\n{error.Result}");
        return output;
    }
}
