using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Calibration;

/// <summary>
/// A validated copy of an <c>[N, K]</c> score matrix (logits or probabilities) and its <c>[N]</c> labels, in float64 on the
/// CPU. All calibration arithmetic runs on these arrays in plain C#, so it is deterministic and independent of the device.
/// </summary>
internal sealed class CalibrationInputs
{
    private CalibrationInputs(double[] values, long[] labels, int rows, int columns, bool singlePrecision)
    {
        Values = values;
        Labels = labels;
        Rows = rows;
        Columns = columns;
        SinglePrecision = singlePrecision;
    }

    /// <summary>Row-major scores, <c>Values[n * Columns + k]</c>.</summary>
    public double[] Values { get; }

    /// <summary>The labels, each in <c>[0, Columns)</c>.</summary>
    public long[] Labels { get; }

    /// <summary>N, the number of samples (at least 1).</summary>
    public int Rows { get; }

    /// <summary>K, the number of classes (at least 1).</summary>
    public int Columns { get; }

    /// <summary>True when the scores were not float64 (float32, float16, bfloat16): their values are exactly float32 numbers.</summary>
    public bool SinglePrecision { get; }

    /// <summary>Copies and validates <paramref name="scores"/> ([N, K], floating, finite) and <paramref name="labels"/> ([N], integral, in range).</summary>
    public static CalibrationInputs Read(Tensor scores, Tensor labels, string scoresName, string labelsName)
    {
        ArgumentNullException.ThrowIfNull(scores, scoresName);
        ArgumentNullException.ThrowIfNull(labels, labelsName);
        if (scores.dim() != 2)
            throw new ArgumentException($"Expected a 2-D [N, K] tensor, got shape [{string.Join(", ", scores.shape)}].", scoresName);
        if (!scores.is_floating_point())
            throw new ArgumentException($"Expected a floating-point tensor, got {scores.dtype}.", scoresName);
        long rows = scores.shape[0], columns = scores.shape[1];
        if (rows == 0)
            throw new ArgumentException("The input is empty (N = 0): calibration needs at least one sample.", scoresName);
        if (columns == 0)
            throw new ArgumentException("The input has no classes (K = 0).", scoresName);
        if (rows * columns > int.MaxValue)
            throw new ArgumentException($"The input is too large ({rows} x {columns} values).", scoresName);
        if (labels.dim() != 1 || labels.shape[0] != rows)
            throw new ArgumentException(
                $"Expected labels of shape [{rows}] to match the [{rows}, {columns}] scores, got shape [{string.Join(", ", labels.shape)}].",
                labelsName);
        if (labels.is_floating_point() || labels.is_complex() || labels.dtype == ScalarType.Bool)
            throw new ArgumentException($"Expected integer class labels, got {labels.dtype}.", labelsName);

        bool single = scores.dtype != ScalarType.Float64;
        double[] values;
        long[] labelValues;
        using (var scope = NewDisposeScope())
        {
            // The raw bytes of a contiguous CPU tensor, reinterpreted: far faster than the element-wise TensorAccessor.
            values = MemoryMarshal.Cast<byte, double>(scores.detach().cpu().to_type(ScalarType.Float64).contiguous().bytes).ToArray();
            labelValues = MemoryMarshal.Cast<byte, long>(labels.detach().cpu().to_type(ScalarType.Int64).contiguous().bytes).ToArray();
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException(
                    $"The input contains a non-finite value ({values[i]}) at sample {i / columns}, class {i % columns}.", scoresName);
        }
        for (int n = 0; n < labelValues.Length; n++)
        {
            if (labelValues[n] < 0 || labelValues[n] >= columns)
                throw new ArgumentException(
                    $"Label {labelValues[n]} of sample {n} is outside [0, {columns}) for K = {columns} classes.", labelsName);
        }
        return new CalibrationInputs(values, labelValues, (int)rows, (int)columns, single);
    }
}
