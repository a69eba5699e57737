using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CsvHelper;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>How <see cref="CsvData.Load"/> reads a delimited text file.</summary>
public sealed record CsvOptions
{
    /// <summary>The field separator: <c>','</c> (default), <c>'\t'</c> for TSV, <c>';'</c>, ...</summary>
    public char Separator { get; init; } = ',';

    /// <summary>Whether the first line holds the column names (default true). Without a header, columns are named by index only.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>The label column by name (needs a header). When neither this nor <see cref="LabelColumnIndex"/> is set, the last column is the label.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The label column by 0-based index.</summary>
    public int? LabelColumnIndex { get; init; }

    /// <summary>The feature columns by name (needs a header), in this order; null: every column but the label.</summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>The feature columns by 0-based index, in this order; null: every column but the label.</summary>
    public IReadOnlyList<int>? FeatureColumnIndices { get; init; }
}

/// <summary>
/// A data set read from a CSV/TSV file with the class names of its labels: class k of <see cref="Data"/> is the label text
/// <see cref="ClassNames"/>[k]. Disposing it disposes <see cref="Data"/>.
/// </summary>
public sealed class CsvDataset : IDisposable
{
    internal CsvDataset(LabeledDataset data, IReadOnlyList<string> classNames, IReadOnlyList<string> featureNames, bool integerLabels)
    {
        Data = data;
        ClassNames = classNames;
        FeatureNames = featureNames;
        IntegerLabels = integerLabels;
    }

    /// <summary>float32 features [N, D] and int64 labels [N].</summary>
    public LabeledDataset Data { get; }

    /// <summary>
    /// The label text of each class: for string labels the distinct labels sorted ordinally (so the mapping is the same for
    /// every file holding the same labels); for integer labels "0", "1", ..., "K-1".
    /// </summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The names of the feature columns, in the order of the feature vector (the header names, or "column i" without a header).</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Whether the labels were integers, used as the class indices as they are.</summary>
    public bool IntegerLabels { get; }

    /// <summary>The class index of a label text (e.g. to encode the labels of another file the same way); throws when unknown.</summary>
    public int ClassIndex(string label)
    {
        for (int k = 0; k < ClassNames.Count; k++)
            if (string.Equals(ClassNames[k], label, StringComparison.Ordinal)) return k;
        throw new DatasetException($"The label '{label}' is not one of the {ClassNames.Count} classes of '{Data.Name}': {string.Join(", ", ClassNames)}.");
    }

    /// <summary>The label text of a predicted class index.</summary>
    public string ClassName(long classIndex) => ClassNames[checked((int)classIndex)];

    /// <inheritdoc />
    public void Dispose() => Data.Dispose();
}

