using System;
using System.Linq;
using KdDsl.Losses;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>
/// The KL term's precision policy: float32 for float32 logits up to <see cref="DistillationLosses.Float32TemperatureLimit"/> (= 4),
/// float64 above it. The float32 path is checked against a float64 reference evaluated here in C# doubles, at the limit, on the
/// hardest case of the measurement in docs/benchmarks.md (a student within a logit gap of 0.1 of its teacher).
/// </summary>
public sealed class KlPrecisionPolicyTests
{
    private const double Limit = 4; // the documented limit; the test fails if the constant moves without the docs

    private static (float[] Student, float[] Teacher) Logits(int n, int k, double spread, double gap, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var teacher = new float[n * k];
        var student = new float[n * k];
        for (int i = 0; i < teacher.Length; i++)
        {
            teacher[i] = (float)(spread * Gaussian());
            student[i] = (float)(teacher[i] + gap * Gaussian());
        }
        return (student, teacher);
    }

    /// <summary>T^2 (1/N) sum_n KL(softmax(t_n/T) || softmax(s_n/T)) and its gradient T (p_s - p_t) / N, in doubles.</summary>
    private static (double Loss, double[] Gradient) Reference(float[] student, float[] teacher, int n, int k, double t)
    {
        double loss = 0;
        var gradient = new double[n * k];
        for (int row = 0; row < n; row++)
        {
            var ps = Softmax(student, row, k, t);
            var pt = Softmax(teacher, row, k, t);
            for (int c = 0; c < k; c++)
            {
                loss += pt[c] * (Math.Log(pt[c]) - Math.Log(ps[c]));
                gradient[row * k + c] = t * (ps[c] - pt[c]) / n;
            }
        }
        return (loss / n * t * t, gradient);
    }

    private static double[] Softmax(float[] logits, int row, int k, double t)
    {
        var scaled = Enumerable.Range(0, k).Select(c => logits[row * k + c] / t).ToArray();
        double max = scaled.Max();
        var exp = scaled.Select(v => Math.Exp(v - max)).ToArray();
        double sum = exp.Sum();
        return exp.Select(v => v / sum).ToArray();
    }

    [Fact]
    public void The_documented_limit_is_in_force()
    {
        Assert.Equal(Limit, DistillationLosses.Float32TemperatureLimit);
    }

    [Theory]
    [InlineData(10, 11)]
    [InlineData(10, 12)]
    [InlineData(100, 13)]
    public void At_the_limit_the_float32_path_is_within_1e_4_of_the_float64_reference(int classes, int seed)
    {
        const int n = 256;
        var (student, teacher) = Logits(n, classes, spread: 3, gap: 0.1, seed);
        var studentTensor = tensor(student, new long[] { n, classes }).requires_grad_(true);
        using var teacherTensor = tensor(teacher, new long[] { n, classes });
        Assert.True(DistillationLosses.KlUsesFloat32(studentTensor, teacherTensor, Limit, Limit));

        using var loss = DistillationLosses.KlDivergence(studentTensor, teacherTensor, Limit); // the generated loops' call
        Assert.Equal(ScalarType.Float32, loss.dtype);
        loss.backward();
        var (expected, expectedGradient) = Reference(student, teacher, n, classes, Limit);
        double relative = Math.Abs(loss.item<float>() - expected) / expected;
        Assert.True(relative <= 1e-4, $"float32 loss off by {relative:E2} (relative) at T = {Limit}");

        var gradient = studentTensor.grad!.data<float>().ToArray();
        double scale = expectedGradient.Max(Math.Abs);
        double worst = gradient.Select((g, i) => Math.Abs(g - expectedGradient[i])).Max() / scale;
        Assert.True(worst <= 1e-4, $"float32 gradient off by {worst:E2} (relative, max-norm) at T = {Limit}");
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(4.0, 4.0)]
    [InlineData(4.0, 1.0)]
    public void Up_to_the_limit_with_float32_logits_the_float32_path_is_used(double teacherTemperature, double studentTemperature)
    {
        var (student, teacher) = Logits(32, 10, 3, 1, seed: 5);
        using var s = tensor(student, new long[] { 32, 10 });
        using var t = tensor(teacher, new long[] { 32, 10 });
        Assert.True(DistillationLosses.KlUsesFloat32(s, t, teacherTemperature, studentTemperature));
        using var automatic = DistillationLosses.KlDivergence(s, t, teacherTemperature, studentTemperature, KlReduction.BatchMean, true);
        using var float32 = DistillationLosses.KlDivergence(s, t, teacherTemperature, studentTemperature, KlReduction.BatchMean, true, KlPrecision.Float32);
        using var float64 = DistillationLosses.KlDivergence(s, t, teacherTemperature, studentTemperature, KlReduction.BatchMean, true, KlPrecision.Float64);
        Assert.Equal(float32.item<float>(), automatic.item<float>()); // bit for bit: the same computation
        Assert.Equal(float64.item<float>(), automatic.item<float>(), 4); // and close to the float64 value
    }

