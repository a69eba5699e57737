using System;
using System.Linq;
using KdDsl.Losses;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary><see cref="TeacherEnsemble.Logits"/> against a float64 loop: weights, temperatures, large logits.</summary>
public sealed class TeacherEnsembleTests
{
    /// <summary>The ensemble distribution sum_i w_i softmax(z_i / T) / sum w, per row, in float64.</summary>
    private static double[] Reference(double[][] teachers, double[] weights, double temperature)
    {
        double sum = weights.Sum();
        var mean = new double[teachers[0].Length];
        for (int i = 0; i < teachers.Length; i++)
        {
            double max = teachers[i].Max() / temperature;
            var e = teachers[i].Select(z => Math.Exp(z / temperature - max)).ToArray();
            double norm = e.Sum();
            for (int k = 0; k < mean.Length; k++) mean[k] += weights[i] / sum * e[k] / norm;
        }
        return mean;
    }

    [Theory]
    [InlineData(1.0, new[] { 1.0, 1.0 }, 1.0)]
    [InlineData(4.0, new[] { 2.0, 1.0 }, 1.0)]
    [InlineData(0.5, new[] { 0.1, 3.0, 0.0 }, 1.0)]
    [InlineData(2.0, new[] { 1.0, 1.0 }, 300.0)] // logits in the hundreds: exp would overflow without the log-sum-exp
    public void Softmax_of_the_ensemble_logits_at_T_is_the_weighted_mean_of_the_teachers_distributions(double temperature, double[] weights, double scale)
    {
        var random = new Random(3);
        int rows = 5, classes = 7;
        var teachers = weights.Select(_ => Enumerable.Range(0, rows).Select(_ =>
            Enumerable.Range(0, classes).Select(_ => (random.NextDouble() * 2 - 1) * 3 * scale).ToArray()).ToArray()).ToArray();
        var tensors = teachers.Select(t => LossReference.ToTensor(To2D(t))).ToArray();
        using var ensemble = TeacherEnsemble.Logits(tensors, weights, temperature);
        Assert.Equal(ScalarType.Float32, ensemble.dtype);
        Assert.Equal(new long[] { rows, classes }, ensemble.shape);
        var probabilities = LossReference.ToArray(nn.functional.softmax(ensemble.to_type(ScalarType.Float64) / temperature, 1));
        for (int n = 0; n < rows; n++)
        {
            // The float32 inputs, read back, are what the reference sees.
            var expected = Reference(tensors.Select(t => LossReference.Row(LossReference.ToArray(t), n)).ToArray(), weights, temperature);
            double tolerance = scale > 1 ? 2e-4 : 1e-6; // float32 logits in the hundreds carry ~1e-4 absolute error
            for (int k = 0; k < classes; k++) Assert.True(Math.Abs(expected[k] - probabilities[n, k]) <= tolerance, $"[{n}, {k}]: {expected[k]} vs {probabilities[n, k]}");
        }
        Assert.True(ensemble.isfinite().all().item<bool>());
        foreach (var t in tensors) t.Dispose();
    }

    [Fact]
    public void One_teacher_is_its_own_ensemble_up_to_a_constant_per_row()
    {
        using var z = tensor(new float[] { 1, 2, 3, -1, 0, 5 }).reshape(2, 3);
        using var ensemble = TeacherEnsemble.Logits(new[] { z }, new[] { 1.0 }, 2.0);
        using var difference = ensemble - z;
        using var spread = difference.max(1).values - difference.min(1).values;
        Assert.True(spread.abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Weights_that_do_not_fit_are_refused()
    {
        using var z = zeros(2, 3);
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Logits(new[] { z, z }, new[] { 1.0 }, 1));
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Logits(new[] { z, z }, new[] { 1.0, -1.0 }, 1));
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Logits(new[] { z, z }, new[] { 0.0, 0.0 }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherEnsemble.Logits(new[] { z, z }, new[] { 1.0, 1.0 }, 0));
        using var other = zeros(2, 4);
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Logits(new[] { z, other }, new[] { 1.0, 1.0 }, 1));
    }

    private static double[,] To2D(double[][] rows)
    {
        var values = new double[rows.Length, rows[0].Length];
        for (int n = 0; n < rows.Length; n++)
            for (int k = 0; k < rows[0].Length; k++) values[n, k] = rows[n][k];
        return values;
    }
}