/// <summary>
/// Reads a classification data set from a CSV, TSV or other delimited file: numeric feature columns and one label column.
/// Labels that are all non-negative integers are the class indices as they are; any other labels (e.g. "setosa") are mapped
/// to classes in ordinal sort order (<see cref="CsvDataset.ClassNames"/>). A missing or non-numeric feature value is refused
/// with a <see cref="DatasetException"/> naming the file, the 1-based line and the column (name and 0-based index).
/// Parsing uses CsvHelper 34 (faster than Sep 0.18 on this machine, docs/benchmarks.md (g)); numbers are read in the
/// invariant culture ("1.5", not "1,5").
/// </summary>
public static class CsvData
{
    /// <summary>Reads <paramref name="path"/> with <paramref name="options"/> (default: comma-separated, header, label in the last column).</summary>
    public static CsvDataset Load(string path, CsvOptions? options = null)
    {
        options ??= new CsvOptions();
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new DatasetException($"The CSV file '{fullPath}' does not exist.");
        var readerOptions = new CsvReaderOptions
        {
            Separator = options.Separator,
            HasHeader = options.HasHeader,
            TrackLineNumbers = true,
            TrimWhitespace = true, // "1, 2, setosa" as written by hand
            FormatProvider = CultureInfo.InvariantCulture,
        };
        try
        {
            using var csv = CsvReader.FromFile(fullPath, readerOptions);
            string[] header = options.HasHeader ? csv.Headers.ToArray() : [];
            var features = new List<float>();
            var labelTexts = new List<string>();
            var lines = new List<long>();
            int[]? featureIndices = null;
            int labelIndex = -1, width = -1;
            while (csv.Read())
            {
                if (featureIndices is null)
                {
                    width = options.HasHeader ? header.Length : csv.FieldCount;
                    (labelIndex, featureIndices) = Columns(fullPath, options, header, width);
                }
                long line = csv.LineNumber;
                foreach (int c in featureIndices)
                {
                    string column = ColumnText(header, c);
                    if (c >= csv.FieldCount || csv.IsEmpty(c))
                        throw new DatasetException($"'{fullPath}' line {line}: the value of column {column} is missing.");
                    if (!csv.TryParse(c, out float value) || !float.IsFinite(value))
                        throw new DatasetException(
                            $"'{fullPath}' line {line}: column {column} holds '{csv.GetString(c)}', not a finite number.");
                    features.Add(value);
                }
                if (labelIndex >= csv.FieldCount || csv.IsEmpty(labelIndex))
                    throw new DatasetException($"'{fullPath}' line {line}: the label (column {ColumnText(header, labelIndex)}) is missing.");
                labelTexts.Add(csv.GetString(labelIndex).Trim());
                lines.Add(line);
            }
            if (featureIndices is null) throw new DatasetException($"'{fullPath}' holds no data rows.");

            bool integer = labelTexts.All(t => long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= 0);
            long[] labels;
            string[] classNames;
            if (integer)
            {
                labels = labelTexts.Select(t => long.Parse(t, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
                int classCount = Math.Max(2, checked((int)labels.Max() + 1));
                classNames = Enumerable.Range(0, classCount).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
            }
            else
            {
                classNames = labelTexts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                if (classNames.Length < 2)
                    throw new DatasetException($"'{fullPath}': every label is '{classNames[0]}'; a classification data set needs at least 2 classes.");
                var index = classNames.Select((name, k) => (name, k)).ToDictionary(p => p.name, p => (long)p.k, StringComparer.Ordinal);
                labels = labelTexts.Select(t => index[t]).ToArray();
            }
            string[] featureNames = featureIndices.Select(c => options.HasHeader ? header[c] : $"column {c}").ToArray();
            var data = new LabeledDataset(
                fullPath,
                tensor(features.ToArray(), [labels.Length, featureIndices.Length]),
                tensor(labels),
                classNames.Length);
            return new CsvDataset(data, classNames, featureNames, integer);
        }
        catch (CsvFormatException e)
        {
            throw new DatasetException($"'{fullPath}' is not a well-formed delimited file: {e.Message}", e);
        }
    }

    private static string ColumnText(string[] header, int index) =>
        header.Length > index ? $"'{header[index]}' (index {index})" : $"index {index}";

    private static (int Label, int[] Features) Columns(string path, CsvOptions options, string[] header, int width)
    {
        int Find(string name, string role)
        {
            if (header.Length == 0)
                throw new DatasetException($"'{path}': the {role} column '{name}' is named, but the file is read without a header; give its index instead.");
            int i = Array.IndexOf(header, name);
            if (i < 0) throw new DatasetException($"'{path}' has no {role} column '{name}'; its columns are {string.Join(", ", header.Select(h => $"'{h}'"))}.");
            return i;
        }
        int Check(int i, string role) => i >= 0 && i < width
            ? i
            : throw new DatasetException($"'{path}': the {role} column index {i} is outside the file's {width} columns [0, {width - 1}].");

        if (options.LabelColumn is not null && options.LabelColumnIndex is not null)
            throw new DatasetException($"'{path}': give the label column by name or by index, not both.");
        if (options.FeatureColumns is not null && options.FeatureColumnIndices is not null)
            throw new DatasetException($"'{path}': give the feature columns by name or by index, not both.");
        int label = options.LabelColumn is not null ? Find(options.LabelColumn, "label")
            : Check(options.LabelColumnIndex ?? width - 1, "label");
        int[] features = options.FeatureColumns is not null ? options.FeatureColumns.Select(n => Find(n, "feature")).ToArray()
            : options.FeatureColumnIndices is not null ? options.FeatureColumnIndices.Select(i => Check(i, "feature")).ToArray()
            : Enumerable.Range(0, width).Where(i => i != label).ToArray();
        if (features.Length == 0) throw new DatasetException($"'{path}' has no feature columns besides the label.");
        if (features.Contains(label)) throw new DatasetException($"'{path}': the label column {ColumnText(header, label)} is also chosen as a feature.");
        return (label, features);
    }
}
