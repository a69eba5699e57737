using System;
using System.Linq;
using KdDsl.Losses;
using TorchSharp;
using Xunit;
using static KdDsl.Tests.Losses.LossReference;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>
/// Plain float64 C# versions of the logit-family terms (double arrays and loops only, no TorchSharp), written from the papers'
/// formulas and the authors' code as documented in docs/kd-methods.md, section 8.
/// </summary>
internal static class LogitReference
{
    /// <summary>log softmax(z / T), stably.</summary>
    public static double[] LogSoftmax(double[] logits, double temperature)
    {
        var result = new double[logits.Length];
        double max = double.NegativeInfinity;
        for (int k = 0; k < logits.Length; k++) max = Math.Max(max, logits[k] / temperature);
        double sum = 0;
        for (int k = 0; k < logits.Length; k++) sum += Math.Exp(logits[k] / temperature - max);
        double logSum = Math.Log(sum);
        for (int k = 0; k < logits.Length; k++) result[k] = logits[k] / temperature - max - logSum;
        return result;
    }

    /// <summary>log sum_k exp(values[k]) over the k that <paramref name="include"/> accepts.</summary>
    public static double LogSumExp(double[] values, Func<int, bool> include)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < values.Length; k++)
            if (include(k)) max = Math.Max(max, values[k]);
        double sum = 0;
        for (int k = 0; k < values.Length; k++)
            if (include(k)) sum += Math.Exp(values[k] - max);
        return max + Math.Log(sum);
    }

    /// <summary>(z - mean) / (std + 1e-7), the standard deviation with K - 1.</summary>
    public static double[] Standardize(double[] logits)
    {
        int k = logits.Length;
        double mean = 0;
        for (int i = 0; i < k; i++) mean += logits[i];
        mean /= k;
        double squares = 0;
        for (int i = 0; i < k; i++) squares += (logits[i] - mean) * (logits[i] - mean);
        double std = Math.Sqrt(squares / (k - 1));
        var result = new double[k];
        for (int i = 0; i < k; i++) result[i] = (logits[i] - mean) / (std + 1e-7);
        return result;
    }

    public static double[,] Standardize(double[,] logits)
    {
        int n = logits.GetLength(0), k = logits.GetLength(1);
        var result = new double[n, k];
        for (int i = 0; i < n; i++)
        {
            var row = Standardize(Row(logits, i));
            for (int j = 0; j < k; j++) result[i, j] = row[j];
        }
        return result;
    }

    /// <summary>TCKD and NCKD of one sample: KL between (p_y, 1 - p_y), and KL between the renormalised non-target distributions.</summary>
    public static (double Tckd, double Nckd) DecoupledParts(double[] student, double[] teacher, long label, double temperature)
    {
        var ls = LogSoftmax(student, temperature);
        var lt = LogSoftmax(teacher, temperature);
        int y = (int)label;
        double otherS = LogSumExp(ls, k => k != y), otherT = LogSumExp(lt, k => k != y);
        double tckd = Math.Exp(lt[y]) * (lt[y] - ls[y]) + Math.Exp(otherT) * (otherT - otherS);
        double nckd = 0;
        for (int k = 0; k < ls.Length; k++)
        {
            if (k == y) continue;
            double hatT = lt[k] - otherT, hatS = ls[k] - otherS;
            nckd += Math.Exp(hatT) * (hatT - hatS);
        }
        return (tckd, nckd);
    }

    /// <summary>DKD: T^2 / N * sum_n (alpha TCKD + beta NCKD).</summary>
    public static double DecoupledKd(double[,] student, double[,] teacher, long[] labels, double temperature, double alpha, double beta)
    {
        int n = student.GetLength(0);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            var (tckd, nckd) = DecoupledParts(Row(student, i), Row(teacher, i), labels[i], temperature);
            sum += alpha * tckd + beta * nckd;
        }
        return sum * temperature * temperature / n;
    }

    /// <summary>Pearson's correlation with the authors' 1e-8 added to the product of the norms.</summary>
    public static double Pearson(double[] a, double[] b)
    {
        double meanA = a.Average(), meanB = b.Average();
        double dot = 0, squaresA = 0, squaresB = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (a[i] - meanA) * (b[i] - meanB);
            squaresA += (a[i] - meanA) * (a[i] - meanA);
            squaresB += (b[i] - meanB) * (b[i] - meanB);
        }
        return dot / (Math.Sqrt(squaresA) * Math.Sqrt(squaresB) + 1e-8);
    }

    /// <summary>DIST: T^2 (beta (1 - mean over samples of the row correlations) + gamma (1 - mean over classes of the column correlations)).</summary>
    public static double Dist(double[,] student, double[,] teacher, double temperature, double beta, double gamma)
    {
        int n = student.GetLength(0), k = student.GetLength(1);
        var ps = new double[n, k];
        var pt = new double[n, k];
        for (int i = 0; i < n; i++)
        {
            var ls = LogSoftmax(Row(student, i), temperature);
            var lt = LogSoftmax(Row(teacher, i), temperature);
            for (int j = 0; j < k; j++) (ps[i, j], pt[i, j]) = (Math.Exp(ls[j]), Math.Exp(lt[j]));
        }
        double rows = 0, columns = 0;
        for (int i = 0; i < n; i++) rows += Pearson(Row(ps, i), Row(pt, i));
        for (int j = 0; j < k; j++)
            columns += Pearson(Enumerable.Range(0, n).Select(i => ps[i, j]).ToArray(), Enumerable.Range(0, n).Select(i => pt[i, j]).ToArray());
        return temperature * temperature * (beta * (1 - rows / n) + gamma * (1 - columns / k));
    }

    /// <summary>KL(p_t || p_s) + KL(p_s || p_t) of one row, from log-probabilities.</summary>
    public static double SymmetricKlRow(double[] logStudent, double[] logTeacher)
    {
        double sum = 0;
        for (int k = 0; k < logStudent.Length; k++)
            sum += Math.Exp(logTeacher[k]) * (logTeacher[k] - logStudent[k]) + Math.Exp(logStudent[k]) * (logStudent[k] - logTeacher[k]);
        return sum;
    }

    /// <summary>beta KL(p_t || m) + (1 - beta) KL(p_s || m), m = beta p_t + (1 - beta) p_s, one row.</summary>
    public static Func<double[], double[], double> SkewedJensenShannonRow(double beta) => (logStudent, logTeacher) =>
    {
        double sum = 0;
        for (int k = 0; k < logStudent.Length; k++)
        {
            double logMixture = DivergenceReference.LogAddExp(Math.Log(beta) + logTeacher[k], Math.Log(1 - beta) + logStudent[k]);
            sum += beta * Math.Exp(logTeacher[k]) * (logTeacher[k] - logMixture) + (1 - beta) * Math.Exp(logStudent[k]) * (logStudent[k] - logMixture);
        }
        return sum;
    };

    /// <summary>1/2 sum_k |p_t - p_s| of one row.</summary>
    public static double TotalVariationRow(double[] logStudent, double[] logTeacher)
    {
        double sum = 0;
        for (int k = 0; k < logStudent.Length; k++) sum += Math.Abs(Math.Exp(logTeacher[k]) - Math.Exp(logStudent[k]));
        return sum / 2;
    }

    /// <summary>Random [n, k] logits of standard deviation <paramref name="scale"/>, rounded to float32 (the tensors' values).</summary>
    public static double[,] Logits(int n, int k, double scale, Random random)
    {
        var result = new double[n, k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                result[i, j] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return result;
    }

    public static long[] Labels(int n, int k, Random random) => Enumerable.Range(0, n).Select(_ => (long)random.Next(k)).ToArray();

    /// <summary>d f / d student by central differences, step h.</summary>
    public static double[,] Gradient(Func<double[,], double> f, double[,] student, double h = 1e-5)
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
                gradient[i, j] = (f(plus) - f(minus)) / (2 * h);
            }
        return gradient;
    }
}

