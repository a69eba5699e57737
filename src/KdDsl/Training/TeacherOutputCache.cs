using System;
using System.IO;
using System.Security.Cryptography;
using KdDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>The teacher's logits for every training sample, computed once and reused by every epoch (offline KD).</summary>
public sealed class TeacherOutputs : IDisposable
{
    internal TeacherOutputs(Tensor logits, string? file, bool loadedFromDisk)
    {
        Logits = logits;
        File = file;
        LoadedFromDisk = loadedFromDisk;
    }

    /// <summary>[N, K] logits, on the training device, in the training split's sample order.</summary>
    public Tensor Logits { get; }

    /// <summary>The cache file, for a disk cache.</summary>
    public string? File { get; }

    /// <summary>Whether the logits were read from an existing cache file instead of computed.</summary>
    public bool LoadedFromDisk { get; }

    /// <summary>The cached logits of the samples at <paramref name="indices"/>.</summary>
    public Tensor Take(Tensor indices) => Logits.index_select(0, indices.to(Logits.device));

    /// <inheritdoc />
    public void Dispose() => Logits.Dispose();
}

/// <summary>
/// Computes the teacher's outputs once, in memory or on disk. A disk cache is keyed by a SHA-256 of the teacher's weights and of
/// the training data (features and labels), so a changed teacher, changed data or a changed transform of the data never reuses
/// a stale file.
/// </summary>
public static class TeacherOutputCache
{
    private const int Magic = 0x4B444C47; // "KDLG"

    /// <summary>Computes the teacher's logits for all of <paramref name="train"/> (eval mode, no gradients).</summary>
    public static TeacherOutputs InMemory(nn.Module<Tensor, Tensor> teacher, LabeledDataset train, int batchSize, Device device)
    {
        using var logits = Evaluation.Logits(teacher, train, batchSize, device);
        return new TeacherOutputs(logits.to(device).detach().clone(), null, false);
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

    /// <summary>SHA-256 over the teacher's parameters and buffers (names, shapes, values) and the data's features and labels.</summary>
    public static string Key(nn.Module teacher, LabeledDataset train)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in teacher.state_dict())
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "[" + string.Join(",", tensor.shape) + "]"));
            AppendTensor(hash, tensor);
        }
        AppendTensor(hash, train.Features);
        AppendTensor(hash, train.Labels);
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
        var values = new float[rows * columns];
        var bytes = reader.ReadBytes(values.Length * 4);
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return tensor(values, new[] { rows, columns });
    }
}
