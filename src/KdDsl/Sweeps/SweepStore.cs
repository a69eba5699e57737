using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace KdDsl.Sweeps;

/// <summary>The state of one stored trial.</summary>
public enum TrialStatus
{
    /// <summary>Started and not finished: the process is running it, or was killed while it ran (resume runs it again).</summary>
    Running,

    /// <summary>Finished; its metrics were written in the same transaction.</summary>
    Finished,

    /// <summary>Threw; the error is kept (resume skips it unless asked to retry failures).</summary>
    Failed,
}

/// <summary>One row of the store: a trial of an experiment on a data set with a seed, its configuration, metrics, timings and status.</summary>
public sealed record TrialRecord(
    string Experiment,
    string Dataset,
    string Student,
    int Trial,
    int Seed,
    IReadOnlyList<KeyValuePair<string, string>> Configuration,
    TrialStatus Status,
    double? StudentAccuracy,
    double? TeacherAccuracy,
    double? StudentAloneAccuracy,
    double? FinalLoss,
    double? Seconds,
    string? StartedUtc,
    string? FinishedUtc,
    int Attempts,
    string? Error,
    string? Shard)
{
    /// <summary>
    /// Whether the trial loaded its teacher from the sweep's teacher folder (false: it trained and saved it; null: no teacher, not
    /// finished, or a database written before the store recorded it).
    /// </summary>
    public bool? TeacherLoaded { get; init; }

    /// <summary>The configuration as one line (the report's key).</summary>
    public string ConfigurationText => SweepGrid.Describe(Configuration);
}

/// <summary>
/// Sweep results in an embedded SQLite database (one file, WAL journal): one row per (experiment, data set, trial, seed) with the
/// configuration as JSON and one <c>knob_*</c> column per axis, the metrics, timings and status. A trial is marked running before it
/// starts and finished in the same transaction that writes its metrics, so a process killed at any moment leaves at most
/// 'running' rows, which a resumed sweep runs again; finished rows are never run twice. Shard processes each write their own file
/// (SQLite serialises writers to one file, and a shared network file system may not lock at all); <see cref="ReadMerged"/> unions them.
/// </summary>
public sealed class SweepStore : IDisposable
{
    private const string Columns =
        "experiment, dataset, student, trial, seed, configuration, status, student_accuracy, teacher_accuracy, student_alone_accuracy, " +
        "final_loss, seconds, started_utc, finished_utc, attempts, error, shard";

    private readonly SqliteConnection connection;
    private readonly HashSet<string> knobColumns = new(StringComparer.Ordinal);

    // teacher_loaded came after the first databases were written: older files lack it until a trial finishes here, and are read as
    // null (ALTER TABLE ADD COLUMN only when writing, so reading a read-only shard file never modifies it).
    private const string TeacherLoadedColumn = "teacher_loaded";
    private bool hasTeacherLoadedColumn;