/// <summary>Decoupled KD against its float64 reference, and the paper's decomposition of KD.</summary>
public sealed class DecoupledKdTests
{
    [Theory]
    [InlineData(1.0, 1.0, 8.0, 3)]
    [InlineData(4.0, 1.0, 8.0, 5)]
    [InlineData(4.0, 0.0, 2.0, 7)]
    [InlineData(2.0, 1.5, 0.0, 9)]
    [InlineData(8.0, 1.0, 0.5, 11)] // above the float32 limit: computed in float64
    public void Matches_the_float64_reference(double temperature, double alpha, double beta, int seed)
    {
        var random = new Random(seed);
        var student = LogitReference.Logits(6, 7, 2, random);
        var teacher = LogitReference.Logits(6, 7, 3, random);
        var labels = LogitReference.Labels(6, 7, random);
        double expected = LogitReference.DecoupledKd(student, teacher, labels, temperature, alpha, beta);

        using var y = tensor(labels);
        using var loss = DistillationLosses.DecoupledKd(ToTensor(student), ToTensor(teacher), y, temperature, alpha, beta);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        Close(expected, Item(loss), relative: 2e-5, absolute: 1e-6);
        using var loss64 = DistillationLosses.DecoupledKd(DivergenceReference.ToTensor64(student), DivergenceReference.ToTensor64(teacher), y,
            temperature, alpha, beta);
        Assert.Equal(ScalarType.Float64, loss64.dtype);
        Close(expected, Item(loss64), relative: 1e-12, absolute: 1e-14);
    }

