using System;
using System.Linq;
using KdDsl.Losses;
using TorchSharp;
using Xunit;
using static KdDsl.Tests.Losses.LossReference;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>
/// The KL term against the top-k teacher store (<see cref="SparseDistillationLosses"/>) checked against an independent float64
/// reference written as plain loops over doubles (top-k by sorting, the target built class by class, KL summed class by class),
/// for both remainders and k in {1, 5, K}; at k = K it is the dense <see cref="DistillationLosses.KlDivergence(Tensor, Tensor, double)"/>.
/// </summary>
public sealed class SparseKlDivergenceTests
{
    private const int Rows = 6, Classes = 12;

    /// <summary>Seeded random logits (the same on every machine: System.Random with a seed), rounded to float32.</summary>
    private static double[,] RandomLogits(int seed, int rows = Rows, int classes = Classes, double scale = 2.5)
    {
        var random = new Random(seed);
        var values = new double[rows, classes];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < classes; c++)
            {
                double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
                values[r, c] = (float)(scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        return values;
    }

    /// <summary>The target rho of one row: the teacher's softmax at T kept on its top k, the rest as <paramref name="remainder"/> says.</summary>
    internal static double[] ReferenceTarget(double[] teacher, int k, double temperature, SparseRemainder remainder)
    {
        int classes = teacher.Length;
        var p = Softmax(teacher, temperature);
        var top = Enumerable.Range(0, classes).OrderByDescending(c => teacher[c]).Take(k).ToHashSet();
        double kept = 0;
        foreach (int c in top) kept += p[c];
        var rho = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            if (top.Contains(c)) rho[c] = remainder == SparseRemainder.Renormalize ? p[c] / kept : p[c];
            else rho[c] = remainder == SparseRemainder.Renormalize || k == classes ? 0 : Math.Max(0, 1 - kept) / (classes - k);
        }
        return rho;
    }

