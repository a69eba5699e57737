using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace KdDsl.Data;

/// <summary>The images of an IDX3 file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/> raw bytes, row-major, one image after another.</summary>
/// <param name="Pixels">The raw pixel bytes (0..255, not scaled), <c>Count * Rows * Columns</c> of them.</param>
/// <param name="Count">Number of images read (at most the limit passed to <see cref="IdxFile.ReadImages"/>).</param>
/// <param name="Rows">Image height.</param>
/// <param name="Columns">Image width.</param>
/// <param name="TotalCount">Number of images the file holds (its header count).</param>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns, int TotalCount)
{
    /// <summary>Bytes per image (<c>Rows * Columns</c>).</summary>
    public int PixelsPerImage => Rows * Columns;
}

/// <summary>The labels of an IDX1 file, one byte per sample.</summary>
/// <param name="Labels">The raw label bytes.</param>
/// <param name="Count">Number of labels read (at most the limit passed to <see cref="IdxFile.ReadLabels"/>).</param>
/// <param name="TotalCount">Number of labels the file holds (its header count).</param>
public sealed record IdxLabels(byte[] Labels, int Count, int TotalCount);

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST: a big-endian header (magic number, then one 32-bit size per dimension)
/// followed by unsigned bytes. Files may be gzip-compressed (detected by the 0x1f 0x8b header, not by the file name) or raw.
/// Every mismatch between the header and the file throws <see cref="DatasetException"/> naming the file.
/// </summary>
public static class IdxFile
{
    /// <summary>Magic number of an image file: unsigned bytes (0x08), 3 dimensions [count, rows, columns].</summary>
    public const int ImagesMagic = 0x0803; // 2051

    /// <summary>Magic number of a label file: unsigned bytes (0x08), 1 dimension [count].</summary>
    public const int LabelsMagic = 0x0801; // 2049

    // Largest image side accepted; real files are 28x28, this only rejects headers that are garbage.
    private const int MaxSide = 4096;

    private const int BufferSize = 1 << 16;

    /// <summary>
    /// Reads an image file and returns its raw bytes (0..255, unscaled; callers convert to float).
    /// With <paramref name="limit"/> &gt; 0 only the first <paramref name="limit"/> images are kept, but the whole payload is
    /// still checked against the header.
    /// </summary>
    public static IdxImages ReadImages(string path, int limit = 0)
    {
        CheckLimit(limit);
        string fullPath = Path.GetFullPath(path);
        using Stream stream = Open(fullPath);
        int[] header = ReadHeader(stream, fullPath, ImagesMagic, "images", dimensions: 3);
        int count = header[0], rows = header[1], columns = header[2];
        if (rows < 1 || rows > MaxSide || columns < 1 || columns > MaxSide)
            throw new DatasetException(
                $"IDX images file '{fullPath}': image size {rows} x {columns} in the header is not plausible (each side must be 1..{MaxSide}).");

        long imageBytes = (long)rows * columns;
        byte[] pixels = ReadPayload(stream, fullPath, count, imageBytes, limit, out int kept);
        return new IdxImages(pixels, kept, rows, columns, count);
    }

    /// <summary>
    /// Reads a label file and returns its raw bytes. With <paramref name="limit"/> &gt; 0 only the first <paramref name="limit"/>
    /// labels are kept, but the whole payload is still checked against the header.
    /// </summary>
    public static IdxLabels ReadLabels(string path, int limit = 0)
    {
        CheckLimit(limit);
        string fullPath = Path.GetFullPath(path);
        using Stream stream = Open(fullPath);
        int count = ReadHeader(stream, fullPath, LabelsMagic, "labels", dimensions: 1)[0];
        byte[] labels = ReadPayload(stream, fullPath, count, 1, limit, out int kept);
        return new IdxLabels(labels, kept, count);
    }

