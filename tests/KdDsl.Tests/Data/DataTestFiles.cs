using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace KdDsl.Tests.Data;

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kddsl-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}

/// <summary>Builds IDX files byte by byte, independently of the code under test.</summary>
internal static class IdxBytes
{
    /// <summary>Header (magic 2051, count, rows, columns, big-endian) followed by <paramref name="pixels"/>.</summary>
    public static byte[] Images(int count, int rows, int columns, byte[] pixels, int magic = 2051) =>
        Concat(BigEndian(magic, count, rows, columns), pixels);

    /// <summary>Header (magic 2049, count, big-endian) followed by <paramref name="labels"/>.</summary>
    public static byte[] Labels(byte[] labels, int magic = 2049, int? count = null) =>
        Concat(BigEndian(magic, count ?? labels.Length), labels);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            gzip.Write(data);
        return output.ToArray();
    }

    private static byte[] BigEndian(params int[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] Concat(byte[] a, byte[] b)
    {
        var result = new byte[a.Length + b.Length];
        a.CopyTo(result, 0);
        b.CopyTo(result, a.Length);
        return result;
    }
}

internal static class LabelCounting
{
    /// <summary>How many times each label 0..classes-1 occurs, counted in plain C#.</summary>
    public static long[] ClassCounts(this long[] labels, int classes)
    {
        var counts = new long[classes];
        foreach (long label in labels) counts[label]++;
        return counts;
    }
}
