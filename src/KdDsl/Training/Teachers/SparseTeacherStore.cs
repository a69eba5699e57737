using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using KdDsl.Data;
using KdDsl.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// The top-k teacher store (<c>[Teacher(CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = k)]</c>): for every training
/// sample the teacher's k largest logits, their class indices, and the log-normaliser of the full softmax at each temperature the
/// experiment's terms use. Memory and file grow with k (8 bytes per kept logit, plus 8 per sample and temperature), not with the
/// class count, so a teacher over 50,000 classes can be distilled from offline. See <c>docs/sparse-teacher-store.md</c>.
/// </summary>
/// <remarks>
/// File layout (little-endian), version 1: the 4 ASCII bytes <c>KDTK</c>; int32 version; the 32-byte SHA-256 fingerprint of the
/// teacher's weights and the training data (<see cref="TeacherOutputCache.Key(nn.Module, LabeledDataset)"/>); int64 N (samples);
/// int32 K (classes); int32 k; float64 T* (the calibration temperature the logits were divided by, 1 for none); int32 t; t float64
/// temperatures; then int32 indices [N, k], float32 logits [N, k] (largest first per row), float64 log-normalisers [N, t]. Size
/// <see cref="FileSize"/> = <c>68 + 8t + N (8k + 8t)</c> bytes. Written atomically; a file that is not such a store, is truncated,
/// or belongs to another teacher, data set, k or temperature is refused with an <see cref="InvalidDataException"/> naming the
/// difference, never read as if it fitted.
/// </remarks>
public sealed class SparseTeacherStore : IDisposable
{
    /// <summary>The version of the file layout this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The file name extension of a store on disk.</summary>
    public const string Extension = ".teacher-topk";

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("KDTK");
    private readonly double[] temperatures;

    private SparseTeacherStore(Tensor indices, Tensor logits, Tensor logNormalizers, int classCount, double[] temperatures,
        double calibrationTemperature, string fingerprint, string? file, bool loadedFromDisk)
    {
        Indices = indices;
        Logits = logits;
        LogNormalizers = logNormalizers;
        ClassCount = classCount;
        this.temperatures = temperatures;
        CalibrationTemperature = calibrationTemperature;
        Fingerprint = fingerprint;
        File = file;
        LoadedFromDisk = loadedFromDisk;
    }

    /// <summary>Class indices of every sample's top k, int32 [N, k], on the training device.</summary>
    public Tensor Indices { get; }

    /// <summary>The teacher's logits at <see cref="Indices"/> (divided by T* when calibrated), float32 [N, k], largest first.</summary>
    public Tensor Logits { get; }

    /// <summary>float64 [N, t]: column j is <c>logsumexp(z / Temperatures[j])</c> over all K classes.</summary>
    public Tensor LogNormalizers { get; }

    /// <summary>K, the teacher's class count.</summary>
    public int ClassCount { get; }

    /// <summary>k, the logits kept per sample.</summary>
    public int TopK => checked((int)Indices.shape[1]);

    /// <summary>N, the number of samples.</summary>
    public long Count => Indices.shape[0];

    /// <summary>The temperatures the normalisers are kept at, ascending.</summary>
    public IReadOnlyList<double> Temperatures => temperatures;

    /// <summary>T*, the calibration temperature the stored logits were divided by (1: none).</summary>
    public double CalibrationTemperature { get; }

    /// <summary>The teacher and data fingerprint the store was built for (64 hex digits).</summary>
    public string Fingerprint { get; }

    /// <summary>The store's file, for a store on disk.</summary>
    public string? File { get; }

    /// <summary>Whether the store was read from an existing file instead of computed.</summary>
    public bool LoadedFromDisk { get; }

    /// <summary>Bytes the store's tensors hold: <c>N (8k + 8t)</c>.</summary>
    public long BytesInMemory => Indices.NumberOfElements * 4 + Logits.NumberOfElements * 4 + LogNormalizers.NumberOfElements * 8;

    /// <summary>The size of a store file: <c>68 + 8t + N (8k + 8t)</c> bytes.</summary>
    public static long FileSize(long count, int topK, int temperatureCount) =>
        HeaderSize(temperatureCount) + count * (8L * topK + 8L * temperatureCount);

    private static long HeaderSize(int temperatureCount) => 4 + 4 + 32 + 8 + 4 + 4 + 8 + 4 + 8L * temperatureCount;

