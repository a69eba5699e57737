using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using KdDsl.Data;
using KdDsl.Matching;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// The teacher's logits for every training sample, and with layer matching the teacher hidden states its layer map reads,
/// computed once and reused by every epoch (offline KD).
/// </summary>
public sealed class TeacherOutputs : IDisposable
{
    private readonly int[] states;
    private readonly Tensor[] hidden;

    internal TeacherOutputs(Tensor logits, string? file, bool loadedFromDisk, int[]? states = null, Tensor[]? hidden = null)
    {
        Logits = logits;
        File = file;
        LoadedFromDisk = loadedFromDisk;
        this.states = states ?? Array.Empty<int>();
        this.hidden = hidden ?? Array.Empty<Tensor>();
    }

    /// <summary>[N, K] logits, on the training device, in the training split's sample order.</summary>
    public Tensor Logits { get; }

    /// <summary>The cache file, for a disk cache.</summary>
    public string? File { get; }

    /// <summary>Whether the logits were read from an existing cache file instead of computed.</summary>
    public bool LoadedFromDisk { get; }

    /// <summary>The teacher's cached state indices (0 = embedding, i = block i-1's output), ascending; empty without layer matching.</summary>
    public IReadOnlyList<int> States => states;

    /// <summary>The cached state <paramref name="state"/> of every training sample, [N, ...] on the training device.</summary>
    public Tensor HiddenState(int state)
    {
        int at = Array.IndexOf(states, state);
        if (at < 0) throw new ArgumentOutOfRangeException(nameof(state), state, $"The teacher's state {state} is not cached (cached: {string.Join(", ", states)}).");
        return hidden[at];
    }

    /// <summary>The cached logits of the samples at <paramref name="indices"/>.</summary>
    public Tensor Take(Tensor indices) => Logits.index_select(0, indices.to(Logits.device));

    /// <summary>
    /// Fills <paramref name="into"/> with the cached hidden states of the samples at <paramref name="indices"/>, as a live
    /// <see cref="LayerCapture.Forward"/> of the teacher would (the tensors belong to the caller's dispose scope).
    /// </summary>
    public void TakeStates(Tensor indices, CapturedStates into)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        if (states.Length == 0) return;
        var at = indices.to(hidden[0].device); // in the caller's dispose scope (to() may return indices itself)
        for (int i = 0; i < states.Length; i++) into.Offer(states[i], hidden[i].index_select(0, at));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Logits.Dispose();
        foreach (var state in hidden) state.Dispose();
    }
}

/// <summary>
/// Computes the teacher's outputs once, in memory or on disk. A disk cache is keyed by a SHA-256 of the teacher's weights and of
/// the training data (features and labels), so a changed teacher, changed data or a changed transform of the data never reuses
/// a stale file. With layer matching the cache also holds the teacher hidden states the resolved layer map reads, and the key
/// covers the set of those states, so a changed map (another strategy, or a random map drawn from another seed) never reads a
/// file that lacks them.
/// </summary>
public static class TeacherOutputCache
{
    private const int Magic = 0x4B444C47; // "KDLG"
    private const int StatesMagic = 0x4B444853; // "KDHS"

    /// <summary>Computes the teacher's logits for all of <paramref name="train"/> (eval mode, no gradients).</summary>
    public static TeacherOutputs InMemory(nn.Module<Tensor, Tensor> teacher, LabeledDataset train, int batchSize, Device device)
    {
        using var scope = NewDisposeScope(); // the intermediate views (to, detach) go with it; only the clone is kept
        var logits = Evaluation.Logits(teacher, train, batchSize, device);
        return new TeacherOutputs(logits.to(device).detach().clone().DetachFromDisposeScope(), null, false);
    }

    /// <summary>Reads the cached logits from <paramref name="directory"/> when a file for this teacher and data exists; else computes and writes it atomically.</summary>
    public static TeacherOutputs OnDisk(nn.Module<Tensor, Tensor> teacher, LabeledDataset train, int batchSize, Device device, string directory)
    {
        string file = Path.Combine(Path.GetFullPath(directory), Key(teacher, train) + ".teacher-logits");
        if (System.IO.File.Exists(file))
        {
            var read = Read(file, train);
            if (read is not null) return new TeacherOutputs(read.to(device), file, true);
        }
        var computed = InMemory(teacher, train, batchSize, device);
        Write(file, computed.Logits);
        return new TeacherOutputs(computed.Logits, file, false);
    }