    [Fact]
    public void Large_logits_give_a_finite_value_and_gradient_that_match_the_reference()
    {
        // Gaps of 1e4 and more: 1 - p_y rounds to 0 for a confident model, and the authors' log(softmax) would be log(0).
        var random = new Random(17);
        var student = LogitReference.Logits(5, 6, 1e4, random);
        var teacher = LogitReference.Logits(5, 6, 1e4, random);
        var labels = LogitReference.Labels(5, 6, random);
        foreach (double temperature in new[] { 1.0, 4.0 })
        {
            double expected = LogitReference.DecoupledKd(student, teacher, labels, temperature, 1, 8);
            Assert.True(double.IsFinite(expected));
            var s = ToTensor(student).requires_grad_(true);
            using var y = tensor(labels);
            using var loss = DistillationLosses.DecoupledKd(s, ToTensor(teacher), y, temperature, 1, 8);
            Close(expected, Item(loss), relative: 1e-5);
            loss.backward();
            Assert.All(ToArray(s.grad!).Cast<double>(), g => Assert.True(double.IsFinite(g), $"gradient {g}"));
        }
    }

    [Fact]
    public void Gradient_matches_central_finite_differences_of_the_reference()
    {
        var random = new Random(23);
        var student = LogitReference.Logits(4, 5, 2, random);
        var teacher = LogitReference.Logits(4, 5, 2, random);
        var labels = LogitReference.Labels(4, 5, random);
        var expected = LogitReference.Gradient(s => LogitReference.DecoupledKd(s, teacher, labels, 2, 1, 8), student);

        var s64 = DivergenceReference.ToTensor64(student).requires_grad_(true);
        using var y = tensor(labels);
        using var loss = DistillationLosses.DecoupledKd(s64, DivergenceReference.ToTensor64(teacher), y, 2, 1, 8);
        loss.backward();
        Close(expected, s64.grad!, relative: 1e-6, absolute: 1e-8);
    }

