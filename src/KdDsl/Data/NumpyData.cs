using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>
/// Reads NumPy arrays: <c>.npy</c> files (format versions 1.0, 2.0 and 3.0; C order, little-endian; dtypes
/// <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i8</c>, <c>&lt;i4</c>, <c>&lt;i2</c>, <c>|i1</c>, <c>|u1</c>, <c>|b1</c>) and <c>.npz</c>
/// archives (a zip of <c>.npy</c> files, stored or deflated, as <c>np.savez</c> and <c>np.savez_compressed</c> write them).
/// Anything else (Fortran order, big-endian, object arrays) is refused with a <see cref="DatasetException"/> naming the file.
/// </summary>
public static class NumpyData
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads one <c>.npy</c> file into a CPU tensor of its dtype and shape.</summary>
    public static Tensor LoadArray(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new DatasetException($"The NumPy file '{fullPath}' does not exist.");
        using var stream = File.OpenRead(fullPath);
        return ReadArray(stream, fullPath);
    }

    /// <summary>Reads every array of a <c>.npz</c> archive, keyed by its name (the entry name without <c>.npy</c>).</summary>
    public static Dictionary<string, Tensor> LoadArchive(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new DatasetException($"The NumPy archive '{fullPath}' does not exist.");
        var arrays = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var zip = ZipFile.OpenRead(fullPath);
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
                using var entryStream = entry.Open();
                arrays[entry.FullName[..^4]] = ReadArray(entryStream, $"{fullPath}!{entry.FullName}");
            }
        }
        catch (InvalidDataException e)
        {
            foreach (var tensor in arrays.Values) tensor.Dispose();
            throw new DatasetException($"'{fullPath}' is not a valid .npz (zip) archive: {e.Message}", e);
        }
        catch (DatasetException)
        {
            foreach (var tensor in arrays.Values) tensor.Dispose();
            throw;
        }
        return arrays;
    }

    /// <summary>
    /// A data set from two <c>.npy</c> files: the features [N, ...] and the integer labels [N]. float64 features become
    /// float32 (what the models compute in); other dtypes stay as they are (uint8 images, int64 token ids). The class count
    /// is <paramref name="classCount"/>, or the largest label + 1 (at least 2).
    /// </summary>
    public static LabeledDataset Load(string featuresPath, string labelsPath, int? classCount = null)
    {
        var features = LoadArray(featuresPath);
        Tensor labels;
        try { labels = LoadArray(labelsPath); }
        catch { features.Dispose(); throw; }
        return Build(Path.GetFullPath(featuresPath), features, labels, Path.GetFullPath(labelsPath), classCount);
    }

    /// <summary>
    /// A data set from one <c>.npz</c> archive holding the features under <paramref name="featuresName"/> (default <c>x</c>)
    /// and the labels under <paramref name="labelsName"/> (default <c>y</c>), as <c>np.savez(path, x=x, y=y)</c> writes them.
    /// Conversions and the class count as in <see cref="Load(string, string, int?)"/>.
    /// </summary>
    public static LabeledDataset LoadNpz(string path, string featuresName = "x", string labelsName = "y", int? classCount = null)
    {
        string fullPath = Path.GetFullPath(path);
        var arrays = LoadArchive(fullPath);
        try
        {
            string names = arrays.Count == 0 ? "none" : string.Join(", ", arrays.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => $"'{k}'"));
            if (!arrays.Remove(featuresName, out var features))
                throw new DatasetException($"The archive '{fullPath}' has no array '{featuresName}' for the features; it holds {names}.");
            if (!arrays.Remove(labelsName, out var labels))
            {
                features.Dispose();
                throw new DatasetException($"The archive '{fullPath}' has no array '{labelsName}' for the labels; it holds {names}.");
            }
            return Build($"{fullPath}!{featuresName}", features, labels, $"{fullPath}!{labelsName}", classCount);
        }
        finally
        {
            foreach (var tensor in arrays.Values) tensor.Dispose();
        }
    }

    private static LabeledDataset Build(string featuresName, Tensor features, Tensor labels, string labelsName, int? classCount)
    {
        try
        {
            if (labels.is_floating_point() || labels.dtype == ScalarType.Bool)
                throw new DatasetException($"The labels '{labelsName}' hold {labels.dtype}; class labels must be integers (0, 1, ...).");
            if (labels.dim() != 1)
                throw new DatasetException($"The labels '{labelsName}' have shape {LabeledDataset.ShapeText(labels.shape)}; they must be 1-D [samples].");
            if (features.dim() < 2)
                throw new DatasetException($"The features '{featuresName}' have shape {LabeledDataset.ShapeText(features.shape)}; they must be [samples, ...].");
            var labels64 = labels.to_type(ScalarType.Int64);
            if (!ReferenceEquals(labels64, labels)) labels.Dispose();
            labels = labels64;
            if (features.dtype == ScalarType.Float64)
            {
                var features32 = features.to_type(ScalarType.Float32);
                features.Dispose();
                features = features32;
            }
            int classes = classCount ?? (labels.numel() == 0 ? 2 : Math.Max(2, checked((int)labels.max().item<long>() + 1)));
            return new LabeledDataset(featuresName, features, labels, classes);
        }
        catch
        {
            features.Dispose();
            labels.Dispose();
            throw;
        }
    }

    private static Tensor ReadArray(Stream stream, string name)
    {
        var prefix = new byte[8];
        if (!TryReadExactly(stream, prefix) || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new DatasetException($"'{name}' is not a NumPy .npy file (it does not start with \\x93NUMPY).");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            var length = new byte[2];
            if (!TryReadExactly(stream, length)) throw Truncated(name);
            headerLength = length[0] | (length[1] << 8);
        }
        else if (major is 2 or 3)
        {
            var length = new byte[4];
            if (!TryReadExactly(stream, length)) throw Truncated(name);
            headerLength = BitConverter.ToInt32(length);
            if (headerLength < 0) throw new DatasetException($"'{name}': the .npy header length {headerLength} is invalid.");
        }
        else
        {
            throw new DatasetException($"'{name}': .npy format version {major}.{prefix[7]} is not supported (1.0, 2.0 and 3.0 are).");
        }
        var headerBytes = new byte[headerLength];
        if (!TryReadExactly(stream, headerBytes)) throw Truncated(name);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        string descr = Field(header, @"'descr'\s*:\s*'([^']*)'", name, "descr");
        string fortran = Field(header, @"'fortran_order'\s*:\s*(True|False)", name, "fortran_order");
        string shapeText = Field(header, @"'shape'\s*:\s*\(([^)]*)\)", name, "shape");
        if (fortran == "True")
            throw new DatasetException(
                $"'{name}' is stored in Fortran (column-major) order, which is not supported; save it in C order, e.g. np.save(path, np.ascontiguousarray(a)).");
        long[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long v)
                ? v : throw new DatasetException($"'{name}': the shape ({shapeText}) in the .npy header is not a tuple of sizes."))
            .ToArray();
        long count = shape.Aggregate(1L, (p, d) => checked(p * d));

        if (descr.Length >= 2 && descr[0] == '>' && descr[1..] is not "u1" and not "i1" and not "b1")
            throw new DatasetException($"'{name}' holds big-endian data ('{descr}'); save it little-endian, e.g. a.astype(a.dtype.newbyteorder('<')).");
        string kind = descr.TrimStart('<', '|', '=', '>');
        int itemSize = kind switch
        {
            "f4" or "i4" => 4,
            "f8" or "i8" => 8,
            "i2" => 2,
            "u1" or "i1" or "b1" => 1,
            _ => throw new DatasetException(
                $"'{name}' holds dtype '{descr}', which is not supported; use float32 ('<f4'), float64 ('<f8'), int64 ('<i8'), int32 ('<i4'), int16 ('<i2'), int8, uint8 or bool."),
        };
        long byteCount = checked(count * itemSize);
        if (byteCount > Array.MaxLength) throw new DatasetException($"'{name}' holds {byteCount} bytes, more than one array can hold.");
        var data = new byte[byteCount];
        if (!TryReadExactly(stream, data))
            throw new DatasetException($"'{name}' is truncated: the header promises {LabeledDataset.ShapeText(shape)} of '{descr}' ({byteCount} bytes).");
        return kind switch
        {
            "f4" => tensor(MemoryMarshal.Cast<byte, float>(data).ToArray(), shape),
            "f8" => tensor(MemoryMarshal.Cast<byte, double>(data).ToArray(), shape),
            "i8" => tensor(MemoryMarshal.Cast<byte, long>(data).ToArray(), shape),
            "i4" => tensor(MemoryMarshal.Cast<byte, int>(data).ToArray(), shape),
            "i2" => tensor(MemoryMarshal.Cast<byte, short>(data).ToArray(), shape),
            "i1" => tensor(MemoryMarshal.Cast<byte, sbyte>(data).ToArray(), shape),
            "b1" => tensor(data.Select(b => b != 0).ToArray(), shape),
            _ => tensor(data, shape),
        };
    }

    private static string Field(string header, string pattern, string name, string key)
    {
        var match = Regex.Match(header, pattern);
        if (!match.Success) throw new DatasetException($"'{name}': the .npy header has no readable '{key}' entry: {header.Trim()}");
        return match.Groups[1].Value;
    }

    private static DatasetException Truncated(string name) => new($"'{name}' is truncated inside its .npy header.");

    private static bool TryReadExactly(Stream stream, byte[] buffer)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return read == buffer.Length;
    }
}
