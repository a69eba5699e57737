using System;
using System.Collections.Generic;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// The distillation phase's state at the end of an epoch: the student's weights, the optimizer and schedule, the global random
/// generator, the epochs completed and their losses. Written atomically (temporary file, then rename), so a run killed at any
/// moment leaves either the previous checkpoint or the new one; a resumed run ends with the same numbers as an uninterrupted one.
/// Format 2 (this one) stores each epoch's row as the total, each term, then the student's accuracy after the epoch; format 1
/// (no accuracy) is refused with a message saying so.
/// </summary>
public static class DistillationCheckpoint
{
    private const int Magic = 0x4B44434B; // "KDCK"
    private const int Version = 2;

    /// <summary>What a checkpoint restored.</summary>
    public sealed record Resumed(int CompletedEpochs, IReadOnlyList<double[]> History);

    /// <summary>Whether a checkpoint exists at <paramref name="path"/>.</summary>
    public static bool Exists(string? path) => !string.IsNullOrEmpty(path) && File.Exists(path);

    /// <summary>
    /// Writes the state after <paramref name="completedEpochs"/> epochs; <paramref name="history"/> holds each epoch's total,
    /// terms and accuracy.
    /// </summary>
    public static void Save(string path, string experiment, TrainingSettings settings, int completedEpochs, IReadOnlyList<double[]> history,
        nn.Module student, OptimizationStep optimization, nn.Module? trainedWithStudent = null)
    {
        AtomicFile.Write(path, temporary =>
        {
            using var writer = new BinaryWriter(File.Create(temporary));
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(experiment);
            writer.Write(Fingerprint(settings));
            writer.Write(completedEpochs);
            writer.Write(history.Count);
            foreach (var row in history)
            {
                writer.Write(row.Length);
                foreach (double value in row) writer.Write(value);
            }
            using (var rng = get_rng_state())
            {
                var bytes = rng.bytes.ToArray();
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
            student.save(writer);
            optimization.Save(writer);
            trainedWithStudent?.save(writer);
        });
    }

    /// <summary>
    /// Restores the state at <paramref name="path"/> into <paramref name="student"/> and a freshly created
    /// <paramref name="optimization"/> (and <paramref name="trainedWithStudent"/>, when the run has one). Throws naming the file
    /// when it belongs to another experiment or configuration.
    /// </summary>
    public static Resumed Load(string path, string experiment, TrainingSettings settings, nn.Module student, OptimizationStep optimization,
        nn.Module? trainedWithStudent = null)
    {
        string full = Path.GetFullPath(path);
        try
        {
            using var reader = new BinaryReader(File.OpenRead(full));
            if (reader.ReadInt32() != Magic) throw new InvalidDataException($"not a KdDsl distillation checkpoint (format {Version})");
            int version = reader.ReadInt32();
            if (version != Version)
                throw new InvalidDataException(
                    $"it is in checkpoint format {version}, and this KdDsl reads format {Version} only" +
                    (version == 1 ? " (format 1 has no per-epoch accuracy)" : "") + "; delete it to start this run again");
            string savedExperiment = reader.ReadString(), savedSettings = reader.ReadString();
            if (savedExperiment != experiment || savedSettings != Fingerprint(settings))
                throw new InvalidOperationException(
                    $"it was written by {savedExperiment} with {savedSettings}, not by {experiment} with {Fingerprint(settings)}. " +
                    "Delete it, or give this run its own path (RunOptions.Checkpoint) — for example one per seed");
            int completed = reader.ReadInt32();
            var history = new List<double[]>();
            int rows = reader.ReadInt32();
            for (int i = 0; i < rows; i++)
            {
                var row = new double[reader.ReadInt32()];
                for (int j = 0; j < row.Length; j++) row[j] = reader.ReadDouble();
                history.Add(row);
            }
            var rngBytes = reader.ReadBytes(reader.ReadInt32());
            using (var rng = tensor(rngBytes, dtype: ScalarType.Byte)) set_rng_state(rng);
            student.load(reader);
            optimization.Load(reader);
            trainedWithStudent?.load(reader);
            return new Resumed(completed, history);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidOperationException($"Cannot resume from checkpoint '{full}': {e.Message}.", e);
        }
    }

    /// <summary>The settings that must match for a checkpoint to be resumed (everything that shapes the run).</summary>
    private static string Fingerprint(TrainingSettings settings) => settings.ToString();
}
