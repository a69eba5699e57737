using System;
using KdDsl.Losses;
using TorchSharp;
using Xunit;
using static KdDsl.Tests.Losses.LossReference;
using static TorchSharp.torch;

namespace KdDsl.Tests.Losses;

/// <summary>Tang et al.'s true-class gradient rescaling, by formula and against autograd.</summary>
public sealed class GradientRescalingTests
{
    private static readonly double[,] Student = { { 1.0, 2.0, 0.5, -0.3 }, { -1.0, 0.0, 3.0, 0.7 }, { 0.2, -2.0, 1.1, 1.5 } };
    private static readonly double[,] Teacher = { { 2.5, 0.3, -1.0, 0.0 }, { 0.2, 0.1, 4.0, -0.5 }, { 1.7, -0.4, 0.9, 2.2 } };
    private static readonly long[] LabelValues = { 1, 3, 0 };

    [Fact]
    public void Scalar_weight_matches_hand_computed_values()
    {
        // (1 - 0.5) + 0.5 * (0.8 - 0.6) / (1 - 0.6) = 0.75.
        Assert.Equal(0.75, GradientRescaling.TrueClassWeight(0.5, 0.8, 0.6), 12);
        Assert.Equal(1.0, GradientRescaling.TrueClassWeight(0, 0.1, 0.9), 12);
        Assert.Equal(0.7, GradientRescaling.TrueClassWeight(0.3, 0.4, 0.4), 12);
        // A teacher certain of the true class: w = 1 whatever l (the KD gradient equals the CE gradient).
        Assert.Equal(1.0, GradientRescaling.TrueClassWeight(0.9, 1.0, 0.2), 12);
    }

    [Fact]
    public void Scalar_weight_rejects_undefined_inputs()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientRescaling.TrueClassWeight(0.5, 0.8, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientRescaling.TrueClassWeight(0.5, 1.2, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientRescaling.TrueClassWeight(double.NaN, 0.5, 0.5));
    }

    [Fact]
    public void Tensor_weight_is_the_scalar_formula_per_sample_and_rescales_the_autograd_true_class_gradient()
    {
        const double lambda = 0.7;
        using var labels = Labels(LabelValues);
        using var teacherProbabilities = nn.functional.softmax(ToTensor(Teacher), 1);
        var student = ToTensor(Student).requires_grad_(true);
        using var studentProbabilities = nn.functional.softmax(student, 1);

        using var weights = GradientRescaling.TrueClassWeight(lambda, teacherProbabilities, studentProbabilities, labels);
        Assert.Equal(new long[] { 3 }, weights.shape);
        Assert.False(weights.requires_grad);
        var w = ToArray(weights);
        for (int n = 0; n < 3; n++)
        {
            double pt = Softmax(Teacher, n)[LabelValues[n]], ps = Softmax(Student, n)[LabelValues[n]];
            Close(GradientRescaling.TrueClassWeight(lambda, pt, ps), w[0, n], relative: 1e-5);
        }

        // d/dz_c of (1-l) CE + l H(p_t, p_s) equals w * d/dz_c CE = w * (p_s,c - 1) / N.
        using var ce = DistillationLosses.CrossEntropy(student, labels);
        using var soft = DistillationLosses.SoftCrossEntropy(student, teacherProbabilities);
        using var loss = ce * (1 - lambda) + soft * lambda;
        loss.backward();
        var gradient = ToArray(student.grad!);
        for (int n = 0; n < 3; n++)
        {
            double ps = Softmax(Student, n)[LabelValues[n]];
            Close(w[0, n] * (ps - 1) / 3, gradient[n, LabelValues[n]], relative: 1e-5);
        }
    }
}
