using System;
using System.Linq;
using KdDsl.Losses;
using TorchSharp;
using Xunit;
using static KdDsl.Tests.Losses.LossReference;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>Soft-target cross-entropy, label smoothing and the two Tf-KD regularisers against float64 references.</summary>
public sealed class SoftTargetLossesTests
{
    private static readonly double[,] Student = { { 1.0, 2.0, 0.5, -0.3 }, { -1.0, 0.0, 3.0, 0.7 }, { 0.2, -2.0, 1.1, 1.5 } };
    private static readonly long[] LabelValues = { 1, 3, 0 };
    private static readonly double[,] Rho = { { 0.1, 0.2, 0.3, 0.4 }, { 0.7, 0.1, 0.1, 0.1 }, { 0, 0, 1, 0 } };

    private static double MeanCrossEntropy(double[,] student, Func<int, double[]> target, double temperature = 1)
    {
        int n = student.GetLength(0);
        return Enumerable.Range(0, n).Sum(i => CrossEntropy(target(i), Softmax(student, i, temperature))) / n;
    }

    // ---- SoftCrossEntropy ----

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void Soft_cross_entropy_is_the_batch_mean_of_h_rho_p_s(double temperature)
    {
        double expected = MeanCrossEntropy(Student, i => Row(Rho, i), temperature);
        using var loss = DistillationLosses.SoftCrossEntropy(ToTensor(Student), ToTensor(Rho), temperature);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        Close(expected, Item(loss), relative: 1e-5);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void Soft_cross_entropy_gradient_is_p_s_minus_rho_over_n(double temperature)
    {
        var student = ToTensor(Student).requires_grad_(true);
        using var loss = DistillationLosses.SoftCrossEntropy(student, ToTensor(Rho), temperature);
        loss.backward();
        var gradient = ToArray(student.grad!);
        for (int n = 0; n < 3; n++)
        {
            var ps = Softmax(Student, n, temperature);
            for (int k = 0; k < 4; k++) Close((ps[k] - Rho[n, k]) / (3 * temperature), gradient[n, k], relative: 1e-5);
        }
    }

    [Fact]
    public void Soft_cross_entropy_with_one_hot_targets_is_cross_entropy()
    {
        using var labels = Labels(LabelValues);
        using var oneHot = nn.functional.one_hot(labels, 4).to_type(ScalarType.Float32);
        using var soft = DistillationLosses.SoftCrossEntropy(ToTensor(Student), oneHot);
        using var hard = DistillationLosses.CrossEntropy(ToTensor(Student), labels);
        Close(Item(hard), Item(soft), relative: 1e-6);
    }

    [Fact]
    public void Soft_cross_entropy_rejects_bad_shapes_and_temperatures()
    {
        using var s = ToTensor(Student);
        using var rho = ToTensor(Rho);
        using var narrow = rho.narrow(1, 0, 3);
        Assert.Throws<ArgumentException>(() => DistillationLosses.SoftCrossEntropy(s, narrow));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.SoftCrossEntropy(s, rho, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.SoftCrossEntropy(s, rho, double.NaN));
    }

    // ---- Label smoothing ----

    private static double[] SmoothedTarget(int classes, long label, double epsilon, LabelSmoothingForm form) =>
        form == LabelSmoothingForm.Uniform
            ? Enumerable.Range(0, classes).Select(k => (k == label ? 1 - epsilon : 0) + epsilon / classes).ToArray()
            : Virtual(classes, label, 1 - epsilon);

    [Theory]
    [InlineData(0.1, LabelSmoothingForm.Uniform)]
    [InlineData(0.1, LabelSmoothingForm.OffTrueClass)]
    [InlineData(0.5, LabelSmoothingForm.Uniform)]
    [InlineData(0.5, LabelSmoothingForm.OffTrueClass)]
    [InlineData(1.0, LabelSmoothingForm.Uniform)]
    [InlineData(1.0, LabelSmoothingForm.OffTrueClass)]
    public void Label_smoothing_is_cross_entropy_with_the_smoothed_target(double epsilon, LabelSmoothingForm form)
    {
        double expected = MeanCrossEntropy(Student, i => SmoothedTarget(4, LabelValues[i], epsilon, form));
        using var loss = DistillationLosses.LabelSmoothing(ToTensor(Student), Labels(LabelValues), epsilon, form);
        Close(expected, Item(loss), relative: 1e-5);
    }

    [Theory]
    [InlineData(LabelSmoothingForm.Uniform)]
    [InlineData(LabelSmoothingForm.OffTrueClass)]
    public void Label_smoothing_with_zero_epsilon_is_cross_entropy(LabelSmoothingForm form)
    {
        using var smoothed = DistillationLosses.LabelSmoothing(ToTensor(Student), Labels(LabelValues), 0, form);
        using var hard = DistillationLosses.CrossEntropy(ToTensor(Student), Labels(LabelValues));
        Close(Item(hard), Item(smoothed), relative: 1e-6);
    }

    [Fact]
    public void Label_smoothing_with_two_classes_matches_hand_computed_targets()
    {
        // Logits (ln 4, 0) → p = (4/5, 1/5), label 0, e = 0.2. Uniform: target (0.9, 0.1); off-true-class: target (0.8, 0.2).
        using var logits = tensor(new float[] { (float)Math.Log(4), 0 }, new long[] { 1, 2 });
        using var uniform = DistillationLosses.LabelSmoothing(logits, Labels(0), 0.2, LabelSmoothingForm.Uniform);
        using var off = DistillationLosses.LabelSmoothing(logits, Labels(0), 0.2, LabelSmoothingForm.OffTrueClass);
        Close(-(0.9 * Math.Log(0.8) + 0.1 * Math.Log(0.2)), Item(uniform), relative: 1e-6);
        Close(-(0.8 * Math.Log(0.8) + 0.2 * Math.Log(0.2)), Item(off), relative: 1e-6);
    }

    [Fact]
    public void Label_smoothing_rejects_bad_arguments()
    {
        using var s = ToTensor(Student);
        using var labels = Labels(LabelValues);
        foreach (double bad in new[] { -0.1, 1.1, double.NaN })
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.LabelSmoothing(s, labels, bad, LabelSmoothingForm.Uniform));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.LabelSmoothing(s, labels, 0.1, (LabelSmoothingForm)9));
        using var twoLabels = Labels(0, 1);
        Assert.Throws<ArgumentException>(() => DistillationLosses.LabelSmoothing(s, twoLabels, 0.1, LabelSmoothingForm.Uniform));
        using var oneClass = s.narrow(1, 0, 1);
        Assert.Throws<ArgumentException>(() => DistillationLosses.LabelSmoothing(oneClass, labels, 0.1, LabelSmoothingForm.Uniform));
        using var intLabels = labels.to_type(ScalarType.Int32);
        Assert.Throws<ArgumentException>(() => DistillationLosses.LabelSmoothing(s, intLabels, 0.1, LabelSmoothingForm.Uniform));
    }

    // ---- Tf-KD, paper form: T^2 * batchmean KL(softmax(log p_d / T) || softmax(z_s / T)) ----

    private static double PaperReference(double[,] student, long[] labels, double a, double temperature)
    {
        int n = student.GetLength(0), classes = student.GetLength(1);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            var pd = Virtual(classes, labels[i], a);
            // softmax(log p_d / T) = p_d^(1/T) / sum p_d^(1/T), with 0^(1/T) = 0.
            var powered = pd.Select(p => Math.Pow(p, 1 / temperature)).ToArray();
            double total = powered.Sum();
            var pdT = powered.Select(p => p / total).ToArray();
            sum += Kl(pdT, Softmax(student, i, temperature));
        }
        return temperature * temperature * sum / n;
    }

    [Theory]
    [InlineData(0.9, 20.0)]
    [InlineData(0.99, 40.0)]
    [InlineData(0.95, 1.0)]
    [InlineData(0.5, 3.0)]
    [InlineData(0.0, 2.0)]
    public void Tf_kd_paper_form_matches_the_formula(double a, double temperature)
    {
        double expected = PaperReference(Student, LabelValues, a, temperature);
        using var loss = DistillationLosses.TfKdRegularizationPaper(ToTensor(Student), Labels(LabelValues), a, temperature);
        Close(expected, Item(loss), relative: 1e-5);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(5.0)]
    [InlineData(30.0)]
    public void Tf_kd_paper_form_with_a_one_hot_virtual_teacher_is_t_squared_times_tempered_cross_entropy(double temperature)
    {
        // a = 1: p_d,T stays one-hot, KL(y || p_s,T) = -log p_s,T(c), so the term is T^2 * mean_n -log softmax(z_s/T)_c.
        double expected = temperature * temperature *
                          Enumerable.Range(0, 3).Average(i => -Math.Log(Softmax(Student, i, temperature)[LabelValues[i]]));
        using var loss = DistillationLosses.TfKdRegularizationPaper(ToTensor(Student), Labels(LabelValues), 1, temperature);
        Close(expected, Item(loss), relative: 1e-5);

        using var scaledLogits = ToTensor(Student) / temperature;
        using var crossEntropy = DistillationLosses.CrossEntropy(scaledLogits, Labels(LabelValues));
        Close(Item(crossEntropy) * temperature * temperature, Item(loss), relative: 1e-5);
    }

    [Fact]
    public void Tf_kd_paper_form_at_a_very_large_temperature_is_finite_and_matches()
    {
        const double T = 1e4;
        using var loss = DistillationLosses.TfKdRegularizationPaper(ToTensor(Student), Labels(LabelValues), 0.9, T);
        Close(PaperReference(Student, LabelValues, 0.9, T), Item(loss), relative: 1e-4);
        // Limit: (1/2K) sum_k (d_k - mean d)^2 with d = log p_d - z_s, averaged over the batch.
        double limit = 0;
        for (int n = 0; n < 3; n++)
        {
            var d = Virtual(4, LabelValues[n], 0.9).Select((p, k) => Math.Log(p) - Student[n, k]).ToArray();
            double mean = d.Average();
            limit += d.Sum(v => (v - mean) * (v - mean)) / 8 / 3;
        }
        Close(limit, Item(loss), relative: 1e-3);

        using var oneHot = DistillationLosses.TfKdRegularizationPaper(ToTensor(Student), Labels(LabelValues), 1, T);
        Close(PaperReference(Student, LabelValues, 1, T), Item(oneHot), relative: 1e-5);
    }

    [Fact]
    public void Tf_kd_paper_form_with_two_classes()
    {
        var student = new double[,] { { 0.4, -0.2 }, { -1.0, 2.0 } };
        long[] labels = { 0, 0 };
        using var loss = DistillationLosses.TfKdRegularizationPaper(ToTensor(student), Labels(labels), 0.8, 2);
        Close(PaperReference(student, labels, 0.8, 2), Item(loss), relative: 1e-5);
    }

    [Fact]
    public void Tf_kd_paper_form_gradient_flows_to_the_student()
    {
        var student = ToTensor(Student).requires_grad_(true);
        using var loss = DistillationLosses.TfKdRegularizationPaper(student, Labels(LabelValues), 0.9, 4);
        loss.backward();
        // d/dz_s [T^2 KL(q || p_s,T)] = T (p_s,T - q) / N.
        var gradient = ToArray(student.grad!);
        var powered = new[] { Math.Pow(0.9, 0.25), Math.Pow(0.1 / 3, 0.25) };
        double qTrue = powered[0] / (powered[0] + 3 * powered[1]), qOff = powered[1] / (powered[0] + 3 * powered[1]);
        for (int n = 0; n < 3; n++)
        {
            var ps = Softmax(Student, n, 4);
            for (int k = 0; k < 4; k++)
                Close(4 * (ps[k] - (k == LabelValues[n] ? qTrue : qOff)) / 3, gradient[n, k], relative: 1e-5);
        }
    }

    // ---- Tf-KD, official code: elementwise-mean KL(softmax(p_d / T) || softmax(z_s)), no T^2 ----

    private static double OfficialReference(double[,] student, long[] labels, double a, double temperature)
    {
        int n = student.GetLength(0), classes = student.GetLength(1);
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += Kl(Softmax(Virtual(classes, labels[i], a), temperature), Softmax(student, i));
        return sum / (n * classes);
    }

    [Theory]
    [InlineData(0.99, 20.0)]
    [InlineData(0.9, 40.0)]
    [InlineData(0.99, 1.0)]
    [InlineData(1.0, 0.1)]
    [InlineData(0.5, 1e4)]
    public void Tf_kd_official_code_form_matches_the_formula(double a, double temperature)
    {
        double expected = OfficialReference(Student, LabelValues, a, temperature);
        using var loss = DistillationLosses.TfKdRegularizationOfficialCode(ToTensor(Student), Labels(LabelValues), a, temperature);
        Close(expected, Item(loss), relative: 1e-5);
    }

    [Fact]
    public void Tf_kd_official_code_form_is_the_general_kl_with_probabilities_as_teacher_logits()
    {
        using var labels = Labels(LabelValues);
        using var virtualTeacher = TeacherDistributions.Virtual(labels, 4, 0.95);
        using var general = DistillationLosses.KlDivergence(ToTensor(Student), virtualTeacher, 30, 1, KlReduction.ElementwiseMean, false);
        using var official = DistillationLosses.TfKdRegularizationOfficialCode(ToTensor(Student), labels, 0.95, 30);
        Close(Item(general), Item(official), relative: 1e-6);
    }

    [Fact]
    public void Tf_kd_official_code_form_with_two_classes()
    {
        var student = new double[,] { { 0.4, -0.2 }, { -1.0, 2.0 } };
        long[] labels = { 1, 0 };
        using var loss = DistillationLosses.TfKdRegularizationOfficialCode(ToTensor(student), Labels(labels), 0.99, 20);
        Close(OfficialReference(student, labels, 0.99, 20), Item(loss), relative: 1e-5);
    }

    [Fact]
    public void Tf_kd_terms_reject_bad_arguments()
    {
        using var s = ToTensor(Student);
        using var labels = Labels(LabelValues);
        foreach (double badA in new[] { -0.01, 1.01, double.NaN })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.TfKdRegularizationPaper(s, labels, badA, 20));
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.TfKdRegularizationOfficialCode(s, labels, badA, 20));
        }
        foreach (double badT in new[] { 0, -2, double.NaN, double.PositiveInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.TfKdRegularizationPaper(s, labels, 0.9, badT));
            Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.TfKdRegularizationOfficialCode(s, labels, 0.9, badT));
        }
    }
}
