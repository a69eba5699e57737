using System;
using KdDsl.Losses;
using TorchSharp;
using Xunit;
using static KdDsl.Tests.Losses.LossReference;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>The general KL term (two temperatures, two reductions, optional T_t^2) against float64 references.</summary>
public sealed class KlDivergenceGeneralTests
{
    private static readonly double[,] Student = { { 1.0, 2.0, 0.5, -0.3 }, { -1.0, 0.0, 3.0, 0.7 }, { 0.2, -2.0, 1.1, 1.5 } };
    private static readonly double[,] Teacher = { { 2.5, 0.3, -1.0, 0.0 }, { 0.2, 0.1, 4.0, -0.5 }, { 1.7, -0.4, 0.9, 2.2 } };

    private static double Reference(double[,] student, double[,] teacher, double tt, double ts, KlReduction reduction, bool scaled)
    {
        int n = student.GetLength(0), k = student.GetLength(1);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Kl(Softmax(teacher, i, tt), Softmax(student, i, ts));
        double value = reduction == KlReduction.BatchMean ? sum / n : sum / (n * k);
        return scaled ? value * tt * tt : value;
    }

    [Theory]
    [InlineData(1.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(4.0, 4.0, KlReduction.BatchMean, true)]
    [InlineData(4.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(2.0, 3.0, KlReduction.BatchMean, false)]
    [InlineData(4.0, 4.0, KlReduction.ElementwiseMean, true)]
    [InlineData(0.5, 1.0, KlReduction.ElementwiseMean, false)]
    [InlineData(20.0, 20.0, KlReduction.ElementwiseMean, true)]
    public void Matches_the_formula(double teacherTemperature, double studentTemperature, KlReduction reduction, bool scaled)
    {
        double expected = Reference(Student, Teacher, teacherTemperature, studentTemperature, reduction, scaled);
        using var loss = DistillationLosses.KlDivergence(
            ToTensor(Student), ToTensor(Teacher), teacherTemperature, studentTemperature, reduction, scaled);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        Close(expected, Item(loss), relative: 1e-5);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(20.0)]
    public void The_three_argument_overload_is_equal_temperatures_batchmean_and_t_squared(double temperature)
    {
        using var legacy = DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), temperature);
        using var general = DistillationLosses.KlDivergence(
            ToTensor(Student), ToTensor(Teacher), temperature, temperature, KlReduction.BatchMean, scaleByTemperatureSquared: true);
        Assert.Equal(general.item<float>(), legacy.item<float>());
    }

