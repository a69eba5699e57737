using System;
using System.Linq;
using KdDsl.Losses;
using TorchSharp;
using Xunit;
using static KdDsl.Tests.Losses.LossReference;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>
/// Plain float64 C# versions of the reverse KL and Jensen-Shannon terms (double arrays only, no TorchSharp), written from the
/// formulas, with a central finite-difference gradient.
/// </summary>
internal static class DivergenceReference
{
    /// <summary>log softmax(z / T), stably: z/T - max - log sum exp(z/T - max).</summary>
    public static double[] LogSoftmax(double[] logits, double temperature)
    {
        var scaled = logits.Select(v => v / temperature).ToArray();
        double max = scaled.Max();
        double logSum = Math.Log(scaled.Sum(v => Math.Exp(v - max)));
        return scaled.Select(v => v - max - logSum).ToArray();
    }

    /// <summary>log(e^a + e^b) without overflow or underflow.</summary>
    public static double LogAddExp(double a, double b) => Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));

    /// <summary>KL(p_s || p_t) = sum_k p_s,k (log p_s,k - log p_t,k).</summary>
    public static double ReverseKlRow(double[] logStudent, double[] logTeacher) =>
        logStudent.Select((ls, k) => Math.Exp(ls) * (ls - logTeacher[k])).Sum();

    /// <summary>1/2 KL(p_s || m) + 1/2 KL(p_t || m), log m_k = logaddexp(log p_s,k, log p_t,k) - ln 2.</summary>
    public static double JensenShannonRow(double[] logStudent, double[] logTeacher)
    {
        double sum = 0;
        for (int k = 0; k < logStudent.Length; k++)
        {
            double logMixture = LogAddExp(logStudent[k], logTeacher[k]) - Math.Log(2);
            sum += 0.5 * Math.Exp(logStudent[k]) * (logStudent[k] - logMixture) + 0.5 * Math.Exp(logTeacher[k]) * (logTeacher[k] - logMixture);
        }
        return sum;
    }

    /// <summary>The term over a batch: the row divergences summed, / N (batchmean) or / (N*K), times T_t^2 if scaled.</summary>
    public static double Term(
        Func<double[], double[], double> row, double[,] student, double[,] teacher, double tt, double ts, KlReduction reduction, bool scaled)
    {
        int n = student.GetLength(0), k = student.GetLength(1);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += row(LogSoftmax(Row(student, i), ts), LogSoftmax(Row(teacher, i), tt));
        double value = reduction == KlReduction.BatchMean ? sum / n : sum / (n * k);
        return scaled ? value * tt * tt : value;
    }

    /// <summary>d term / d z_s by central differences of <see cref="Term"/>, step h.</summary>
    public static double[,] FiniteDifferenceGradient(
        Func<double[], double[], double> row, double[,] student, double[,] teacher, double tt, double ts, KlReduction reduction, bool scaled,
        double h = 1e-5)
    {
        int n = student.GetLength(0), k = student.GetLength(1);
        var gradient = new double[n, k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
            {
                var plus = (double[,])student.Clone();
                var minus = (double[,])student.Clone();
                plus[i, j] += h;
                minus[i, j] -= h;
                gradient[i, j] = (Term(row, plus, teacher, tt, ts, reduction, scaled) - Term(row, minus, teacher, tt, ts, reduction, scaled)) / (2 * h);
            }
        return gradient;
    }

    public static Tensor ToTensor64(double[,] values)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var flat = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) flat[r * cols + c] = values[r, c];
        return tensor(flat, new long[] { rows, cols });
    }
}

/// <summary>The shared cases of the two divergences; each derived class names one.</summary>
public abstract class TemperedDivergenceTestsBase
{
    protected static readonly double[,] Student = { { 1.0, 2.0, 0.5, -0.3 }, { -1.0, 0.0, 3.0, 0.7 }, { 0.2, -2.0, 1.1, 1.5 } };
    protected static readonly double[,] Teacher = { { 2.5, 0.3, -1.0, 0.0 }, { 0.2, 0.1, 4.0, -0.5 }, { 1.7, -0.4, 0.9, 2.2 } };