    [Theory]
    [InlineData(1.0, 29)]
    [InlineData(3.0, 31)]
    public void Kd_is_tckd_plus_the_teachers_non_target_mass_times_nckd(double temperature, int seed)
    {
        // The paper's decomposition, per sample: KL(p_t || p_s) = TCKD + (1 - p_t,y) NCKD, with KL the existing KD term.
        var random = new Random(seed);
        var student = LogitReference.Logits(5, 6, 2, random);
        var teacher = LogitReference.Logits(5, 6, 2, random);
        var labels = LogitReference.Labels(5, 6, random);
        for (int n = 0; n < 5; n++)
        {
            using var s = DivergenceReference.ToTensor64(student).narrow(0, n, 1);
            using var t = DivergenceReference.ToTensor64(teacher).narrow(0, n, 1);
            using var y = tensor(new[] { labels[n] });
            double scale = temperature * temperature;
            double tckd = Item(DistillationLosses.DecoupledKd(s, t, y, temperature, 1, 0)) / scale;
            double nckd = Item(DistillationLosses.DecoupledKd(s, t, y, temperature, 0, 1)) / scale;
            double kl = Item(DistillationLosses.KlDivergence(s, t, temperature)) / scale;
            double teacherTarget = LossReference.Softmax(teacher, n, temperature)[labels[n]];
            Close(kl, tckd + (1 - teacherTarget) * nckd, relative: 1e-12, absolute: 1e-14);
        }
    }

    [Fact]
    public void With_both_weights_1_it_equals_kd_only_where_the_non_target_part_vanishes()
    {
        // Student logits equal to the teacher's except on the true class: the renormalised non-target distributions coincide,
        // NCKD = 0, and DKD(1, 1) = TCKD = KL. On generic logits DKD(1, 1) = KL + p_t,y NCKD > KL.
        var random = new Random(37);
        var teacher = LogitReference.Logits(4, 5, 2, random);
        var labels = LogitReference.Labels(4, 5, random);
        var student = (double[,])teacher.Clone();
        for (int n = 0; n < 4; n++) student[n, labels[n]] -= 1.5;
        using var y = tensor(labels);
        using var s = DivergenceReference.ToTensor64(student);
        using var t = DivergenceReference.ToTensor64(teacher);
        Close(Item(DistillationLosses.KlDivergence(s, t, 2)), Item(DistillationLosses.DecoupledKd(s, t, y, 2, 1, 1)), relative: 1e-12);

        var other = LogitReference.Logits(4, 5, 2, random);
        using var o = DivergenceReference.ToTensor64(other);
        Assert.True(Item(DistillationLosses.DecoupledKd(o, t, y, 2, 1, 1)) > Item(DistillationLosses.KlDivergence(o, t, 2)) + 1e-6);
    }

    [Fact]
    public void Two_classes_have_no_non_target_part()
    {
        // K = 2: one non-target class, whose renormalised distribution is (1): NCKD = 0 and DKD(1, beta) is the binary KL.
        var random = new Random(41);
        var student = LogitReference.Logits(3, 2, 2, random);
        var teacher = LogitReference.Logits(3, 2, 2, random);
        using var y = tensor(new long[] { 0, 1, 1 });
        using var nckd = DistillationLosses.DecoupledKd(ToTensor(student), ToTensor(teacher), y, 1, 0, 8);
        Close(0, Item(nckd), absolute: 1e-7);
        using var dkd = DistillationLosses.DecoupledKd(ToTensor(student), ToTensor(teacher), y, 1, 1, 8);
        using var kl = DistillationLosses.KlDivergence(ToTensor(student), ToTensor(teacher), 1);
        Close(Item(kl), Item(dkd), relative: 1e-5);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        using var s = ToTensor(new double[,] { { 1, 2, 3 }, { 0, 1, 0 } });
        using var y = tensor(new long[] { 0, 2 });
        foreach (double bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.DecoupledKd(s, s, y, bad, 1, 8));
        foreach (double bad in new[] { -1, double.NaN, double.PositiveInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.DecoupledKd(s, s, y, 1, bad, 8));
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.DecoupledKd(s, s, y, 1, 1, bad));
        }
        using var wrongLabels = tensor(new long[] { 0 });
        Assert.Throws<ArgumentException>(() => DistillationLosses.DecoupledKd(s, s, wrongLabels, 1, 1, 8));
        using var narrow = s.narrow(1, 0, 2);
        Assert.Throws<ArgumentException>(() => DistillationLosses.DecoupledKd(s, narrow, y, 1, 1, 8));
    }
}