    /// <summary>Opens the file for buffered reading, decompressing it when it is gzip.</summary>
    internal static Stream Open(string fullPath)
    {
        if (!File.Exists(fullPath))
            throw new DatasetException($"Data file '{fullPath}' does not exist.");
        var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        bool gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        return gzip ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), BufferSize) : file;
    }

    private static void CheckLimit(int limit)
    {
        if (limit < 0)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The sample limit must be 0 (all samples) or positive.");
    }

    // Reads the magic number, then one big-endian size per dimension; every size must be non-negative.
    // The magic is checked before the sizes so that, e.g., a labels file passed as images reports the wrong magic.
    private static int[] ReadHeader(Stream stream, string fullPath, int expectedMagic, string kind, int dimensions)
    {
        int headerBytes = 4 * (1 + dimensions);
        Span<byte> header = stackalloc byte[headerBytes];
        int read = Fill(stream, header[..4], fullPath);
        if (read == 4)
        {
            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
                throw new DatasetException(
                    $"IDX {kind} file '{fullPath}': magic number is {magic} (0x{magic:X8}) but {kind} files have {expectedMagic} (0x{expectedMagic:X8}). " +
                    "Is this the right file, or are the images and labels swapped?");
            read += Fill(stream, header[4..], fullPath);
        }
        if (read < headerBytes)
            throw new DatasetException(
                $"IDX {kind} file '{fullPath}' is too short for its header: expected {headerBytes} bytes, found {read}.");

        var sizes = new int[dimensions];
        for (int d = 0; d < dimensions; d++)
        {
            sizes[d] = BinaryPrimitives.ReadInt32BigEndian(header[(4 * (d + 1))..]);
            if (sizes[d] < 0)
                throw new DatasetException($"IDX {kind} file '{fullPath}': dimension {d} in the header is negative ({sizes[d]}).");
        }
        return sizes;
    }

    // Reads the first `limit` records (all when 0), then drains the rest so a truncated or over-long file is always reported.
    private static byte[] ReadPayload(Stream stream, string fullPath, int count, long recordBytes, int limit, out int kept)
    {
        long expected = count * recordBytes;
        // A raw file's size is known up front: check it before allocating what a corrupt header may claim.
        if (stream.CanSeek && stream.Length - stream.Position != expected)
            throw LengthMismatch(fullPath, count, recordBytes, stream.Length - stream.Position);

        kept = limit > 0 ? Math.Min(limit, count) : count;
        long keptBytes = kept * recordBytes;
        if (keptBytes > Array.MaxLength)
            throw new DatasetException(
                $"IDX file '{fullPath}': {kept} records of {recordBytes} bytes ({keptBytes} bytes) do not fit in one array; pass a smaller limit.");

        var data = new byte[keptBytes];
        long found = Fill(stream, data, fullPath);
        if (found == keptBytes)
            found += CountRemaining(stream, fullPath);
        if (found != expected)
            throw LengthMismatch(fullPath, count, recordBytes, found);
        return data;
    }

    private static DatasetException LengthMismatch(string fullPath, int count, long recordBytes, long found)
    {
        long expected = count * recordBytes;
        return new DatasetException(
            $"IDX file '{fullPath}' is {(found < expected ? "truncated or corrupt" : "longer than its header says")}: " +
            $"the header promises {count} records of {recordBytes} bytes, i.e. {expected} payload bytes, but found {found}.");
    }

    // Reads until `buffer` is full or the stream ends; returns the number of bytes read.
    private static int Fill(Stream stream, Span<byte> buffer, string fullPath)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (System.IO.InvalidDataException e)
        {
            throw new DatasetException($"Data file '{fullPath}' is not valid gzip: {e.Message}", e);
        }
    }

    private static long CountRemaining(Stream stream, string fullPath)
    {
        byte[] scratch = new byte[BufferSize];
        long total = 0;
        int n;
        while ((n = Fill(stream, scratch, fullPath)) > 0)
            total += n;
        return total;
    }
}