    /// <summary>The top-k batch of the samples at <paramref name="sampleIndices"/> (its tensors belong to the caller's dispose scope).</summary>
    public SparseTeacherLogits Take(Tensor sampleIndices)
    {
        ArgumentNullException.ThrowIfNull(sampleIndices);
        var at = sampleIndices.to(Indices.device);
        return new SparseTeacherLogits(Indices.index_select(0, at).to_type(ScalarType.Int64), Logits.index_select(0, at), ClassCount,
            temperatures, LogNormalizers.index_select(0, at));
    }

    /// <summary>
    /// Runs <paramref name="teacher"/> over <paramref name="train"/> (eval mode, no gradients, batch by batch) and keeps each sample's top
    /// <paramref name="topK"/> logits (all K when k &gt; K) and the normalisers at <paramref name="temperatures"/> (and at 1). Only one
    /// batch's dense logits exist at a time.
    /// </summary>
    /// <param name="teacher">The teacher.</param>
    /// <param name="train">The training split, in the order the loop's sample indices refer to.</param>
    /// <param name="topK">k &gt;= 1.</param>
    /// <param name="temperatures">The temperatures the terms apply to the teacher (each &gt; 0).</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="device">Where the teacher runs and the store is kept.</param>
    /// <param name="calibrationTemperature">T* of a calibrated teacher: the logits are divided by it before anything is kept.</param>
    public static SparseTeacherStore Compute(nn.Module<Tensor, Tensor> teacher, LabeledDataset train, int topK, IReadOnlyList<double> temperatures,
        int batchSize, Device device, double calibrationTemperature = 1) =>
        ComputeFor(teacher, train, topK, temperatures, batchSize, device, calibrationTemperature, TeacherOutputCache.Key(teacher, train));