/// <summary>DIST against its float64 reference.</summary>
public sealed class DistTests
{
    [Theory]
    [InlineData(1.0, 1.0, 1.0, 3)]
    [InlineData(4.0, 2.0, 2.0, 5)]
    [InlineData(2.0, 0.0, 1.0, 7)]
    [InlineData(1.0, 1.0, 0.0, 9)]
    [InlineData(8.0, 1.0, 1.0, 11)] // float64 path
    public void Matches_the_float64_reference(double temperature, double beta, double gamma, int seed)
    {
        var random = new Random(seed);
        var student = LogitReference.Logits(8, 6, 2, random);
        var teacher = LogitReference.Logits(8, 6, 3, random);
        double expected = LogitReference.Dist(student, teacher, temperature, beta, gamma);

        using var loss = DistillationLosses.Dist(ToTensor(student), ToTensor(teacher), temperature, beta, gamma);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        Close(expected, Item(loss), relative: 1e-4, absolute: 1e-5 * temperature * temperature);
        using var loss64 = DistillationLosses.Dist(DivergenceReference.ToTensor64(student), DivergenceReference.ToTensor64(teacher),
            temperature, beta, gamma);
        Close(expected, Item(loss64), relative: 1e-12, absolute: 1e-14);
    }

    [Fact]
    public void Large_logits_give_a_finite_value_and_gradient_that_match_the_reference()
    {
        var random = new Random(13);
        var student = LogitReference.Logits(6, 5, 1e4, random);
        var teacher = LogitReference.Logits(6, 5, 1e4, random);
        double expected = LogitReference.Dist(student, teacher, 1, 1, 1);
        var s = ToTensor(student).requires_grad_(true);
        using var loss = DistillationLosses.Dist(s, ToTensor(teacher), 1, 1, 1);
        Close(expected, Item(loss), relative: 1e-5, absolute: 1e-6);
        loss.backward();
        Assert.All(ToArray(s.grad!).Cast<double>(), g => Assert.True(double.IsFinite(g), $"gradient {g}"));
    }

    [Fact]
    public void Gradient_matches_central_finite_differences_of_the_reference()
    {
        var random = new Random(19);
        var student = LogitReference.Logits(5, 4, 1.5, random);
        var teacher = LogitReference.Logits(5, 4, 1.5, random);
        var expected = LogitReference.Gradient(s => LogitReference.Dist(s, teacher, 2, 1, 2), student);
        var s64 = DivergenceReference.ToTensor64(student).requires_grad_(true);
        using var loss = DistillationLosses.Dist(s64, DivergenceReference.ToTensor64(teacher), 2, 1, 2);
        loss.backward();
        Close(expected, s64.grad!, relative: 1e-6, absolute: 1e-8);
    }

    [Fact]
    public void Is_zero_for_matching_probabilities_up_to_the_authors_epsilon()
    {
        // Identical probabilities correlate perfectly; the 1e-8 in the denominator leaves 1 - |a|^2 / (|a|^2 + 1e-8), a few 1e-7.
        var random = new Random(21);
        var teacher = LogitReference.Logits(6, 5, 2, random);
        double expected = LogitReference.Dist(teacher, teacher, 3, 1, 1);
        Assert.InRange(expected, 0, 1e-4);
        using var t = DivergenceReference.ToTensor64(teacher);
        Close(expected, Item(DistillationLosses.Dist(t, t, 3, 1, 1)), relative: 1e-6, absolute: 1e-15);
        // A constant added to a row of logits leaves its probabilities, and the term, unchanged.
        using var shifted = t + 5.0;
        Close(expected, Item(DistillationLosses.Dist(shifted, t, 3, 1, 1)), relative: 1e-6, absolute: 1e-13);
    }