    internal static double Reference(double[,] student, double[,] teacher, int k, double tt, double ts, SparseRemainder remainder,
        KlReduction reduction = KlReduction.BatchMean, bool scaled = true)
    {
        int n = student.GetLength(0), classes = student.GetLength(1);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            var rho = ReferenceTarget(Row(teacher, i), k, tt, remainder);
            var q = Softmax(student, i, ts);
            for (int c = 0; c < classes; c++)
                if (rho[c] > 0) sum += rho[c] * Math.Log(rho[c] / q[c]);
        }
        double value = reduction == KlReduction.BatchMean ? sum / n : sum / (n * classes);
        return scaled ? value * tt * tt : value;
    }

    [Theory]
    [InlineData(1, SparseRemainder.Renormalize, 1.0, 1.0)]
    [InlineData(5, SparseRemainder.Renormalize, 4.0, 4.0)]
    [InlineData(Classes, SparseRemainder.Renormalize, 2.0, 2.0)]
    [InlineData(1, SparseRemainder.Spread, 1.0, 1.0)]
    [InlineData(5, SparseRemainder.Spread, 4.0, 4.0)]
    [InlineData(5, SparseRemainder.Spread, 4.0, 1.0)]
    [InlineData(Classes, SparseRemainder.Spread, 2.0, 2.0)]
    [InlineData(5, SparseRemainder.Spread, 10.0, 10.0)]
    public void Matches_the_float64_reference(int k, SparseRemainder remainder, double teacherTemperature, double studentTemperature)
    {
        var student = RandomLogits(1);
        var teacher = RandomLogits(2);
        double expected = Reference(student, teacher, k, teacherTemperature, studentTemperature, remainder);
        using var scope = NewDisposeScope();
        using var sparse = SparseTeacherLogits.FromDense(ToTensor(teacher), k, new[] { teacherTemperature });

        var exact = SparseDistillationLosses.KlDivergence(ToTensor(student), sparse, teacherTemperature, studentTemperature,
            KlReduction.BatchMean, true, remainder, KlPrecision.Float64);
        Assert.Equal(ScalarType.Float32, exact.dtype); // returned in the student's dtype
        Close(expected, Item(exact), relative: 1e-6, absolute: 1e-7); // float64 inside; the float32 result rounds it
        using var wide = SparseDistillationLosses.KlDivergence(ToTensor(student).to_type(ScalarType.Float64), sparse, teacherTemperature,
            studentTemperature, KlReduction.BatchMean, true, remainder, KlPrecision.Float64);
        Close(expected, Item(wide), relative: 1e-12, absolute: 1e-13);

        // The automatic policy (float32 up to T = 4, as the dense KL term) stays within float32's reach of the reference.
        var automatic = SparseDistillationLosses.KlDivergence(ToTensor(student), sparse, teacherTemperature, studentTemperature,
            KlReduction.BatchMean, true, remainder);
        Close(expected, Item(automatic), relative: 2e-5, absolute: 1e-6);
    }

    [Theory]
    [InlineData(SparseRemainder.Renormalize)]
    [InlineData(SparseRemainder.Spread)]
    public void Options_scale_and_reduce_as_the_dense_term_does(SparseRemainder remainder)
    {
        var student = RandomLogits(3);
        var teacher = RandomLogits(4);
        using var scope = NewDisposeScope();
        using var sparse = SparseTeacherLogits.FromDense(ToTensor(teacher), 5, new[] { 3.0 });
        var wide = ToTensor(student).to_type(ScalarType.Float64);
        double expected = Reference(student, teacher, 5, 3, 1.5, remainder, KlReduction.ElementwiseMean, scaled: false);
        var loss = SparseDistillationLosses.KlDivergence(wide, sparse, 3, 1.5, KlReduction.ElementwiseMean, false, remainder);
        Close(expected, Item(loss), relative: 1e-12, absolute: 1e-13);
    }

    [Theory]
    [InlineData(1.0, KlPrecision.Float64, 1e-10)]
    [InlineData(4.0, KlPrecision.Float64, 1e-10)]
    [InlineData(1.0, KlPrecision.Automatic, 1e-5)]
    [InlineData(4.0, KlPrecision.Automatic, 1e-5)]
    [InlineData(8.0, KlPrecision.Automatic, 1e-5)]
    public void At_k_equal_K_both_remainders_are_the_dense_KL_and_its_gradient(double temperature, KlPrecision precision, double relative)
    {
        var studentValues = RandomLogits(5, rows: 16, classes: 40);
        var teacherValues = RandomLogits(6, rows: 16, classes: 40);
        using var scope = NewDisposeScope();
        var teacher = ToTensor(teacherValues);
        var denseStudent = ToTensor(studentValues).requires_grad_(true);
        var dense = DistillationLosses.KlDivergence(denseStudent, teacher, temperature, temperature, KlReduction.BatchMean, true, precision);
        dense.backward();
        double denseValue = Item(dense);
        var denseGradient = ToArray(denseStudent.grad!);

        using var sparse = SparseTeacherLogits.FromDense(teacher, 40, new[] { temperature });
        foreach (var remainder in new[] { SparseRemainder.Renormalize, SparseRemainder.Spread })
        {
            var student = ToTensor(studentValues).requires_grad_(true);
            var loss = SparseDistillationLosses.KlDivergence(student, sparse, temperature, temperature, KlReduction.BatchMean, true, remainder, precision);
            Close(denseValue, Item(loss), relative, absolute: 0);
            loss.backward();
            Close(denseGradient, student.grad!, relative: 1e-4, absolute: precision == KlPrecision.Float64 ? 1e-9 : 1e-6);
        }
    }

    [Fact]
    public void The_gradient_is_that_of_KL_to_the_sparse_target()
    {
        // d/dz_s KL(rho || softmax(z_s/T_s)) = (q - rho) / T_s, times T_t^2 / N: the remainder reaches the student through the
        // row sums of its logits, never through a dense teacher tensor.
        var studentValues = RandomLogits(7);
        var teacherValues = RandomLogits(8);
        const double tt = 2, ts = 1.5;
        using var scope = NewDisposeScope();
        using var sparse = SparseTeacherLogits.FromDense(ToTensor(teacherValues), 5, new[] { tt });
        foreach (var remainder in new[] { SparseRemainder.Renormalize, SparseRemainder.Spread })
        {
            var student = ToTensor(studentValues).to_type(ScalarType.Float64).requires_grad_(true);
            SparseDistillationLosses.KlDivergence(student, sparse, tt, ts, KlReduction.BatchMean, true, remainder).backward();
            var expected = new double[Rows, Classes];
            for (int i = 0; i < Rows; i++)
            {
                var rho = ReferenceTarget(Row(teacherValues, i), 5, tt, remainder);
                var q = Softmax(studentValues, i, ts);
                for (int c = 0; c < Classes; c++) expected[i, c] = tt * tt / Rows * (q[c] - rho[c]) / ts;
            }
            Close(expected, student.grad!, relative: 1e-10, absolute: 1e-12);
        }
    }

    [Fact]
    public void Spread_needs_the_normaliser_at_its_temperature_and_renormalize_does_not()
    {
        var student = RandomLogits(9);
        var teacher = RandomLogits(10);
        using var scope = NewDisposeScope();
        using var sparse = SparseTeacherLogits.FromDense(ToTensor(teacher), 5, new[] { 1.0 });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            SparseDistillationLosses.KlDivergence(ToTensor(student), sparse, 4.0, SparseRemainder.Spread));
        Assert.Contains("normaliser at T = 4", error.Message);
        double expected = Reference(student, teacher, 5, 4, 4, SparseRemainder.Renormalize);
        Close(expected, Item(SparseDistillationLosses.KlDivergence(ToTensor(student), sparse, 4.0, SparseRemainder.Renormalize)), relative: 2e-5);
    }

    [Fact]
    public void Shapes_that_do_not_fit_the_teachers_batch_are_refused()
    {
        using var scope = NewDisposeScope();
        using var sparse = SparseTeacherLogits.FromDense(ToTensor(RandomLogits(11)), 5, new[] { 1.0 });
        Assert.Throws<ArgumentException>(() => SparseDistillationLosses.KlDivergence(ToTensor(RandomLogits(12, classes: 11)), sparse, 1, SparseRemainder.Spread));
        Assert.Throws<ArgumentException>(() => SparseDistillationLosses.KlDivergence(ToTensor(RandomLogits(12, rows: 5)), sparse, 1, SparseRemainder.Spread));
    }
}