    /// <summary>
    /// Reads the store for this teacher, data, k and temperatures from <paramref name="directory"/> when its file exists; else
    /// computes it (<see cref="Compute(nn.Module{Tensor, Tensor}, LabeledDataset, int, IReadOnlyList{double}, int, Device, double)"/>)
    /// and writes the file atomically. The file name is a hash of all of them, so another teacher, data set, k or temperature
    /// writes another file.
    /// </summary>
    /// <exception cref="InvalidDataException">The file exists but is not a complete store for them (it is never silently replaced).</exception>
    public static SparseTeacherStore OnDisk(nn.Module<Tensor, Tensor> teacher, LabeledDataset train, int topK, IReadOnlyList<double> temperatures,
        int batchSize, Device device, string directory, double calibrationTemperature = 1)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(directory);
        string fingerprint = TeacherOutputCache.Key(teacher, train);
        int k = CheckTopK(topK, train.ClassCount);
        double[] kept = KeptTemperatures(temperatures);
        CheckCalibration(calibrationTemperature);
        string file = Path.Combine(Path.GetFullPath(directory), FileKey(fingerprint, k, kept, calibrationTemperature) + Extension);
        if (System.IO.File.Exists(file))
            return Read(file, device, new Expected(fingerprint, train.Count, train.ClassCount, k, kept, calibrationTemperature));
        var computed = ComputeFor(teacher, train, k, kept, batchSize, device, calibrationTemperature, fingerprint);
        try
        {
            computed.Write(file);
        }
        catch
        {
            computed.Dispose();
            throw;
        }
        return computed.With(file, loadedFromDisk: false);
    }

    /// <summary>
    /// The store of dense teacher logits [N, K] (for tests and for logits computed elsewhere): each row's top <paramref name="topK"/>
    /// and its normalisers. <paramref name="fingerprint"/> (64 hex digits) names the teacher and data; by default a SHA-256 of the logits.
    /// </summary>
    public static SparseTeacherStore FromLogits(Tensor logits, int topK, IReadOnlyList<double> temperatures, string? fingerprint = null,
        double calibrationTemperature = 1)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.dim() != 2) throw new ArgumentException($"Expected logits [N, K], got [{string.Join(", ", logits.shape)}].", nameof(logits));
        int classes = checked((int)logits.shape[1]);
        int k = CheckTopK(topK, classes);
        double[] kept = KeptTemperatures(temperatures);
        CheckCalibration(calibrationTemperature);
        fingerprint ??= LogitsFingerprint(logits);
        CheckFingerprint(fingerprint);
        var store = Allocate(logits.shape[0], k, kept.Length, logits.device);
        try
        {
            using (no_grad())
            {
                const long Rows = 1024; // the float64 normalisers work on a slice at a time
                for (long start = 0; start < logits.shape[0]; start += Rows)
                {
                    using var scope = NewDisposeScope();
                    long length = Math.Min(Rows, logits.shape[0] - start);
                    var slice = logits.narrow(0, start, length).detach().to_type(ScalarType.Float32);
                    if (calibrationTemperature != 1) slice = slice / calibrationTemperature;
                    Keep(store, start, slice, k, kept);
                }
            }
            return new SparseTeacherStore(store.Indices, store.Logits, store.Normalizers, classes, kept, calibrationTemperature, fingerprint, null, false);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Writes the store to <paramref name="file"/> atomically (the layout in the remarks of <see cref="SparseTeacherStore"/>).</summary>
    public void Write(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var scope = NewDisposeScope(); // the CPU copies (never the store's own tensors, which are detached from any scope)
        var indices = Indices.detach().cpu().contiguous();
        var logits = Logits.detach().cpu().contiguous();
        var normalizers = LogNormalizers.detach().cpu().contiguous();
        AtomicFile.Write(file, temporary =>
        {
            using var stream = System.IO.File.Create(temporary);
            using var writer = new BinaryWriter(stream);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(Convert.FromHexString(Fingerprint));
            writer.Write(Count);
            writer.Write(ClassCount);
            writer.Write(TopK);
            writer.Write(CalibrationTemperature);
            writer.Write(temperatures.Length);
            foreach (double t in temperatures) writer.Write(t);
            writer.Write(indices.bytes);
            writer.Write(logits.bytes);
            writer.Write(normalizers.bytes);
        });
    }

    /// <summary>
    /// Reads a store file written by <see cref="Write"/>, whatever teacher it belongs to, onto <paramref name="device"/> (the CPU by default).
    /// </summary>
    /// <exception cref="InvalidDataException">Not a store file, another version, truncated or inconsistent.</exception>
    public static SparseTeacherStore Read(string file, Device? device = null) => Read(file, device ?? CPU, expected: null);

    /// <summary>
    /// Reads a store file and checks that it is the one for this teacher and data (<paramref name="fingerprint"/>, see
    /// <see cref="TeacherOutputCache.Key(nn.Module, LabeledDataset)"/>), k, temperatures and calibration.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a store file, truncated, or built for anything else than what is asked, naming the difference.</exception>
    public static SparseTeacherStore Read(string file, Device device, string fingerprint, long count, int classCount, int topK,
        IReadOnlyList<double> temperatures, double calibrationTemperature = 1) =>
        Read(file, device, new Expected((fingerprint ?? throw new ArgumentNullException(nameof(fingerprint))).ToLowerInvariant(), count, classCount,
            Math.Min(topK, classCount), KeptTemperatures(temperatures), calibrationTemperature));

    /// <inheritdoc />
    public void Dispose()
    {
        Indices.Dispose();
        Logits.Dispose();
        LogNormalizers.Dispose();
    }

    private sealed record Expected(string Fingerprint, long Count, int ClassCount, int TopK, double[] Temperatures, double CalibrationTemperature);

    private sealed class Buffers : IDisposable
    {
        public Tensor Indices = null!;
        public Tensor Logits = null!;
        public Tensor Normalizers = null!;

        public void Dispose()
        {
            Indices?.Dispose();
            Logits?.Dispose();
            Normalizers?.Dispose();
        }
    }

    private static SparseTeacherStore ComputeFor(nn.Module<Tensor, Tensor> teacher, LabeledDataset train, int topK, IReadOnlyList<double> temperatures,
        int batchSize, Device device, double calibrationTemperature, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(device);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be >= 1.");
        int k = CheckTopK(topK, train.ClassCount);
        double[] kept = KeptTemperatures(temperatures);
        CheckCalibration(calibrationTemperature);
        bool wasTraining = teacher.training;
        teacher.eval();
        var store = Allocate(train.Count, k, kept.Length, device);
        try
        {
            using (no_grad())
            {
                for (long start = 0; start < train.Count; start += batchSize)
                {
                    using var scope = NewDisposeScope(); // the batch's dense logits and activations go with it
                    long length = Math.Min(batchSize, train.Count - start);
                    var logits = teacher.call(train.Features.narrow(0, start, length).to(device));
                    if (logits.dim() != 2 || logits.shape[1] != train.ClassCount)
                        throw new InvalidOperationException(
                            $"The teacher returned [{string.Join(", ", logits.shape)}] for a batch of '{train.Name}'; the top-k store needs [B, {train.ClassCount}].");
                    if (logits.dtype != ScalarType.Float32) logits = logits.to_type(ScalarType.Float32);
                    if (calibrationTemperature != 1) logits = logits / calibrationTemperature; // as TeacherSource divides the live logits
                    Keep(store, start, logits, k, kept);
                }
            }
            return new SparseTeacherStore(store.Indices, store.Logits, store.Normalizers, train.ClassCount, kept, calibrationTemperature, fingerprint, null, false);
        }
        catch
        {
            store.Dispose();
            throw;
        }
        finally
        {
            if (wasTraining) teacher.train();
        }
    }

    private static Buffers Allocate(long count, int k, int temperatureCount, Device device) => new()
    {
        // Kept past any dispose scope of the caller: the store owns them.
        Indices = empty(new[] { count, k }, ScalarType.Int32, device).DetachFromDisposeScope(),
        Logits = empty(new[] { count, k }, ScalarType.Float32, device).DetachFromDisposeScope(),
        Normalizers = empty(new long[] { count, temperatureCount }, ScalarType.Float64, device).DetachFromDisposeScope(),
    };

    /// <summary>Copies the top k of <paramref name="logits"/> [b, K] and their normalisers into rows start.. of the store.</summary>
    private static void Keep(Buffers store, long start, Tensor logits, int k, double[] temperatures)
    {
        long length = logits.shape[0];
        var (values, indices) = logits.topk(k, 1);
        store.Logits.narrow(0, start, length).copy_(values);
        store.Indices.narrow(0, start, length).copy_(indices.to_type(ScalarType.Int32));
        store.Normalizers.narrow(0, start, length).copy_(SparseTeacherLogits.Normalizers(logits, temperatures));
    }

    /// <summary>This store's tensors under another file name: they move to the returned object (this one must not be disposed).</summary>
    private SparseTeacherStore With(string file, bool loadedFromDisk) =>
        new(Indices, Logits, LogNormalizers, ClassCount, temperatures, CalibrationTemperature, Fingerprint, file, loadedFromDisk);

    private static SparseTeacherStore Read(string file, Device device, Expected? expected)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(device);
        string name = Path.GetFullPath(file);
        using var stream = System.IO.File.OpenRead(name);
        using var reader = new BinaryReader(stream);
        long length = stream.Length;
        string Refused(string why) => $"'{name}' is refused as a top-k teacher store: {why}.";
        if (length < Magic.Length || !reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException(Refused("it is not a KdDsl top-k teacher store (no KDTK header)"));
        if (length < HeaderSize(0))
            throw new InvalidDataException(Refused($"it ends inside its header after {length} bytes (truncated or corrupt); delete it to recompute it"));
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException(Refused($"it has format version {version}, and this KdDsl reads version {FormatVersion}; delete it to recompute it"));
        string fingerprint = Convert.ToHexString(reader.ReadBytes(32)).ToLowerInvariant();
        long count = reader.ReadInt64();
        int classes = reader.ReadInt32(), k = reader.ReadInt32();
        double calibration = reader.ReadDouble();
        int t = reader.ReadInt32();
        if (count < 0 || classes < 1 || k < 1 || k > classes || t < 0 || t > 1024 || !(calibration > 0))
            throw new InvalidDataException(Refused($"its header is inconsistent (N = {count}, K = {classes}, k = {k}, t = {t}, T* = {Format(calibration)})"));
        if (length < HeaderSize(t))
            throw new InvalidDataException(Refused($"it ends inside its header after {length} bytes (truncated or corrupt); delete it to recompute it"));
        var temperatures = new double[t];
        for (int i = 0; i < t; i++) temperatures[i] = reader.ReadDouble();
        long size = FileSize(count, k, t);
        if (length != size)
            throw new InvalidDataException(Refused(
                $"it has {length} bytes, and a store of N = {count} samples, k = {k} and {t} temperature(s) has {size} (truncated or corrupt); delete it to recompute it"));

        if (expected is { } e)
        {
            if (fingerprint != e.Fingerprint)
                throw new InvalidDataException(Refused(
                    $"it belongs to another teacher or training data (fingerprint {fingerprint[..16]}..., expected {e.Fingerprint[..16]}...)"));
            if (count != e.Count || classes != e.ClassCount)
                throw new InvalidDataException(Refused($"it holds {count} samples of {classes} classes, and the data has {e.Count} of {e.ClassCount}"));
            if (k != e.TopK)
                throw new InvalidDataException(Refused($"it keeps k = {k} logits per sample, and CacheTopK asks for {e.TopK}"));
            if (!temperatures.SequenceEqual(e.Temperatures))
                throw new InvalidDataException(Refused(
                    $"it keeps the normaliser at T = {string.Join(", ", temperatures.Select(Format))}, and the terms need T = {string.Join(", ", e.Temperatures.Select(Format))}"));
            if (calibration != e.CalibrationTemperature)
                throw new InvalidDataException(Refused($"its logits were divided by T* = {Format(calibration)}, and the calibrated teacher's T* is {Format(e.CalibrationTemperature)}"));
        }

        using var scope = NewDisposeScope(); // what is returned leaves it; everything else (and everything on a failure) is disposed
        var indices = ReadTensor(reader, new[] { count, k }, ScalarType.Int32);
        var logits = ReadTensor(reader, new[] { count, k }, ScalarType.Float32);
        var normalizers = ReadTensor(reader, new long[] { count, t }, ScalarType.Float64);
        if (indices.lt(0).logical_or(indices.ge(classes)).any().item<bool>())
            throw new InvalidDataException(Refused($"it has class indices outside [0, {classes})"));
        return new SparseTeacherStore(indices.to(device).DetachFromDisposeScope(), logits.to(device).DetachFromDisposeScope(),
            normalizers.to(device).DetachFromDisposeScope(), classes, temperatures, calibration, fingerprint, name, loadedFromDisk: true);
    }

    private static Tensor ReadTensor(BinaryReader reader, long[] shape, ScalarType type)
    {
        int elements = checked((int)(shape[0] * shape[1]));
        switch (type)
        {
            case ScalarType.Int32:
            {
                var values = new int[elements];
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                return tensor(values, shape);
            }
            case ScalarType.Float32:
            {
                var values = new float[elements];
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                return tensor(values, shape);
            }
            default:
            {
                var values = new double[elements];
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                return tensor(values, shape);
            }
        }
    }

    private static int CheckTopK(int topK, int classCount)
    {
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "The top-k store keeps k >= 1 logits per sample.");
        return Math.Min(topK, classCount); // k > K keeps every class
    }

    /// <summary>The declared temperatures and 1, distinct and ascending.</summary>
    private static double[] KeptTemperatures(IReadOnlyList<double> temperatures)
    {
        ArgumentNullException.ThrowIfNull(temperatures);
        foreach (double t in temperatures)
        {
            if (!(t > 0) || double.IsInfinity(t))
                throw new ArgumentOutOfRangeException(nameof(temperatures), t, "Every temperature of the top-k store must be > 0 and finite.");
        }
        return temperatures.Append(1.0).Distinct().OrderBy(t => t).ToArray();
    }

    private static void CheckCalibration(double calibrationTemperature)
    {
        if (!(calibrationTemperature > 0) || double.IsInfinity(calibrationTemperature))
            throw new ArgumentOutOfRangeException(nameof(calibrationTemperature), calibrationTemperature, "The calibration temperature must be > 0 and finite.");
    }

    private static void CheckFingerprint(string fingerprint)
    {
        if (fingerprint.Length != 64 || !fingerprint.All(Uri.IsHexDigit))
            throw new ArgumentException("A fingerprint is 64 hex digits (a SHA-256).", nameof(fingerprint));
    }

    private static string LogitsFingerprint(Tensor logits)
    {
        using var cpu = logits.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return Convert.ToHexString(SHA256.HashData(cpu.bytes)).ToLowerInvariant();
    }

    /// <summary>The file name: a SHA-256 of the fingerprint, k, the temperatures and T*.</summary>
    private static string FileKey(string fingerprint, int k, double[] temperatures, double calibrationTemperature)
    {
        string text = $"{fingerprint};k={k};T={string.Join(",", temperatures.Select(Format))};T*={Format(calibrationTemperature)};v{FormatVersion}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