    /// <summary>Logits three orders of magnitude beyond anything softmax resolves: gaps of 1e4 (and 2e4) between classes.</summary>
    protected static readonly double[,] ExtremeStudent = { { 1e4, 0, -1e4 }, { 0, 1e4, 0 }, { 5e3, -5e3, 1.0 } };
    protected static readonly double[,] ExtremeTeacher = { { -1e4, 0, 1e4 }, { 0, 1e4, 1e-3 }, { -5e3, 5e3, 2.0 } };

    /// <summary>The loss under test (the six-argument overload).</summary>
    protected abstract Tensor Loss(Tensor student, Tensor teacher, double tt, double ts, KlReduction reduction, bool scaled);

    /// <summary>The loss with an explicit precision.</summary>
    protected abstract Tensor Loss(Tensor student, Tensor teacher, double tt, double ts, KlReduction reduction, bool scaled, KlPrecision precision);

    /// <summary>The three-argument overload (T_s = T, batchmean, T^2).</summary>
    protected abstract Tensor Loss(Tensor student, Tensor teacher, double temperature);

    /// <summary>The float64 reference of one row.</summary>
    protected abstract Func<double[], double[], double> ReferenceRow { get; }

    protected double Reference(double[,] student, double[,] teacher, double tt, double ts, KlReduction reduction, bool scaled) =>
        DivergenceReference.Term(ReferenceRow, student, teacher, tt, ts, reduction, scaled);

