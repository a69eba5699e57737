using System;
using System.IO;
using KdDsl.SweepHost;
using KdDsl.Sweeps;
using Xunit;

namespace KdDsl.Tests.Sweeps;

/// <summary>A user's mistake on the sweep command line is one line on the error stream and exit code 2, never a stack trace.</summary>
public sealed class SweepCommandLineTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"kddsl-cli-{Guid.NewGuid():N}");

    public SweepCommandLineTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Output, string Error) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SweepCommandLine.Invoke(args, HostSweep.Experiments, HostSweep.Datasets, output: output, error: error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertOneLineError(string error, string expected)
    {
        var lines = error.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Slurm_hands_the_tasks_a_data_folder_only_when_one_exists()
    {
        string script = Path.Combine(folder, "sweep.sbatch"), results = Path.Combine(folder, "results");
        // No --data, and the default folder (../shared/data) does not exist: no --data and no data check in the script.
        var output = new StringWriter();
        Assert.Equal(0, SweepCommandLine.Invoke(new[] { "slurm", "--shards", "2", "--out", script, "--db-dir", results },
            HostSweep.Experiments, HostSweep.Datasets, defaultDataRoot: Path.Combine(folder, "no-such-default"), output: output));
        string text = File.ReadAllText(script);
        Assert.DoesNotContain("--data", text);
        Assert.DoesNotContain("data folder", text);
        Assert.Contains("--seeds 1\n", text);

        // An explicit --data that does not exist is the same one-line error as for sweep.
        var (code, _, error) = Invoke("slurm", "--shards", "2", "--out", script, "--db-dir", results, "--data", Path.Combine(folder, "missing"));
        Assert.Equal(2, code);
        AssertOneLineError(error, "does not exist; pass --data");
    }

    [Fact]
    public void An_unknown_data_set_is_one_line()
    {
        var (code, _, error) = Invoke("run", "--experiment", HostSweep.Experiments[0].Name, "--dataset", "nope", "--trial", "0");
        Assert.Equal(2, code);
        AssertOneLineError(error, "Unknown data set 'nope'");
    }

    [Fact]
    public void A_trial_index_out_of_range_is_one_line()
    {
        var (code, _, error) = Invoke("run", "--experiment", HostSweep.Experiments[0].Name, "--dataset", HostSweep.Datasets[0].Name,
            "--trial", "100000", "--data", folder);
        Assert.Equal(2, code);
        AssertOneLineError(error, "has trials 0 to");
    }

    [Fact]
    public void A_data_folder_that_does_not_exist_is_one_line_and_nothing_runs()
    {
        string db = Path.Combine(folder, "sweep.db");
        var (code, output, error) = Invoke("sweep", "--db", db, "--data", Path.Combine(folder, "missing"));
        Assert.Equal(2, code);
        AssertOneLineError(error, "does not exist; pass --data");
        Assert.False(File.Exists(db)); // no database, no failed trials written
        Assert.Equal("", output);
    }

    [Fact]
    public void A_missing_database_is_one_line()
    {
        var (code, _, error) = Invoke("report", "--db", Path.Combine(folder, "none.db"));
        Assert.Equal(2, code);
        AssertOneLineError(error, "The sweep database");
        (code, _, error) = Invoke("list", "--db", Path.Combine(folder, "none.db"));
        Assert.Equal(2, code);
        AssertOneLineError(error, "does not exist; pass --db");
    }
}