    [Fact]
    public void A_batch_of_one_has_an_intra_class_relation_of_1_and_a_finite_gradient()
    {
        // One sample: every column is a single number with no variation; its correlation is 0/(0 + 1e-8) = 0.
        var random = new Random(27);
        var student = LogitReference.Logits(1, 5, 2, random);
        var teacher = LogitReference.Logits(1, 5, 2, random);
        var s = ToTensor(student).requires_grad_(true);
        using var intra = DistillationLosses.Dist(s, ToTensor(teacher), 2, 0, 1);
        Close(4, Item(intra), relative: 1e-6);
        using var both = DistillationLosses.Dist(s, ToTensor(teacher), 2, 1, 1);
        Close(LogitReference.Dist(student, teacher, 2, 1, 1), Item(both), relative: 1e-5);
        both.backward();
        Assert.All(ToArray(s.grad!).Cast<double>(), g => Assert.True(double.IsFinite(g), $"gradient {g}"));
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        using var s = ToTensor(new double[,] { { 1, 2, 3 }, { 0, 1, 0 } });
        foreach (double bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.Dist(s, s, bad, 1, 1));
        foreach (double bad in new[] { -1, double.NaN, double.NegativeInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.Dist(s, s, 1, bad, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.Dist(s, s, 1, 1, bad));
        }
        using var narrow = s.narrow(1, 0, 2);
        Assert.Throws<ArgumentException>(() => DistillationLosses.Dist(s, narrow, 1, 1, 1));
    }
}

/// <summary>Symmetric KL, the skewed Jensen-Shannon divergence, total variation and logit standardisation.</summary>
public sealed class DivergenceFamilyTests
{
    private static readonly double[,] Student = LogitReference.Logits(5, 6, 2, new Random(51));
    private static readonly double[,] Teacher = LogitReference.Logits(5, 6, 3, new Random(53));
    private static readonly double[,] LargeStudent = LogitReference.Logits(4, 5, 1e4, new Random(55));
    private static readonly double[,] LargeTeacher = LogitReference.Logits(4, 5, 1e4, new Random(57));