    [Theory]
    [InlineData(1.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(4.0, 4.0, KlReduction.BatchMean, true)]
    [InlineData(4.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(2.0, 3.0, KlReduction.BatchMean, false)]
    [InlineData(0.5, 1.0, KlReduction.BatchMean, true)]
    [InlineData(4.0, 4.0, KlReduction.ElementwiseMean, true)]
    [InlineData(1.0, 2.5, KlReduction.ElementwiseMean, false)]
    [InlineData(20.0, 20.0, KlReduction.ElementwiseMean, true)]
    [InlineData(8.0, 1.0, KlReduction.BatchMean, true)]
    public void Matches_the_float64_reference(double teacherTemperature, double studentTemperature, KlReduction reduction, bool scaled)
    {
        double expected = Reference(Student, Teacher, teacherTemperature, studentTemperature, reduction, scaled);
        using var loss = Loss(ToTensor(Student), ToTensor(Teacher), teacherTemperature, studentTemperature, reduction, scaled);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        Close(expected, Item(loss), relative: 1e-5);

        using var loss64 = Loss(DivergenceReference.ToTensor64(Student), DivergenceReference.ToTensor64(Teacher),
            teacherTemperature, studentTemperature, reduction, scaled);
        Assert.Equal(ScalarType.Float64, loss64.dtype);
        Close(expected, Item(loss64), relative: 1e-12, absolute: 1e-15);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(20.0)]
    public void The_three_argument_overload_is_equal_temperatures_batchmean_and_t_squared(double temperature)
    {
        using var shortForm = Loss(ToTensor(Student), ToTensor(Teacher), temperature);
        using var general = Loss(ToTensor(Student), ToTensor(Teacher), temperature, temperature, KlReduction.BatchMean, true);
        Assert.Equal(general.item<float>(), shortForm.item<float>());
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(4.0, 1.0)]
    [InlineData(2.0, 5.0)]
    [InlineData(10.0, 10.0)]
    public void Elementwise_mean_is_batchmean_over_k_and_the_flag_multiplies_by_the_teacher_temperature_squared(double tt, double ts)
    {
        using var scaled = Loss(ToTensor(Student), ToTensor(Teacher), tt, ts, KlReduction.BatchMean, true);
        using var unscaled = Loss(ToTensor(Student), ToTensor(Teacher), tt, ts, KlReduction.BatchMean, false);
        using var elementwise = Loss(ToTensor(Student), ToTensor(Teacher), tt, ts, KlReduction.ElementwiseMean, false);
        Close(Item(unscaled) * tt * tt, Item(scaled), relative: 1e-6);
        Close(Item(unscaled) / 4, Item(elementwise), relative: 1e-6);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(1.5, 3.0)]
    [InlineData(10.0, 2.0)]
    public void Is_zero_with_a_zero_gradient_when_the_tempered_distributions_coincide(double tt, double ts)
    {
        // Student logits = teacher logits * (T_s / T_t) give the same tempered distribution.
        var same = new double[3, 4];
        for (int n = 0; n < 3; n++)
            for (int k = 0; k < 4; k++) same[n, k] = Teacher[n, k] * ts / tt;
        var student = ToTensor(same).requires_grad_(true);
        using var loss = Loss(student, ToTensor(Teacher), tt, ts, KlReduction.BatchMean, true);
        Close(0, Item(loss), absolute: 1e-6 * tt * tt);
        loss.backward();
        Close(new double[3, 4], student.grad!, absolute: 1e-6 * tt * tt);
    }

    [Theory]
    [InlineData(1.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(4.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(0.5, 2.0, KlReduction.ElementwiseMean, false)]
    [InlineData(10.0, 10.0, KlReduction.BatchMean, false)]
    public void Extreme_logits_give_a_finite_value_and_gradient_that_match_the_reference(
        double tt, double ts, KlReduction reduction, bool scaled)
    {
        double expected = Reference(ExtremeStudent, ExtremeTeacher, tt, ts, reduction, scaled);
        Assert.True(double.IsFinite(expected));
        foreach (var (student, teacher) in new[]
                 {
                     (ToTensor(ExtremeStudent), ToTensor(ExtremeTeacher)),
                     (DivergenceReference.ToTensor64(ExtremeStudent), DivergenceReference.ToTensor64(ExtremeTeacher)),
                 })
        {
            student.requires_grad_(true);
            using var loss = Loss(student, teacher, tt, ts, reduction, scaled);
            Close(expected, Item(loss), relative: 1e-5);
            loss.backward();
            var gradient = ToArray(student.grad!);
            foreach (double g in gradient) Assert.True(double.IsFinite(g), $"Gradient {g} at T_t = {tt}, T_s = {ts}.");
            teacher.Dispose();
        }
    }

    [Theory]
    [InlineData(1.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(3.0, 2.0, KlReduction.BatchMean, true)]
    [InlineData(2.0, 3.0, KlReduction.ElementwiseMean, true)]
    [InlineData(4.0, 1.0, KlReduction.BatchMean, false)]
    [InlineData(0.7, 0.7, KlReduction.ElementwiseMean, false)]
    [InlineData(25.0, 25.0, KlReduction.BatchMean, true)]
    public void Gradient_matches_central_finite_differences_of_the_float64_reference(
        double tt, double ts, KlReduction reduction, bool scaled)
    {
        var expected = DivergenceReference.FiniteDifferenceGradient(ReferenceRow, Student, Teacher, tt, ts, reduction, scaled);
        double largest = expected.Cast<double>().Max(v => Math.Abs(v));

        // float64 logits: computed in float64, so autograd agrees with the differences to their own accuracy (~1e-10).
        var student64 = DivergenceReference.ToTensor64(Student).requires_grad_(true);
        using (var loss = Loss(student64, DivergenceReference.ToTensor64(Teacher), tt, ts, reduction, scaled))
        {
            loss.backward();
            Close(expected, student64.grad!, relative: 1e-6, absolute: 1e-8 * largest);
        }

        // float32 logits, in the precision the policy picks (float32 up to T = 4): a float32 gradient's accuracy.
        var student32 = ToTensor(Student).requires_grad_(true);
        using (var loss = Loss(student32, ToTensor(Teacher), tt, ts, reduction, scaled))
        {
            loss.backward();
            Close(expected, student32.grad!, relative: 1e-4, absolute: 1e-5 * largest);
        }
    }

    [Theory]
    [InlineData(10, 11)]
    [InlineData(100, 13)]
    public void Follows_the_kl_precision_policy_and_its_float32_path_is_within_1e_4_at_the_limit(int classes, int seed)
    {
        // The KL term's hardest measured case (docs/benchmarks.md, "(e)"): a student within a logit gap of 0.1 of its teacher.
        const int n = 256;
        double limit = DistillationLosses.Float32TemperatureLimit;
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var teacher = new double[n, classes];
        var student = new double[n, classes];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < classes; k++)
            {
                teacher[i, k] = (float)(3 * Gaussian());
                student[i, k] = (float)(teacher[i, k] + 0.1 * Gaussian());
            }
        double expected = Reference(student, teacher, limit, limit, KlReduction.BatchMean, true);

        using var s = ToTensor(student);
        using var t = ToTensor(teacher);
        using var automatic = Loss(s, t, limit, limit, KlReduction.BatchMean, true);
        using var float32 = Loss(s, t, limit, limit, KlReduction.BatchMean, true, KlPrecision.Float32);
        using var float64 = Loss(s, t, limit, limit, KlReduction.BatchMean, true, KlPrecision.Float64);
        Assert.Equal(float32.item<float>(), automatic.item<float>()); // at the limit, float32 logits: the float32 path
        Assert.Equal(ScalarType.Float32, float64.dtype);
        Close(expected, Item(float64), relative: 1e-6);
        Assert.True(Math.Abs(Item(automatic) - expected) <= 1e-4 * expected,
            $"float32 path {Item(automatic):R} vs float64 reference {expected:R}: relative {Math.Abs(Item(automatic) - expected) / expected:G3}.");

        // Above the limit the policy computes in float64.
        double above = 2 * limit;
        using var automaticAbove = Loss(s, t, above, above, KlReduction.BatchMean, true);
        using var float64Above = Loss(s, t, above, above, KlReduction.BatchMean, true, KlPrecision.Float64);
        Assert.Equal(float64Above.item<float>(), automaticAbove.item<float>());
    }

    [Fact]
    public void Rejects_bad_temperatures_reductions_precisions_and_shapes()
    {
        using var s = ToTensor(Student);
        using var t = ToTensor(Teacher);
        foreach (double bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Loss(s, t, bad, 1, KlReduction.BatchMean, true));
            Assert.Throws<ArgumentOutOfRangeException>(() => Loss(s, t, 1, bad, KlReduction.BatchMean, true));
            Assert.Throws<ArgumentOutOfRangeException>(() => Loss(s, t, bad));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss(s, t, 1, 1, (KlReduction)7, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss(s, t, 1, 1, KlReduction.BatchMean, true, (KlPrecision)7));
        using var narrow = t.narrow(1, 0, 3);
        Assert.Throws<ArgumentException>(() => Loss(s, narrow, 1, 1, KlReduction.BatchMean, true));
        using var oneRow = t.narrow(0, 0, 1);
        Assert.Throws<ArgumentException>(() => Loss(s, oneRow, 1, 1, KlReduction.BatchMean, true));
        using var flat = s.flatten();
        Assert.Throws<ArgumentException>(() => Loss(flat, flat, 1, 1, KlReduction.BatchMean, true));
    }
}

/// <summary>The reverse KL term, <c>[T_t^2] KL(softmax(z_s/T_s) || softmax(z_t/T_t))</c>, against float64 references.</summary>
public sealed class ReverseKlTests : TemperedDivergenceTestsBase
{
    protected override Tensor Loss(Tensor student, Tensor teacher, double tt, double ts, KlReduction reduction, bool scaled) =>
        DistillationLosses.ReverseKl(student, teacher, tt, ts, reduction, scaled);

    protected override Tensor Loss(Tensor student, Tensor teacher, double tt, double ts, KlReduction reduction, bool scaled, KlPrecision precision) =>
        DistillationLosses.ReverseKl(student, teacher, tt, ts, reduction, scaled, precision);

    protected override Tensor Loss(Tensor student, Tensor teacher, double temperature) =>
        DistillationLosses.ReverseKl(student, teacher, temperature);

    protected override Func<double[], double[], double> ReferenceRow => DivergenceReference.ReverseKlRow;

    [Fact]
    public void Two_classes_match_a_hand_computed_value()
    {
        // Teacher logits (ln 3, 0) at T_t = 1 → p_t = (3/4, 1/4); student logits (2 ln 2, 0) at T_s = 2 → p_s = (2/3, 1/3).
        // KL(p_s || p_t) = 2/3 ln((2/3)/(3/4)) + 1/3 ln((1/3)/(1/4)) = 2/3 ln(8/9) + 1/3 ln(4/3); T_t^2 = 1; N = 1, K = 2.
        double reverse = 2.0 / 3 * Math.Log(8.0 / 9) + 1.0 / 3 * Math.Log(4.0 / 3);
        using var student = tensor(new float[] { (float)(2 * Math.Log(2)), 0 }, new long[] { 1, 2 });
        using var teacher = tensor(new float[] { (float)Math.Log(3), 0 }, new long[] { 1, 2 });
        using var batchMean = DistillationLosses.ReverseKl(student, teacher, 1, 2, KlReduction.BatchMean, true);
        using var elementwise = DistillationLosses.ReverseKl(student, teacher, 1, 2, KlReduction.ElementwiseMean, true);
        Close(reverse, Item(batchMean), relative: 1e-5);
        Close(reverse / 2, Item(elementwise), relative: 1e-5);

        // The same pair with the teacher at T_t = 2 (logits (2 ln 3, 0) → (3/4, 1/4)) and the T^2 scale: 4 times the value.
        using var teacher2 = tensor(new float[] { (float)(2 * Math.Log(3)), 0 }, new long[] { 1, 2 });
        using var scaled = DistillationLosses.ReverseKl(student, teacher2, 2, 2, KlReduction.BatchMean, true);
        Close(4 * reverse, Item(scaled), relative: 1e-5);
    }

    [Fact]
    public void Differs_from_the_forward_kl_and_equals_it_with_the_roles_swapped()
    {
        using var reverse = DistillationLosses.ReverseKl(ToTensor(Student), ToTensor(Teacher), 2, 2, KlReduction.BatchMean, true);
        using var forward = DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), 2, 2, KlReduction.BatchMean, true);
        using var swapped = DistillationLosses.KlDivergence(ToTensor(Teacher), ToTensor(Student), 2, 2, KlReduction.BatchMean, true);
        Assert.True(Math.Abs(Item(reverse) - Item(forward)) > 1e-3);
        Close(Item(swapped), Item(reverse), relative: 1e-5);
    }
}

/// <summary>The Jensen-Shannon term, <c>[T_t^2] JS(softmax(z_s/T_s), softmax(z_t/T_t))</c>, against float64 references.</summary>
public sealed class JensenShannonTests : TemperedDivergenceTestsBase
{
    protected override Tensor Loss(Tensor student, Tensor teacher, double tt, double ts, KlReduction reduction, bool scaled) =>
        DistillationLosses.JensenShannon(student, teacher, tt, ts, reduction, scaled);

    protected override Tensor Loss(Tensor student, Tensor teacher, double tt, double ts, KlReduction reduction, bool scaled, KlPrecision precision) =>
        DistillationLosses.JensenShannon(student, teacher, tt, ts, reduction, scaled, precision);

    protected override Tensor Loss(Tensor student, Tensor teacher, double temperature) =>
        DistillationLosses.JensenShannon(student, teacher, temperature);

    protected override Func<double[], double[], double> ReferenceRow => DivergenceReference.JensenShannonRow;

    [Fact]
    public void Two_classes_match_a_hand_computed_value()
    {
        // p_t = (3/4, 1/4) (logits (ln 3, 0), T_t = 1), p_s = (2/3, 1/3) (logits (2 ln 2, 0), T_s = 2), m = (17/24, 7/24):
        // JS = 1/2 [2/3 ln(16/17) + 1/3 ln(8/7)] + 1/2 [3/4 ln(18/17) + 1/4 ln(6/7)].
        double js = 0.5 * (2.0 / 3 * Math.Log(16.0 / 17) + 1.0 / 3 * Math.Log(8.0 / 7))
                    + 0.5 * (0.75 * Math.Log(18.0 / 17) + 0.25 * Math.Log(6.0 / 7));
        using var student = tensor(new float[] { (float)(2 * Math.Log(2)), 0 }, new long[] { 1, 2 });
        using var teacher = tensor(new float[] { (float)Math.Log(3), 0 }, new long[] { 1, 2 });
        using var batchMean = DistillationLosses.JensenShannon(student, teacher, 1, 2, KlReduction.BatchMean, true);
        using var elementwise = DistillationLosses.JensenShannon(student, teacher, 1, 2, KlReduction.ElementwiseMean, true);
        Close(js, Item(batchMean), relative: 1e-5);
        Close(js / 2, Item(elementwise), relative: 1e-5);

        // Disjoint one-hot-like distributions reach the bound ln 2.
        using var left = tensor(new float[] { 1e4f, 0 }, new long[] { 1, 2 });
        using var right = tensor(new float[] { 0, 1e4f }, new long[] { 1, 2 });
        using var disjoint = DistillationLosses.JensenShannon(left, right, 1, 1, KlReduction.BatchMean, false);
        Close(Math.Log(2), Item(disjoint), relative: 1e-6);
    }

    [Theory]
    [InlineData(1.0, KlReduction.BatchMean, true)]
    [InlineData(4.0, KlReduction.BatchMean, true)]
    [InlineData(20.0, KlReduction.ElementwiseMean, false)]
    public void Is_symmetric(double temperature, KlReduction reduction, bool scaled)
    {
        using var forward = DistillationLosses.JensenShannon(ToTensor(Student), ToTensor(Teacher), temperature, temperature, reduction, scaled);
        using var swapped = DistillationLosses.JensenShannon(ToTensor(Teacher), ToTensor(Student), temperature, temperature, reduction, scaled);
        Close(Item(forward), Item(swapped), relative: 1e-6);
        // With different temperatures, swapping the logits and the temperatures together.
        using var mixed = DistillationLosses.JensenShannon(ToTensor(Student), ToTensor(Teacher), temperature, 2 * temperature, reduction, false);
        using var mixedSwapped = DistillationLosses.JensenShannon(ToTensor(Teacher), ToTensor(Student), 2 * temperature, temperature, reduction, false);
        Close(Item(mixed), Item(mixedSwapped), relative: 1e-6);
    }

    [Theory]
    [InlineData(1.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(0.25, 0.25, KlReduction.BatchMean, true)]
    [InlineData(3.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(1.0, 0.5, KlReduction.ElementwiseMean, true)]
    [InlineData(5.0, 5.0, KlReduction.ElementwiseMean, false)]
    public void Is_bounded_by_ln_2_times_the_scale(double tt, double ts, KlReduction reduction, bool scaled)
    {
        double bound = Math.Log(2) * (scaled ? tt * tt : 1) / (reduction == KlReduction.BatchMean ? 1 : 3);
        var random = new Random(7);
        for (int draw = 0; draw < 20; draw++)
        {
            // Random logits of growing spread, up to gaps of several thousand (nearly disjoint distributions at the top).
            double spread = Math.Pow(10, draw / 5.0);
            var s = new double[5, 3];
            var t = new double[5, 3];
            for (int n = 0; n < 5; n++)
                for (int k = 0; k < 3; k++) (s[n, k], t[n, k]) = (spread * (random.NextDouble() - 0.5), spread * (random.NextDouble() - 0.5));
            using var loss = DistillationLosses.JensenShannon(ToTensor(s), ToTensor(t), tt, ts, reduction, scaled);
            double value = Item(loss);
            Assert.InRange(value, 0, bound * (1 + 1e-6));
            Close(Reference(s, t, tt, ts, reduction, scaled), value, relative: 1e-4, absolute: 1e-6 * bound);
        }
        using var extreme = DistillationLosses.JensenShannon(ToTensor(ExtremeStudent), ToTensor(ExtremeTeacher), tt, ts, reduction, scaled);
        Assert.InRange(Item(extreme), 0, bound * (1 + 1e-6));
    }
}
