using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>Plain float64 C# versions of the formulas, and conversions, shared by the loss tests.</summary>
internal static class LossReference
{
    public static Tensor ToTensor(double[,] values)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var flat = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) flat[r * cols + c] = (float)values[r, c];
        return tensor(flat, new long[] { rows, cols });
    }

    public static Tensor Labels(params long[] labels) => tensor(labels);

    /// <summary>The tensor's values as float64 [rows, cols] (2-D) or [1, n] (1-D).</summary>
    public static double[,] ToArray(Tensor t)
    {
        using var cpu = t.detach().to_type(ScalarType.Float64).cpu();
        var flat = cpu.data<double>().ToArray();
        int rows = t.dim() == 2 ? (int)t.shape[0] : 1, cols = (int)t.shape[^1];
        var result = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) result[r, c] = flat[r * cols + c];
        return result;
    }

    public static double[] Row(double[,] values, int row) =>
        Enumerable.Range(0, values.GetLength(1)).Select(c => values[row, c]).ToArray();

    public static double[] Softmax(double[] logits, double temperature = 1)
    {
        var scaled = logits.Select(v => v / temperature).ToArray();
        double max = scaled.Max();
        var exp = scaled.Select(v => Math.Exp(v - max)).ToArray();
        double sum = exp.Sum();
        return exp.Select(v => v / sum).ToArray();
    }

    public static double[] Softmax(double[,] logits, int row, double temperature = 1) => Softmax(Row(logits, row), temperature);

    /// <summary>KL(p || q) = sum p log(p/q), with 0 log 0 = 0.</summary>
    public static double Kl(double[] p, double[] q) => p.Select((pk, k) => pk > 0 ? pk * Math.Log(pk / q[k]) : 0).Sum();

    /// <summary>H(p, q) = -sum p log q, with 0 log q = 0.</summary>
    public static double CrossEntropy(double[] p, double[] q) => -p.Select((pk, k) => pk > 0 ? pk * Math.Log(q[k]) : 0).Sum();

    /// <summary>Tf-KD's virtual teacher row: a on c, (1-a)/(K-1) elsewhere.</summary>
    public static double[] Virtual(int classes, long label, double a) =>
        Enumerable.Range(0, classes).Select(k => k == label ? a : (1 - a) / (classes - 1)).ToArray();

    /// <summary>Asserts |expected - actual| &lt;= absolute + relative * |expected| (float32 results vs float64 references).</summary>
    public static void Close(double expected, double actual, double relative = 2e-6, double absolute = 1e-6)
    {
        Assert.False(double.IsNaN(actual) || double.IsInfinity(actual), $"Got {actual}, expected {expected}.");
        double tolerance = absolute + relative * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"Expected {expected:R}, got {actual:R} (tolerance {tolerance:G3}).");
    }

    public static void Close(double[,] expected, Tensor actual, double relative = 2e-6, double absolute = 1e-6)
    {
        var values = ToArray(actual);
        Assert.Equal(expected.GetLength(0), values.GetLength(0));
        Assert.Equal(expected.GetLength(1), values.GetLength(1));
        for (int r = 0; r < values.GetLength(0); r++)
            for (int c = 0; c < values.GetLength(1); c++) Close(expected[r, c], values[r, c], relative, absolute);
    }

    public static double Item(Tensor scalar)
    {
        Assert.Equal(0, scalar.dim());
        return scalar.to_type(ScalarType.Float64).item<double>();
    }
}