    /// <summary>
    /// Computes the teacher's logits and the teacher hidden states <paramref name="map"/> reads for all of <paramref name="train"/>
    /// (eval mode, no gradients), with the same block-by-block forward pass (<see cref="LayerCapture.Forward"/>) the live loop runs.
    /// </summary>
    public static TeacherOutputs InMemory<TTeacher>(TTeacher teacher, ResolvedLayerMap map, LabeledDataset train, int batchSize, Device device)
        where TTeacher : nn.Module<Tensor, Tensor>, ILayeredModule
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(train);
        int[] states = CachedStates(map);
        bool wasTraining = teacher.training;
        teacher.eval();
        // Each batch's outputs are copied into tensors for the whole split, allocated once the first batch gives their
        // shapes: concatenating per-batch pieces would hold every output twice at the peak (0.75 GB of maps become 1.5 GB).
        Tensor? logits = null;
        var hidden = new Tensor?[states.Length];
        try
        {
            using (no_grad())
            {
                var capture = map.TeacherCapture();
                for (long start = 0; start < train.Count; start += batchSize)
                {
                    using var scope = NewDisposeScope();
                    long length = Math.Min(batchSize, train.Count - start);
                    var inputs = train.Features.narrow(0, start, length).to(device);
                    var batchLogits = LayerCapture.Forward(teacher, inputs, capture);
                    logits ??= WholeSplit(batchLogits, train.Count);
                    logits.narrow(0, start, length).copy_(batchLogits);
                    for (int i = 0; i < states.Length; i++)
                    {
                        hidden[i] ??= WholeSplit(capture[states[i]], train.Count);
                        hidden[i]!.narrow(0, start, length).copy_(capture[states[i]]);
                    }
                }
            }
            var outputs = new TeacherOutputs(logits!, null, false, states, hidden.Select(h => h!).ToArray());
            logits = null;
            Array.Clear(hidden);
            return outputs;
        }
        finally
        {
            logits?.Dispose();
            foreach (var state in hidden) state?.Dispose();
            if (wasTraining) teacher.train();
            NativeMemory.ReleaseFreeMemory(); // the batches' activations are gone; return their pages
        }
    }

    private static Tensor WholeSplit(Tensor batch, long count)
    {
        long[] shape = (long[])batch.shape.Clone();
        shape[0] = count;
        return empty(shape, batch.dtype, batch.device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Reads the cached logits and hidden states from <paramref name="directory"/> when a file for this teacher, data and set of
    /// cached states exists; else computes them (<see cref="InMemory{TTeacher}"/>) and writes the file atomically.
    /// </summary>
    public static TeacherOutputs OnDisk<TTeacher>(TTeacher teacher, ResolvedLayerMap map, LabeledDataset train, int batchSize, Device device, string directory)
        where TTeacher : nn.Module<Tensor, Tensor>, ILayeredModule
    {
        ArgumentNullException.ThrowIfNull(map);
        int[] states = CachedStates(map);
        string file = Path.Combine(Path.GetFullPath(directory), Key(teacher, train, states) + ".teacher-outputs");
        if (System.IO.File.Exists(file))
        {
            var read = ReadWithStates(file, train, states);
            if (read is { } r)
            {
                var logits = r.Logits.to(device);
                var hidden = r.Hidden.Select(h => h.to(device)).ToArray();
                return new TeacherOutputs(logits, file, true, states, hidden);
            }
        }
        var computed = InMemory(teacher, map, train, batchSize, device);
        WriteWithStates(file, computed);
        return new TeacherOutputs(computed.Logits, file, false, states, states.Select(computed.HiddenState).ToArray());
    }

    /// <summary>The teacher states <paramref name="map"/> reads: distinct, ascending.</summary>
    public static int[] CachedStates(ResolvedLayerMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.Pairs.Select(p => p.TeacherState).Distinct().OrderBy(s => s).ToArray();
    }

    /// <summary>SHA-256 over the teacher's parameters and buffers (names, shapes, values) and the data's features and labels.</summary>
    public static string Key(nn.Module teacher, LabeledDataset train) => Key(teacher, train, null);

    /// <summary>
    /// <see cref="Key(nn.Module, LabeledDataset)"/> extended by the set of cached teacher states (null: logits only, the same key
    /// as the two-argument overload), so caches of different layer sets never share a file.
    /// </summary>
    public static string Key(nn.Module teacher, LabeledDataset train, IReadOnlyCollection<int>? states)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(train);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in teacher.state_dict())
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "[" + string.Join(",", tensor.shape) + "]"));
            AppendTensor(hash, tensor);
        }
        AppendTensor(hash, train.Features);
        AppendTensor(hash, train.Labels);
        if (states is not null)
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes("states[" + string.Join(",", states.Distinct().OrderBy(s => s)) + "]"));
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static void AppendTensor(IncrementalHash hash, Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        hash.AppendData(cpu.bytes);
    }

    private static void Write(string file, Tensor logits)
    {
        using var cpu = logits.detach().cpu().to_type(ScalarType.Float32).contiguous();
        AtomicFile.Write(file, temporary =>
        {
            using var writer = new BinaryWriter(System.IO.File.Create(temporary));
            writer.Write(Magic);
            writer.Write(cpu.shape[0]);
            writer.Write(cpu.shape[1]);
            writer.Write(cpu.bytes);
        });
    }

    /// <summary>The cached logits, or null when the file is not a complete cache for <paramref name="train"/> (then it is recomputed).</summary>
    private static Tensor? Read(string file, LabeledDataset train)
    {
        using var reader = new BinaryReader(System.IO.File.OpenRead(file));
        if (reader.BaseStream.Length < 20 || reader.ReadInt32() != Magic) return null;
        long rows = reader.ReadInt64(), columns = reader.ReadInt64();
        if (rows != train.Count || columns != train.ClassCount || reader.BaseStream.Length != 20 + rows * columns * 4) return null;
        return ReadFloats(reader, new[] { rows, columns });
    }

    // Layout: magic, rows, classes, state count; per state: its index, rank, dims; then the float32 logits and each state's values.
    private static void WriteWithStates(string file, TeacherOutputs outputs)
    {
        using var logits = outputs.Logits.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var hidden = outputs.States.Select(s => outputs.HiddenState(s).detach().cpu().to_type(ScalarType.Float32).contiguous()).ToArray();
        try
        {
            AtomicFile.Write(file, temporary =>
            {
                using var writer = new BinaryWriter(System.IO.File.Create(temporary));
                writer.Write(StatesMagic);
                writer.Write(logits.shape[0]);
                writer.Write(logits.shape[1]);
                writer.Write(hidden.Length);
                for (int i = 0; i < hidden.Length; i++)
                {
                    writer.Write(outputs.States[i]);
                    writer.Write(hidden[i].shape.Length);
                    foreach (long dim in hidden[i].shape) writer.Write(dim);
                }
                writer.Write(logits.bytes);
                foreach (var state in hidden) writer.Write(state.bytes);
            });
        }
        finally
        {
            foreach (var state in hidden) state.Dispose();
        }
    }

    /// <summary>The cached logits and states, or null when the file is not a complete cache of <paramref name="states"/> for <paramref name="train"/>.</summary>
    private static (Tensor Logits, Tensor[] Hidden)? ReadWithStates(string file, LabeledDataset train, int[] states)
    {
        using var reader = new BinaryReader(System.IO.File.OpenRead(file));
        long length = reader.BaseStream.Length;
        if (length < 24 || reader.ReadInt32() != StatesMagic) return null;
        long rows = reader.ReadInt64(), columns = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (rows != train.Count || columns != train.ClassCount || count != states.Length) return null;
        long header = 24, values = rows * columns;
        var shapes = new long[count][];
        for (int i = 0; i < count; i++)
        {
            if (reader.BaseStream.Position + 8 > length) return null;
            int state = reader.ReadInt32(), rank = reader.ReadInt32();
            if (state != states[i] || rank < 2 || rank > 8 || reader.BaseStream.Position + 8L * rank > length) return null;
            shapes[i] = new long[rank];
            for (int d = 0; d < rank; d++) shapes[i][d] = reader.ReadInt64();
            if (shapes[i][0] != rows || shapes[i].Any(d => d < 1)) return null;
            header += 8 + 8L * rank;
            values += shapes[i].Aggregate(1L, (a, b) => a * b);
        }
        if (length != header + values * 4) return null;
        var logits = ReadFloats(reader, new[] { rows, columns });
        var hidden = shapes.Select(shape => ReadFloats(reader, shape)).ToArray();
        return (logits, hidden);
    }

    private static Tensor ReadFloats(BinaryReader reader, long[] shape)
    {
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        var bytes = reader.ReadBytes(values.Length * 4);
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return tensor(values, shape);
    }
}
