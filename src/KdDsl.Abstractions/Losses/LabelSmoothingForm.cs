namespace KdDsl.Losses;

/// <summary>Which smoothed target <c>KdDsl.Losses.DistillationLosses.LabelSmoothing</c> uses (e = epsilon, K = classes, c = true class).</summary>
public enum LabelSmoothingForm
{
    /// <summary>The paper form <c>(1-e)*y + e/K</c>: the true class gets <c>1 - e + e/K</c>, every other class <c>e/K</c>.</summary>
    Uniform,

    /// <summary>The official Tf-KD code's form: <c>1-e</c> on the true class and <c>e/(K-1)</c> on each other class.</summary>
    OffTrueClass,
}
