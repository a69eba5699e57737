using System;
using System.Linq;
using KdDsl.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>Each loss is checked against the formula evaluated independently in float64 with plain C# arithmetic.</summary>
public sealed class DistillationLossesTests
{
    private static readonly double[,] Student = { { 1.0, 2.0, 0.5 }, { -1.0, 0.0, 3.0 } };
    private static readonly double[,] Teacher = { { 2.5, 0.3, -1.0 }, { 0.2, 0.1, 4.0 } };
    private static readonly long[] LabelValues = { 1, 2 };

    private static Tensor ToTensor(double[,] values)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var flat = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) flat[r * cols + c] = (float)values[r, c];
        return tensor(flat, new long[] { rows, cols });
    }

    private static double[] Softmax(double[,] logits, int row, double temperature)
    {
        int k = logits.GetLength(1);
        var scaled = Enumerable.Range(0, k).Select(c => logits[row, c] / temperature).ToArray();
        double max = scaled.Max();
        var exp = scaled.Select(v => Math.Exp(v - max)).ToArray();
        double sum = exp.Sum();
        return exp.Select(v => v / sum).ToArray();
    }

    [Fact]
    public void Cross_entropy_is_mean_negative_log_probability_of_the_true_class()
    {
        double expected = 0;
        for (int n = 0; n < 2; n++) expected += -Math.Log(Softmax(Student, n, 1)[LabelValues[n]]);
        expected /= 2;

        using var loss = DistillationLosses.CrossEntropy(ToTensor(Student), tensor(LabelValues));
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(4.0)]
    [InlineData(20.0)]
    public void Kl_divergence_is_t_squared_times_batchmean_kl_of_tempered_distributions(double temperature)
    {
        double expected = 0;
        for (int n = 0; n < 2; n++)
        {
            var pt = Softmax(Teacher, n, temperature);
            var ps = Softmax(Student, n, temperature);
            expected += pt.Select((p, k) => p * Math.Log(p / ps[k])).Sum();
        }
        expected = expected / 2 * temperature * temperature;

        using var loss = DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), temperature);
        Assert.Equal(0, loss.dim());
        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Fact]
    public void Kl_divergence_of_a_hand_computed_two_class_case()
    {
        // Teacher logits (ln 3, 0) → p_t = (3/4, 1/4); student logits (0, 0) → p_s = (1/2, 1/2), T = 1, one sample:
        // KL = 3/4 ln(3/2) + 1/4 ln(1/2).
        double expected = 0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5);
        using var loss = DistillationLosses.KlDivergence(
            tensor(new float[] { 0, 0 }, new long[] { 1, 2 }), tensor(new float[] { (float)Math.Log(3), 0 }, new long[] { 1, 2 }), 1.0);
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void Kl_divergence_is_zero_when_student_equals_teacher_and_its_gradient_points_toward_the_teacher()
    {
        using var same = DistillationLosses.KlDivergence(ToTensor(Teacher), ToTensor(Teacher), 3.0);
        Assert.Equal(0, same.item<float>(), 6);

        // d/dz_s [T^2 KL] = T (p_s,T - p_t,T) / N: check one component by formula.
        var student = ToTensor(Student).requires_grad_(true);
        using var loss = DistillationLosses.KlDivergence(student, ToTensor(Teacher), 2.0);
        loss.backward();
        var ps = Softmax(Student, 0, 2.0);
        var pt = Softmax(Teacher, 0, 2.0);
        double expectedGradient = 2.0 * (ps[0] - pt[0]) / 2;
        Assert.Equal(expectedGradient, student.grad![0, 0].item<float>(), 5);
    }

    [Fact]
    public void Kl_divergence_rejects_a_non_positive_temperature()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), 0));
    }

    [Fact]
    public void Logit_mse_is_mean_squared_difference_over_batch_and_classes()
    {
        double expected = 0;
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 3; k++) expected += Math.Pow(Student[n, k] - Teacher[n, k], 2);
        expected /= 6;
        using var loss = DistillationLosses.LogitMse(ToTensor(Student), ToTensor(Teacher));
        Assert.Equal(expected, loss.item<float>(), 5);
    }
}
