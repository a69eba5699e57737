using System;
using System.Linq;
using KdDsl.Losses;
using TorchSharp;
using Xunit;
using static KdDsl.Tests.Losses.LossReference;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>The partial-KD target distributions (Tang et al.) and Tf-KD's virtual teacher against float64 references.</summary>
public sealed class TeacherDistributionsTests
{
    private static readonly double[,] TeacherLogits = { { 2.5, 0.3, -1.0, 0.0 }, { 0.2, 0.1, 4.0, -0.5 }, { 1.7, -0.4, 0.9, 2.2 } };
    private static readonly long[] LabelValues = { 1, 3, 0 };
    private static readonly double[,] Weights = { { 0.5, -1.0, 2.0 }, { 1.5, 0.2, 0.1 }, { -0.3, 0.8, 1.2 }, { 0.9, -0.6, -0.4 } };

    private static double[,] TeacherProbabilities()
    {
        var p = new double[3, 4];
        for (int n = 0; n < 3; n++)
        {
            var row = Softmax(TeacherLogits, n);
            for (int k = 0; k < 4; k++) p[n, k] = row[k];
        }
        return p;
    }

    private static double[,] Build(int rows, int cols, Func<int, int, double> value)
    {
        var result = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) result[r, c] = value(r, c);
        return result;
    }

    private static void RowsSumToOne(Tensor rho)
    {
        var values = ToArray(rho);
        for (int r = 0; r < values.GetLength(0); r++) Close(1, Row(values, r).Sum(), absolute: 1e-6);
    }

    // ---- KD-pt ----

    [Fact]
    public void Instance_keeps_the_true_class_probability_and_spreads_the_rest()
    {
        var pt = TeacherProbabilities();
        var expected = Build(3, 4, (n, k) => k == LabelValues[n] ? pt[n, k] : (1 - pt[n, LabelValues[n]]) / 3);
        using var teacher = ToTensor(pt).requires_grad_(true);
        using var rho = TeacherDistributions.Instance(teacher, Labels(LabelValues));
        Close(expected, rho);
        RowsSumToOne(rho);
        Assert.False(rho.requires_grad);
    }

    [Fact]
    public void Instance_of_a_one_hot_teacher()
    {
        // Right one-hot teacher → the one-hot label; wrong one-hot teacher → 0 on the true class, 1/(K-1) elsewhere.
        var right = Build(3, 4, (n, k) => k == LabelValues[n] ? 1 : 0);
        using var fromRight = TeacherDistributions.Instance(ToTensor(right), Labels(LabelValues));
        Close(right, fromRight);

        var wrong = Build(3, 4, (n, k) => k == (LabelValues[n] + 1) % 4 ? 1 : 0);
        using var fromWrong = TeacherDistributions.Instance(ToTensor(wrong), Labels(LabelValues));
        Close(Build(3, 4, (n, k) => k == LabelValues[n] ? 0 : 1.0 / 3), fromWrong);

        // With the right one-hot teacher, H(rho, p_s) is plain cross-entropy.
        using var student = ToTensor(TeacherLogits);
        using var soft = DistillationLosses.SoftCrossEntropy(student, fromRight);
        using var hard = DistillationLosses.CrossEntropy(student, Labels(LabelValues));
        Close(Item(hard), Item(soft), relative: 1e-6);
    }

    [Fact]
    public void Instance_with_two_classes_is_the_teacher_itself()
    {
        // K = 2: the single other class gets 1 - p_t,c, which is what the teacher already gives it.
        var pt = new double[,] { { 0.7, 0.3 }, { 0.25, 0.75 } };
        using var rho = TeacherDistributions.Instance(ToTensor(pt), Labels(1, 0));
        Close(pt, rho);
    }

    // ---- KD-sim ----

    private static double[,] SimilarityReference(double[,] w, long[] labels, double alpha)
    {
        int classes = w.GetLength(0), hidden = w.GetLength(1);
        var unit = Build(classes, hidden, (k, h) => w[k, h] / Math.Sqrt(Enumerable.Range(0, hidden).Sum(j => w[k, j] * w[k, j])));
        return Build(labels.Length, classes, (n, k) =>
        {
            var logits = Enumerable.Range(0, classes)
                .Select(j => Enumerable.Range(0, hidden).Sum(h => unit[labels[n], h] * unit[j, h]) / alpha).ToArray();
            return Softmax(logits)[k];
        });
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Class_similarity_is_the_softmax_of_cosine_similarities_to_the_true_class(double alpha)
    {
        using var rho = TeacherDistributions.ClassSimilarity(ToTensor(Weights), Labels(LabelValues), alpha);
        Assert.Equal(new long[] { 3, 4 }, rho.shape);
        Close(SimilarityReference(Weights, LabelValues, alpha), rho);
        RowsSumToOne(rho);
    }

    [Fact]
    public void Class_similarity_of_identical_weight_directions_is_uniform()
    {
        // Rows that are positive multiples of one vector normalise to the same row: every similarity is 1, rho is uniform.
        var w = Build(4, 3, (k, h) => (k + 1) * new[] { 0.3, -1.2, 0.5 }[h]);
        using var rho = TeacherDistributions.ClassSimilarity(ToTensor(w), Labels(LabelValues), 0.1);
        Close(Build(3, 4, (_, _) => 0.25), rho);
    }

    [Fact]
    public void Class_similarity_rejects_a_bad_alpha()
    {
        using var w = ToTensor(Weights);
        using var labels = Labels(LabelValues);
        foreach (double bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
            Assert.Throws<ArgumentOutOfRangeException>(() => TeacherDistributions.ClassSimilarity(w, labels, bad));
    }

    // ---- KD-topk ----

    private static double[,] TopKReference(double[,] p, int k, TopKForm form)
    {
        int rows = p.GetLength(0), classes = p.GetLength(1);
        var result = new double[rows, classes];
        for (int n = 0; n < rows; n++)
        {
            var top = Enumerable.Range(0, classes).OrderByDescending(c => p[n, c]).Take(k).ToHashSet();
            double kept = top.Sum(c => p[n, c]);
            for (int c = 0; c < classes; c++)
                result[n, c] = top.Contains(c)
                    ? (form == TopKForm.Renormalize ? p[n, c] / kept : p[n, c])
                    : (form == TopKForm.Renormalize ? 0 : (1 - kept) / (classes - k));
        }
        return result;
    }

    [Theory]
    [InlineData(1, TopKForm.SpreadRemainder)]
    [InlineData(2, TopKForm.SpreadRemainder)]
    [InlineData(3, TopKForm.SpreadRemainder)]
    [InlineData(1, TopKForm.Renormalize)]
    [InlineData(2, TopKForm.Renormalize)]
    [InlineData(3, TopKForm.Renormalize)]
    public void Top_k_matches_the_reference(int k, TopKForm form)
    {
        var pt = TeacherProbabilities();
        using var rho = TeacherDistributions.TopK(ToTensor(pt), k, form);
        Close(TopKReference(pt, k, form), rho);
        RowsSumToOne(rho);
    }

    [Theory]
    [InlineData(TopKForm.SpreadRemainder)]
    [InlineData(TopKForm.Renormalize)]
    public void Top_k_with_k_equal_to_the_class_count_is_the_teacher_and_gives_plain_soft_cross_entropy(TopKForm form)
    {
        var pt = TeacherProbabilities();
        using var teacher = ToTensor(pt);
        using var rho = TeacherDistributions.TopK(teacher, 4, form);
        Assert.True(rho.eq(teacher).all().item<bool>());

        var studentLogits = new double[,] { { 1.0, 2.0, 0.5, -0.3 }, { -1.0, 0.0, 3.0, 0.7 }, { 0.2, -2.0, 1.1, 1.5 } };
        using var student = ToTensor(studentLogits);
        using var withTopK = DistillationLosses.SoftCrossEntropy(student, rho);
        double expected = Enumerable.Range(0, 3).Average(n => CrossEntropy(Row(pt, n), Softmax(studentLogits, n)));
        Close(expected, Item(withTopK), relative: 1e-5);
    }

    [Fact]
    public void Top_k_rejects_k_outside_one_to_k_and_unknown_forms()
    {
        using var teacher = ToTensor(TeacherProbabilities());
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherDistributions.TopK(teacher, 0, TopKForm.SpreadRemainder));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherDistributions.TopK(teacher, 5, TopKForm.Renormalize));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherDistributions.TopK(teacher, 2, (TopKForm)3));
    }

    // ---- Tf-KD virtual teacher ----

    [Theory]
    [InlineData(0.9)]
    [InlineData(1.0)]
    [InlineData(0.25)]
    [InlineData(0.0)]
    public void Virtual_teacher_puts_a_on_the_true_class_and_spreads_the_rest(double a)
    {
        using var rho = TeacherDistributions.Virtual(Labels(LabelValues), 4, a);
        Assert.Equal(ScalarType.Float32, rho.dtype);
        Close(Build(3, 4, (n, k) => Virtual(4, LabelValues[n], a)[k]), rho);
        RowsSumToOne(rho);
    }

    [Fact]
    public void Virtual_teacher_with_two_classes_and_bad_arguments()
    {
        using var rho = TeacherDistributions.Virtual(Labels(1, 0), 2, 0.8);
        Close(new double[,] { { 0.2, 0.8 }, { 0.8, 0.2 } }, rho);
        using var labels = Labels(LabelValues);
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherDistributions.Virtual(labels, 1, 0.9));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherDistributions.Virtual(labels, 4, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherDistributions.Virtual(labels, 4, double.NaN));
    }

    // ---- KD-pt+sim ----

    [Fact]
    public void Instance_and_similarity_is_the_average_of_the_two()
    {
        var pt = TeacherProbabilities();
        var instance = Build(3, 4, (n, k) => k == LabelValues[n] ? pt[n, k] : (1 - pt[n, LabelValues[n]]) / 3);
        var similarity = SimilarityReference(Weights, LabelValues, 0.5);
        using var rho = TeacherDistributions.InstanceAndSimilarity(ToTensor(pt), ToTensor(Weights), Labels(LabelValues), 0.5);
        Close(Build(3, 4, (n, k) => (instance[n, k] + similarity[n, k]) / 2), rho);
        RowsSumToOne(rho);

        using var a = ToTensor(instance);
        using var b = ToTensor(similarity);
        using var weighted = TeacherDistributions.Combine(a, b, 0.25);
        Close(Build(3, 4, (n, k) => 0.25 * instance[n, k] + 0.75 * similarity[n, k]), weighted);
        using var narrow = b.narrow(1, 0, 3);
        Assert.Throws<ArgumentException>(() => TeacherDistributions.Combine(a, narrow));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherDistributions.Combine(a, b, 1.5));
    }
}