    [Theory]
    [InlineData(1.0, 1.0, true)]
    [InlineData(4.0, 1.0, true)]
    [InlineData(2.0, 5.0, false)]
    public void Elementwise_mean_is_batchmean_divided_by_the_class_count(double tt, double ts, bool scaled)
    {
        using var batchMean = DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), tt, ts, KlReduction.BatchMean, scaled);
        using var elementwise = DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), tt, ts, KlReduction.ElementwiseMean, scaled);
        Close(Item(batchMean) / 4, Item(elementwise), relative: 1e-6);
    }

    [Fact]
    public void Two_classes_match_a_hand_computed_value()
    {
        // Teacher logits (ln 3, 0) at T_t = 1 → (3/4, 1/4); student logits (2 ln 2, 0) at T_s = 2 → logits (ln 2, 0) → (2/3, 1/3).
        // KL = 3/4 ln(9/8) + 1/4 ln(3/4); scaled by T_t^2 = 1; one sample; elementwise mean divides by K = 2.
        double kl = 0.75 * Math.Log(9.0 / 8) + 0.25 * Math.Log(0.75);
        using var student = tensor(new float[] { (float)(2 * Math.Log(2)), 0 }, new long[] { 1, 2 });
        using var teacher = tensor(new float[] { (float)Math.Log(3), 0 }, new long[] { 1, 2 });
        using var batchMean = DistillationLosses.KlDivergence(student, teacher, 1, 2, KlReduction.BatchMean, true);
        using var elementwise = DistillationLosses.KlDivergence(student, teacher, 1, 2, KlReduction.ElementwiseMean, true);
        Close(kl, Item(batchMean), relative: 1e-5);
        Close(kl / 2, Item(elementwise), relative: 1e-5);

        var s2 = new double[,] { { 0.3, -1.2 }, { 2.0, 1.0 } };
        var t2 = new double[,] { { 1.5, 0.5 }, { -0.7, 0.4 } };
        using var loss = DistillationLosses.KlDivergence(ToTensor(s2), ToTensor(t2), 3, 1, KlReduction.BatchMean, true);
        Close(Reference(s2, t2, 3, 1, KlReduction.BatchMean, true), Item(loss), relative: 1e-5);
    }

    [Fact]
    public void A_very_large_temperature_stays_finite_and_tends_to_half_the_variance_of_the_logit_gap()
    {
        const double T = 1e4;
        double expected = Reference(Student, Teacher, T, T, KlReduction.BatchMean, true);
        using var loss = DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), T, T, KlReduction.BatchMean, true);
        double actual = Item(loss);
        Close(expected, actual, relative: 1e-4);

        // T^2 KL(softmax(a/T) || softmax(b/T)) → (1/2K) sum_k (d_k - mean d)^2 with d = a - b, as T → ∞ (corrections are O(1/T)).
        double limit = 0;
        for (int n = 0; n < 3; n++)
        {
            var d = new double[4];
            for (int k = 0; k < 4; k++) d[k] = Teacher[n, k] - Student[n, k];
            double mean = (d[0] + d[1] + d[2] + d[3]) / 4;
            for (int k = 0; k < 4; k++) limit += (d[k] - mean) * (d[k] - mean) / 8;
        }
        limit /= 3;
        Close(limit, actual, relative: 1e-3);

        // Teacher at T = 1e4 (uniform) against a student at T = 1: T^2 times KL(uniform || p_s), large but finite.
        using var mixed = DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), T, 1, KlReduction.ElementwiseMean, true);
        Close(Reference(Student, Teacher, T, 1, KlReduction.ElementwiseMean, true), Item(mixed), relative: 1e-5);
    }

    [Fact]
    public void Is_zero_when_the_tempered_distributions_coincide()
    {
        // Student logits = teacher logits * (T_s / T_t) give the same tempered distribution.
        var scaled = new double[3, 4];
        for (int n = 0; n < 3; n++)
            for (int k = 0; k < 4; k++) scaled[n, k] = Teacher[n, k] * 2;
        using var loss = DistillationLosses.KlDivergence(ToTensor(scaled), ToTensor(Teacher), 1.5, 3.0, KlReduction.BatchMean, true);
        Close(0, Item(loss), absolute: 1e-6);
    }

    [Theory]
    [InlineData(KlReduction.BatchMean, true)]
    [InlineData(KlReduction.ElementwiseMean, true)]
    [InlineData(KlReduction.BatchMean, false)]
    public void Gradient_is_the_scaled_difference_of_tempered_distributions(KlReduction reduction, bool scaled)
    {
        // d/dz_s [s * KL(p_t,Tt || p_s,Ts)] = s / T_s * (p_s,Ts - p_t,Tt) / (N or N*K).
        const double tt = 3, ts = 2;
        var student = ToTensor(Student).requires_grad_(true);
        using var loss = DistillationLosses.KlDivergence(student, ToTensor(Teacher), tt, ts, reduction, scaled);
        loss.backward();
        var gradient = ToArray(student.grad!);
        double factor = (scaled ? tt * tt : 1) / ts / (reduction == KlReduction.BatchMean ? 3 : 12);
        for (int n = 0; n < 3; n++)
        {
            var ps = Softmax(Student, n, ts);
            var pt = Softmax(Teacher, n, tt);
            for (int k = 0; k < 4; k++) Close(factor * (ps[k] - pt[k]), gradient[n, k], relative: 1e-5);
        }
    }

    [Fact]
    public void Rejects_bad_temperatures_reductions_and_shapes()
    {
        using var s = ToTensor(Student);
        using var t = ToTensor(Teacher);
        foreach (double bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.KlDivergence(s, t, bad, 1, KlReduction.BatchMean, true));
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.KlDivergence(s, t, 1, bad, KlReduction.BatchMean, true));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.KlDivergence(s, t, 1, 1, (KlReduction)7, true));
        using var narrow = t.narrow(1, 0, 3);
        Assert.Throws<ArgumentException>(() => DistillationLosses.KlDivergence(s, narrow, 1, 1, KlReduction.BatchMean, true));
        using var oneRow = t.narrow(0, 0, 1);
        Assert.Throws<ArgumentException>(() => DistillationLosses.KlDivergence(s, oneRow, 1, 1, KlReduction.BatchMean, true));
        using var flat = s.flatten();
        Assert.Throws<ArgumentException>(() => DistillationLosses.KlDivergence(flat, flat, 1, 1, KlReduction.BatchMean, true));
    }
}