    private SweepStore(SqliteConnection connection, string path)
    {
        this.connection = connection;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/>.</summary>
    public static SweepStore Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        connection.Open();
        var store = new SweepStore(connection, full);
        store.Execute("PRAGMA journal_mode = WAL;");
        store.Execute("PRAGMA synchronous = NORMAL;"); // with WAL: a killed process loses nothing committed
        store.Execute("PRAGMA busy_timeout = 10000;");
        store.Execute("""
            CREATE TABLE IF NOT EXISTS trials (
                experiment TEXT NOT NULL,
                dataset TEXT NOT NULL,
                student TEXT NOT NULL,
                trial INTEGER NOT NULL,
                seed INTEGER NOT NULL,
                configuration TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
                student_accuracy REAL,
                teacher_accuracy REAL,
                student_alone_accuracy REAL,
                final_loss REAL,
                seconds REAL,
                started_utc TEXT,
                finished_utc TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                shard TEXT,
                PRIMARY KEY (experiment, dataset, trial, seed)
            );
            """);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM pragma_table_info('trials');";
            using var reader = command.ExecuteReader();
            int name = reader.GetOrdinal("name");
            while (reader.Read())
            {
                string column = reader.GetString(name);
                if (column.StartsWith("knob_", StringComparison.Ordinal)) store.knobColumns.Add(column);
                else if (column == TeacherLoadedColumn) store.hasTeacherLoadedColumn = true;
            }
        }
        return store;
    }

    /// <summary>The status of every stored trial, keyed by (experiment, data set, trial, seed).</summary>
    public Dictionary<(string Experiment, string Dataset, int Trial, int Seed), TrialStatus> Statuses()
    {
        var statuses = new Dictionary<(string, string, int, int), TrialStatus>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT experiment, dataset, trial, seed, status FROM trials;";
        using var reader = command.ExecuteReader();
        int experiment = reader.GetOrdinal("experiment"), dataset = reader.GetOrdinal("dataset"), trial = reader.GetOrdinal("trial"),
            seed = reader.GetOrdinal("seed"), status = reader.GetOrdinal("status");
        while (reader.Read())
        {
            statuses[(reader.GetString(experiment), reader.GetString(dataset), reader.GetInt32(trial), reader.GetInt32(seed))] =
                ParseStatus(reader.GetString(status));
        }
        return statuses;
    }

    /// <summary>Marks a trial as running (inserting its row with the full configuration, or restarting a running/failed one).</summary>
    public void Begin(SweepWorkItem item, string? shard)
    {
        var configuration = item.Experiment.Configuration(item.Trial);
        using var transaction = connection.BeginTransaction();
        foreach (var pair in configuration) EnsureKnobColumn(pair.Key, transaction);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        string knobs = string.Concat(configuration.Select((_, i) => $", {KnobColumn(configuration[i].Key)}"));
        string knobValues = string.Concat(configuration.Select((_, i) => $", $k{i}"));
        string knobUpdates = string.Concat(configuration.Select((_, i) => $", {KnobColumn(configuration[i].Key)} = excluded.{KnobColumn(configuration[i].Key)}"));
        command.CommandText =
            $"INSERT INTO trials (experiment, dataset, student, trial, seed, configuration, status, started_utc, attempts, shard{knobs}) " +
            $"VALUES ($experiment, $dataset, $student, $trial, $seed, $configuration, 'running', $started, 1, $shard{knobValues}) " +
            "ON CONFLICT (experiment, dataset, trial, seed) DO UPDATE SET status = 'running', started_utc = excluded.started_utc, " +
            "attempts = attempts + 1, shard = excluded.shard, error = NULL, student = excluded.student, configuration = excluded.configuration" +
            knobUpdates + " WHERE status <> 'finished';";
        AddKey(command, item);
        command.Parameters.AddWithValue("$student", item.Experiment.Student);
        command.Parameters.AddWithValue("$configuration", ToJson(configuration));
        command.Parameters.AddWithValue("$started", Now());
        command.Parameters.AddWithValue("$shard", (object?)shard ?? DBNull.Value);
        for (int i = 0; i < configuration.Count; i++) command.Parameters.AddWithValue("$k" + i.ToString(CultureInfo.InvariantCulture), configuration[i].Value);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>Writes a trial's metrics and marks it finished, in one transaction.</summary>
    public void Finish(SweepWorkItem item, SweepTrialResult result)
    {
        using var transaction = connection.BeginTransaction();
        if (!hasTeacherLoadedColumn)
        {
            using var alter = connection.CreateCommand();
            alter.Transaction = transaction;
            alter.CommandText = $"ALTER TABLE trials ADD COLUMN {TeacherLoadedColumn} INTEGER;";
            alter.ExecuteNonQuery();
        }
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "UPDATE trials SET status = 'finished', student_accuracy = $student_accuracy, teacher_accuracy = $teacher_accuracy, " +
            $"student_alone_accuracy = $alone, final_loss = $loss, seconds = $seconds, finished_utc = $finished, error = NULL, {TeacherLoadedColumn} = $teacher_loaded " +
            "WHERE experiment = $experiment AND dataset = $dataset AND trial = $trial AND seed = $seed;";
        AddKey(command, item);
        command.Parameters.AddWithValue("$student_accuracy", result.StudentAccuracy);
        command.Parameters.AddWithValue("$teacher_accuracy", (object?)result.TeacherAccuracy ?? DBNull.Value);
        command.Parameters.AddWithValue("$alone", (object?)result.StudentAloneAccuracy ?? DBNull.Value);
        command.Parameters.AddWithValue("$loss", result.FinalLoss);
        command.Parameters.AddWithValue("$seconds", result.Elapsed.TotalSeconds);
        command.Parameters.AddWithValue("$finished", Now());
        // No teacher, no flag (a teacher-free trial neither trains nor loads one).
        command.Parameters.AddWithValue("$teacher_loaded", result.TeacherAccuracy is null ? DBNull.Value : result.TeacherLoaded ? 1 : 0);
        if (command.ExecuteNonQuery() != 1)
            throw new InvalidOperationException($"Trial {item.Trial} (seed {item.Seed}) of {item.Experiment.Name} on {item.Dataset.Name} was not begun in {Path}.");
        transaction.Commit();
        hasTeacherLoadedColumn = true;
    }

    /// <summary>Marks a trial failed, keeping the error.</summary>
    public void Fail(SweepWorkItem item, string error, TimeSpan elapsed)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            "UPDATE trials SET status = 'failed', error = $error, seconds = $seconds, finished_utc = $finished " +
            "WHERE experiment = $experiment AND dataset = $dataset AND trial = $trial AND seed = $seed;";
        AddKey(command, item);
        command.Parameters.AddWithValue("$error", error);
        command.Parameters.AddWithValue("$seconds", elapsed.TotalSeconds);
        command.Parameters.AddWithValue("$finished", Now());
        command.ExecuteNonQuery();
    }

    /// <summary>Every row, ordered by key.</summary>
    public IReadOnlyList<TrialRecord> ReadAll()
    {
        var records = new List<TrialRecord>();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {Columns}, {(hasTeacherLoadedColumn ? TeacherLoadedColumn : "NULL AS " + TeacherLoadedColumn)} " +
            "FROM trials ORDER BY experiment, dataset, seed, trial;";
        using var reader = command.ExecuteReader();
        // Columns are looked up by name once per query, so a column added to the table or to the SELECT cannot shift the values read.
        var column = new ColumnOrdinals(reader);
        while (reader.Read())
        {
            records.Add(new TrialRecord(
                reader.GetString(column["experiment"]), reader.GetString(column["dataset"]), reader.GetString(column["student"]),
                reader.GetInt32(column["trial"]), reader.GetInt32(column["seed"]),
                FromJson(reader.GetString(column["configuration"])), ParseStatus(reader.GetString(column["status"])),
                NullableDouble(reader, column["student_accuracy"]), NullableDouble(reader, column["teacher_accuracy"]),
                NullableDouble(reader, column["student_alone_accuracy"]), NullableDouble(reader, column["final_loss"]),
                NullableDouble(reader, column["seconds"]),
                NullableString(reader, column["started_utc"]), NullableString(reader, column["finished_utc"]),
                reader.GetInt32(column["attempts"]), NullableString(reader, column["error"]), NullableString(reader, column["shard"]))
            {
                TeacherLoaded = reader.IsDBNull(column[TeacherLoadedColumn]) ? null : reader.GetInt64(column[TeacherLoadedColumn]) != 0,
            });
        }
        return records;
    }

    /// <summary>
    /// The rows of several databases (e.g. one per shard) as one table: each (experiment, data set, trial, seed) once, a finished row
    /// preferred over an unfinished one, and among finished rows the first database's. Finished duplicates whose metrics differ are
    /// reported in <paramref name="conflicts"/>.
    /// </summary>
    public static IReadOnlyList<TrialRecord> ReadMerged(IEnumerable<string> paths, out IReadOnlyList<string> conflicts)
    {
        var merged = new Dictionary<(string, string, int, int), TrialRecord>();
        var problems = new List<string>();
        foreach (string path in paths)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"No sweep database at {path}.", path);
            using var store = Open(path);
            foreach (var record in store.ReadAll())
            {
                var key = (record.Experiment, record.Dataset, record.Trial, record.Seed);
                if (!merged.TryGetValue(key, out var existing) || (existing.Status != TrialStatus.Finished && record.Status == TrialStatus.Finished))
                {
                    merged[key] = record;
                }
                else if (existing.Status == TrialStatus.Finished && record.Status == TrialStatus.Finished
                         && (existing.StudentAccuracy != record.StudentAccuracy || existing.ConfigurationText != record.ConfigurationText))
                {
                    problems.Add($"{record.Experiment} / {record.Dataset} / trial {record.Trial} / seed {record.Seed}: finished in two databases with " +
                                 $"different results; the first ({existing.StudentAccuracy}) is kept, {path} has {record.StudentAccuracy}.");
                }
            }
        }
        conflicts = problems;
        return merged.Values.OrderBy(r => r.Experiment, StringComparer.Ordinal).ThenBy(r => r.Dataset, StringComparer.Ordinal)
            .ThenBy(r => r.Seed).ThenBy(r => r.Trial).ToList();
    }

    /// <inheritdoc />
    public void Dispose() => connection.Dispose();

    private void EnsureKnobColumn(string knob, SqliteTransaction transaction)
    {
        string column = KnobColumn(knob);
        if (knobColumns.Contains(column)) return;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"ALTER TABLE trials ADD COLUMN {column} TEXT;";
        command.ExecuteNonQuery();
        knobColumns.Add(column);
    }

    private static string KnobColumn(string knob)
    {
        if (knob.Length == 0 || !knob.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new ArgumentException($"'{knob}' is not a valid knob name.", nameof(knob));
        return "knob_" + knob;
    }

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void AddKey(SqliteCommand command, SweepWorkItem item)
    {
        command.Parameters.AddWithValue("$experiment", item.Experiment.Name);
        command.Parameters.AddWithValue("$dataset", item.Dataset.Name);
        command.Parameters.AddWithValue("$trial", item.Trial);
        command.Parameters.AddWithValue("$seed", item.Seed);
    }

    private static double? NullableDouble(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetDouble(column);

    private static string? NullableString(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    /// <summary>A query's column ordinals by name, read once from the reader's column names before the rows; an unknown name throws.</summary>
    private sealed class ColumnOrdinals
    {
        private readonly Dictionary<string, int> ordinals = new(StringComparer.Ordinal);

        public ColumnOrdinals(SqliteDataReader reader)
        {
            for (int i = 0; i < reader.FieldCount; i++) ordinals.TryAdd(reader.GetName(i), i);
        }

        public int this[string name] =>
            ordinals.TryGetValue(name, out int ordinal) ? ordinal : throw new InvalidDataException($"The query has no column '{name}'.");
    }

    private static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static TrialStatus ParseStatus(string text) => text switch
    {
        "running" => TrialStatus.Running,
        "finished" => TrialStatus.Finished,
        "failed" => TrialStatus.Failed,
        _ => throw new InvalidDataException($"Unknown trial status '{text}'."),
    };

    /// <summary>The configuration as a JSON object, keys in axis order.</summary>
    public static string ToJson(IReadOnlyList<KeyValuePair<string, string>> configuration)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var pair in configuration) writer.WriteString(pair.Key, pair.Value);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static IReadOnlyList<KeyValuePair<string, string>> FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString() ?? "")).ToList();
    }
}