    [Theory]
    [InlineData(1.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(4.0, 4.0, KlReduction.BatchMean, true)]
    [InlineData(3.0, 1.0, KlReduction.ElementwiseMean, false)]
    [InlineData(8.0, 8.0, KlReduction.BatchMean, true)]
    public void Symmetric_kl_is_the_forward_plus_the_reverse_kl_and_matches_the_reference(double tt, double ts, KlReduction reduction, bool scaled)
    {
        double expected = DivergenceReference.Term(LogitReference.SymmetricKlRow, Student, Teacher, tt, ts, reduction, scaled);
        using var symmetric = DistillationLosses.SymmetricKl(ToTensor(Student), ToTensor(Teacher), tt, ts, reduction, scaled);
        Close(expected, Item(symmetric), relative: 2e-5);
        using var forward = DistillationLosses.KlDivergence(ToTensor(Student), ToTensor(Teacher), tt, ts, reduction, scaled);
        using var reverse = DistillationLosses.ReverseKl(ToTensor(Student), ToTensor(Teacher), tt, ts, reduction, scaled);
        Close(Item(forward) + Item(reverse), Item(symmetric), relative: 2e-5);
        using var shortForm = DistillationLosses.SymmetricKl(ToTensor(Student), ToTensor(Teacher), tt);
        using var longForm = DistillationLosses.SymmetricKl(ToTensor(Student), ToTensor(Teacher), tt, tt, KlReduction.BatchMean, true);
        Assert.Equal(longForm.item<float>(), shortForm.item<float>());
    }

    [Theory]
    [InlineData(0.1, 1.0, 1.0, KlReduction.BatchMean, true)]
    [InlineData(0.9, 4.0, 2.0, KlReduction.BatchMean, true)]
    [InlineData(0.3, 2.0, 2.0, KlReduction.ElementwiseMean, false)]
    [InlineData(0.7, 10.0, 10.0, KlReduction.BatchMean, true)]
    public void Skewed_jensen_shannon_matches_the_reference(double skew, double tt, double ts, KlReduction reduction, bool scaled)
    {
        var row = LogitReference.SkewedJensenShannonRow(skew);
        double expected = DivergenceReference.Term(row, Student, Teacher, tt, ts, reduction, scaled);
        using var loss = DistillationLosses.SkewedJensenShannon(ToTensor(Student), ToTensor(Teacher), skew, tt, ts, reduction, scaled);
        Close(expected, Item(loss), relative: 2e-5);
        using var loss64 = DistillationLosses.SkewedJensenShannon(DivergenceReference.ToTensor64(Student), DivergenceReference.ToTensor64(Teacher),
            skew, tt, ts, reduction, scaled);
        Close(expected, Item(loss64), relative: 1e-12, absolute: 1e-15);

        // Gradient: central differences of the reference (float64).
        var gradient = DivergenceReference.FiniteDifferenceGradient(row, Student, Teacher, tt, ts, reduction, scaled);
        var s64 = DivergenceReference.ToTensor64(Student).requires_grad_(true);
        using var withGrad = DistillationLosses.SkewedJensenShannon(s64, DivergenceReference.ToTensor64(Teacher), skew, tt, ts, reduction, scaled);
        withGrad.backward();
        Close(gradient, s64.grad!, relative: 1e-6, absolute: 1e-8);
    }

    [Fact]
    public void Skewed_jensen_shannon_at_its_known_limits()
    {
        using var s = DivergenceReference.ToTensor64(Student);
        using var t = DivergenceReference.ToTensor64(Teacher);
        // beta = 1/2: the Jensen-Shannon divergence.
        Close(Item(DistillationLosses.JensenShannon(s, t, 2)), Item(DistillationLosses.SkewedJensenShannon(s, t, 0.5, 2)), relative: 1e-12);
        // beta -> 0: beta times the forward KL; beta -> 1: (1 - beta) times the reverse KL (relative errors of order beta, 1 - beta).
        const double small = 1e-6;
        double forward = Item(DistillationLosses.KlDivergence(s, t, 2));
        double reverse = Item(DistillationLosses.ReverseKl(s, t, 2));
        Close(forward, Item(DistillationLosses.SkewedJensenShannon(s, t, small, 2)) / small, relative: 1e-4);
        Close(reverse, Item(DistillationLosses.SkewedJensenShannon(s, t, 1 - small, 2)) / small, relative: 1e-4);
        // At most the binary entropy of beta per sample (times T^2), reached by disjoint distributions.
        foreach (double beta in new[] { 0.1, 0.3, 0.8 })
        {
            double entropy = -beta * Math.Log(beta) - (1 - beta) * Math.Log(1 - beta);
            Assert.InRange(Item(DistillationLosses.SkewedJensenShannon(s, t, beta, 1)), 0, entropy);
            using var left = tensor(new double[] { 1e4, 0 }, new long[] { 1, 2 });
            using var right = tensor(new double[] { 0, 1e4 }, new long[] { 1, 2 });
            Close(entropy, Item(DistillationLosses.SkewedJensenShannon(left, right, beta, 1)), relative: 1e-10);
        }
    }

    [Theory]
    [InlineData(1.0, 1.0, KlReduction.BatchMean)]
    [InlineData(4.0, 1.0, KlReduction.BatchMean)]
    [InlineData(2.0, 2.0, KlReduction.ElementwiseMean)]
    [InlineData(8.0, 8.0, KlReduction.BatchMean)]
    public void Total_variation_matches_the_reference_and_lies_in_0_1(double tt, double ts, KlReduction reduction)
    {
        double expected = DivergenceReference.Term(LogitReference.TotalVariationRow, Student, Teacher, tt, ts, reduction, scaled: false);
        using var loss = DistillationLosses.TotalVariation(ToTensor(Student), ToTensor(Teacher), tt, ts, reduction);
        Close(expected, Item(loss), relative: 2e-5);
        Assert.InRange(Item(loss), 0, 1);
        using var shortForm = DistillationLosses.TotalVariation(ToTensor(Student), ToTensor(Teacher), tt);
        using var longForm = DistillationLosses.TotalVariation(ToTensor(Student), ToTensor(Teacher), tt, tt, KlReduction.BatchMean);
        Assert.Equal(longForm.item<float>(), shortForm.item<float>());
        // Disjoint distributions are at distance 1.
        using var left = tensor(new float[] { 1e4f, 0, 0 }, new long[] { 1, 3 });
        using var right = tensor(new float[] { 0, 0, 1e4f }, new long[] { 1, 3 });
        Close(1, Item(DistillationLosses.TotalVariation(left, right, 1)), relative: 1e-6);
    }

    [Fact]
    public void Large_logits_give_finite_values_and_gradients_that_match_the_references()
    {
        var cases = new (string Name, Func<Tensor, Tensor, Tensor> Loss, Func<double[], double[], double> Row, bool Scaled)[]
        {
            ("SymmetricKl", (s, t) => DistillationLosses.SymmetricKl(s, t, 2), LogitReference.SymmetricKlRow, true),
            ("SkewedJensenShannon", (s, t) => DistillationLosses.SkewedJensenShannon(s, t, 0.1, 2), LogitReference.SkewedJensenShannonRow(0.1), true),
            ("TotalVariation", (s, t) => DistillationLosses.TotalVariation(s, t, 2), LogitReference.TotalVariationRow, false),
        };
        foreach (var c in cases)
        {
            double expected = DivergenceReference.Term(c.Row, LargeStudent, LargeTeacher, 2, 2, KlReduction.BatchMean, c.Scaled);
            Assert.True(double.IsFinite(expected), c.Name);
            var s = ToTensor(LargeStudent).requires_grad_(true);
            using var loss = c.Loss(s, ToTensor(LargeTeacher));
            Close(expected, Item(loss), relative: 1e-5);
            loss.backward();
            Assert.All(ToArray(s.grad!).Cast<double>(), g => Assert.True(double.IsFinite(g), $"{c.Name}: gradient {g}"));
        }
    }

    [Fact]
    public void Standardized_logits_match_the_reference_and_ignore_shift_and_scale()
    {
        using var standardized = DistillationLosses.StandardizeLogits(ToTensor(Teacher));
        Close(LogitReference.Standardize(Teacher), standardized, relative: 1e-5, absolute: 1e-6);
        using var moved = ToTensor(Teacher) * 3.0 + 7.0;
        using var standardizedMoved = DistillationLosses.StandardizeLogits(moved);
        Close(LogitReference.Standardize(Teacher), standardizedMoved, relative: 1e-5, absolute: 1e-5);

        // KD on standardised logits (the paper's plug-in) against the reference KL of the standardised arrays.
        double expected = DivergenceReference.Term((ls, lt) => LossReference.Kl(lt.Select(Math.Exp).ToArray(), ls.Select(Math.Exp).ToArray()),
            LogitReference.Standardize(Student), LogitReference.Standardize(Teacher), 2, 2, KlReduction.BatchMean, true);
        using var kd = DistillationLosses.KlDivergence(DistillationLosses.StandardizeLogits(ToTensor(Student)),
            DistillationLosses.StandardizeLogits(ToTensor(Teacher)), 2);
        Close(expected, Item(kd), relative: 1e-5);

        // A row of equal logits (std 0) maps to zeros, with a finite gradient; large logits stay finite.
        var constant = ToTensor(new double[,] { { 2, 2, 2 }, { 1, 2, 3 } }).requires_grad_(true);
        using var z = DistillationLosses.StandardizeLogits(constant);
        Close(new double[,] { { 0, 0, 0 }, { -1, 0, 1 } }, z, relative: 1e-6);
        z.sum().backward();
        Assert.All(ToArray(constant.grad!).Cast<double>(), g => Assert.True(double.IsFinite(g), $"gradient {g}"));
        using var large = DistillationLosses.StandardizeLogits(ToTensor(LargeTeacher));
        Close(LogitReference.Standardize(LargeTeacher), large, relative: 1e-5, absolute: 1e-5);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        using var s = ToTensor(Student);
        foreach (double bad in new[] { 0, 1, -0.5, 1.5, double.NaN })
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.SkewedJensenShannon(s, s, bad, 1));
        foreach (double bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.SymmetricKl(s, s, bad));
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.TotalVariation(s, s, bad));
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.SkewedJensenShannon(s, s, 0.5, bad));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.TotalVariation(s, s, 1, 1, (KlReduction)7));
        using var one = s.narrow(1, 0, 1);
        Assert.Throws<ArgumentException>(() => DistillationLosses.StandardizeLogits(one));
    }
}