    [Theory]
    [InlineData(4.5, 4.5)]
    [InlineData(20.0, 1.0)] // Sultan et al.: student at T = 1, teacher hot
    [InlineData(1.0, 8.0)]
    [InlineData(1e4, 1e4)]
    public void Above_the_limit_the_float64_path_is_used(double teacherTemperature, double studentTemperature)
    {
        var (student, teacher) = Logits(32, 10, 3, 0.1, seed: 6);
        using var s = tensor(student, new long[] { 32, 10 });
        using var t = tensor(teacher, new long[] { 32, 10 });
        Assert.False(DistillationLosses.KlUsesFloat32(s, t, teacherTemperature, studentTemperature));
        using var automatic = DistillationLosses.KlDivergence(s, t, teacherTemperature, studentTemperature, KlReduction.BatchMean, true);
        using var float64 = DistillationLosses.KlDivergence(s, t, teacherTemperature, studentTemperature, KlReduction.BatchMean, true, KlPrecision.Float64);
        Assert.Equal(float64.item<float>(), automatic.item<float>()); // bit for bit
    }

    [Fact]
    public void Float64_logits_are_computed_in_float64_at_any_temperature()
    {
        var (student, teacher) = Logits(16, 10, 3, 1, seed: 7);
        using var s = tensor(student.Select(v => (double)v).ToArray(), new long[] { 16, 10 });
        using var t = tensor(teacher.Select(v => (double)v).ToArray(), new long[] { 16, 10 });
        Assert.False(DistillationLosses.KlUsesFloat32(s, t, 2, 2));
        using var automatic = DistillationLosses.KlDivergence(s, t, 2.0);
        Assert.Equal(ScalarType.Float64, automatic.dtype);
        Assert.Equal(Reference(student, teacher, 16, 10, 2).Loss, automatic.item<double>(), 12);
    }

    [Fact]
    public void Why_the_limit_exists_float32_at_T_1e4_is_far_off_and_the_policy_is_not()
    {
        const int n = 256, k = 10;
        const double T = 1e4;
        var (student, teacher) = Logits(n, k, 3, 0.3, seed: 8);
        using var s = tensor(student, new long[] { n, k });
        using var t = tensor(teacher, new long[] { n, k });
        double expected = Reference(student, teacher, n, k, T).Loss;
        using var forced32 = DistillationLosses.KlDivergence(s, t, T, T, KlReduction.BatchMean, true, KlPrecision.Float32);
        using var automatic = DistillationLosses.KlDivergence(s, t, T);
        Assert.True(Math.Abs(forced32.item<float>() - expected) / expected > 0.1, "float32 at T = 1e4 was expected to be off by more than 10%");
        Assert.Equal(expected, automatic.item<float>(), expected * 1e-4);
    }

    [Fact]
    public void Both_paths_agree_on_the_elementwise_mean_and_unscaled_forms()
    {
        var (student, teacher) = Logits(8, 5, 2, 1, seed: 9);
        using var s = tensor(student, new long[] { 8, 5 });
        using var t = tensor(teacher, new long[] { 8, 5 });
        double reference = Reference(student, teacher, 8, 5, 2).Loss; // batchmean, scaled by T^2 = 4
        foreach (var precision in new[] { KlPrecision.Float32, KlPrecision.Float64 })
        {
            using var elementwise = DistillationLosses.KlDivergence(s, t, 2, 2, KlReduction.ElementwiseMean, true, precision);
            using var unscaled = DistillationLosses.KlDivergence(s, t, 2, 2, KlReduction.BatchMean, false, precision);
            Assert.Equal(reference / 5, elementwise.item<float>(), 5);
            Assert.Equal(reference / 4, unscaled.item<float>(), 5);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.KlDivergence(s, t, 2, 2, KlReduction.BatchMean, true, (KlPrecision)9));
    }
}
