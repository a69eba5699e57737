using System;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace KdDsl.Losses;

/// <summary>
/// The loss terms the generated training loops call. Each returns a scalar tensor averaged over the batch. Formulas follow
/// Hinton et al. (2015) and <c>docs/kd-methods.md</c>: z = logits, T = temperature, N = batch size, K = classes,
/// H(a, b) = -sum a log b, KL(a || b) = sum a log(a / b).
/// </summary>
/// <remarks>
/// Inputs are <c>studentLogits</c> [N, K] (usually requiring grad), <c>teacherLogits</c> or target probabilities [N, K] (treated as
/// constants by the formulas; detach them or compute them under <c>no_grad</c>), and <c>labels</c> [N] int64. The soft-target
/// terms are evaluated in float64 and returned in the student logits' dtype. The KL term follows a precision policy
/// (<see cref="KlPrecision.Automatic"/>): a T^2-scaled KL at a large temperature is T^2 times a tiny difference of
/// log-probabilities, which float32 cannot resolve, so it is computed in float64 above <see cref="Float32TemperatureLimit"/>
/// and in float32 (cheaper: fewer operations, no conversions) up to it. Every result stays differentiable with respect to the
/// student logits.
/// </remarks>
public static class DistillationLosses
{
    /// <summary>
    /// The largest temperature (teacher or student) at which <see cref="KlPrecision.Automatic"/> computes the KL term in
    /// float32, for float32 logits. Measured (<c>dotnet run -c Release --project benchmarks/KdDsl.Benchmarks -- precision --draws 20</c>,
    /// recorded in <c>docs/benchmarks.md</c>, "(e)") against a float64 reference on random [256, 10] and [256, 100] logits, with
    /// students as close to their teacher as a per-logit gap of standard deviation 0.1: up to T = 4 the float32 loss and its
    /// gradient stay within a relative 1e-4 of the reference in every case measured (worst 6e-5); at T = 5 the loss does not
    /// (1.1e-4), and the loss error grows about as T^2 from there (at T = 1e4 float32 is off by factors of 5 to 900).
    /// </summary>
    public const double Float32TemperatureLimit = 4;

    /// <summary>Whether <see cref="KlPrecision.Automatic"/> computes the KL term of these logits and temperatures in float32.</summary>
    public static bool KlUsesFloat32(Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature) =>
        studentLogits.dtype == ScalarType.Float32 && teacherLogits.dtype == ScalarType.Float32 &&
        teacherTemperature <= Float32TemperatureLimit && studentTemperature <= Float32TemperatureLimit;

    /// <summary>Cross-entropy with the true labels, <c>mean_n -log softmax(z_s)_{n,y_n}</c>.</summary>
    public static Tensor CrossEntropy(Tensor studentLogits, Tensor labels) => F.cross_entropy(studentLogits, labels);

    /// <summary>
    /// Hinton's KD term, <c>T^2 * (1/N) * sum_n KL(softmax(z_t/T) || softmax(z_s/T))</c> ("batchmean"). The T^2 factor keeps the
    /// gradient's scale independent of T. Computed from log-probabilities directly: TorchSharp's <c>kl_div</c> defaults to
    /// <c>log_target = true</c>, unlike PyTorch, and has no batchmean reduction. Identical to
    /// <c>KlDivergence(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean, true)</c>.
    /// </summary>
    public static Tensor KlDivergence(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The KD temperature must be > 0.");
        return KlDivergence(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean, scaleByTemperatureSquared: true);
    }

    /// <summary>
    /// The general KD term <c>[T_t^2] * KL(softmax(z_t/T_t) || softmax(z_s/T_s))</c>, reduced over the batch by
    /// <paramref name="reduction"/>. With <c>T_s = T_t = T</c>, batchmean and the scale this is Hinton's term; with <c>T_s = 1</c> it is
    /// the "student temperature 1" choice of Sultan et al.; with <see cref="KlReduction.ElementwiseMean"/> it is the official Tf-KD
    /// code's <c>nn.KLDivLoss()</c> (divided by N*K).
    /// </summary>
    /// <param name="studentLogits">z_s, [N, K].</param>
    /// <param name="teacherLogits">z_t, [N, K] (a constant: no gradient is meant to flow into it).</param>
    /// <param name="teacherTemperature">T_t &gt; 0, applied to the teacher logits.</param>
    /// <param name="studentTemperature">T_s &gt; 0, applied to the student logits.</param>
    /// <param name="reduction">Batchmean (sum over classes, mean over samples) or the mean over all N*K elements.</param>
    /// <param name="scaleByTemperatureSquared">
    /// Multiply by <c>T_t^2</c>, the square of the <em>teacher</em> temperature (the temperature that softens the target). When
    /// <c>T_s = T_t</c> this keeps the gradient's scale independent of T, as in Hinton et al.; when they differ, the gradient with
    /// respect to z_s is <c>T_t^2 / T_s * (p_s,T_s - p_t,T_t) / N</c> (batchmean).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not &gt; 0 and finite, or an unknown reduction.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor KlDivergence(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared) =>
        KlDivergence(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared,
            KlPrecision.Automatic);

    /// <summary>
    /// <see cref="KlDivergence(Tensor, Tensor, double, double, KlReduction, bool)"/> in a chosen precision: <paramref name="precision"/>
    /// <see cref="KlPrecision.Automatic"/> is the policy the generated loops use (<see cref="KlUsesFloat32"/>).
    /// </summary>
    public static Tensor KlDivergence(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared, KlPrecision precision)
    {
        CheckTemperature(teacherTemperature, nameof(teacherTemperature));
        CheckTemperature(studentTemperature, nameof(studentTemperature));
        CheckReduction(reduction);
        if (precision is not (KlPrecision.Automatic or KlPrecision.Float32 or KlPrecision.Float64))
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown KL precision.");
        CheckLogits(studentLogits, nameof(studentLogits));
        CheckSameShape(studentLogits, nameof(studentLogits), teacherLogits, nameof(teacherLogits));

        double scale = scaleByTemperatureSquared ? teacherTemperature * teacherTemperature : 1;
        bool float32 = precision == KlPrecision.Float32 ||
                       (precision == KlPrecision.Automatic && KlUsesFloat32(studentLogits, teacherLogits, teacherTemperature, studentTemperature));
        if (float32)
        {
            // In as few operations as the hand-written PyTorch idiom: kl_div on log-probabilities, summed, one scalar factor.
            var student32 = ToFloat32(studentLogits);
            var teacher32 = ToFloat32(teacherLogits);
            var logStudent32 = F.log_softmax(studentTemperature == 1 ? student32 : student32 / studentTemperature, 1);
            var logTeacher32 = F.log_softmax(teacherTemperature == 1 ? teacher32 : teacher32 / teacherTemperature, 1);
            var summed = F.kl_div(logStudent32, logTeacher32, reduction: nn.Reduction.Sum, log_target: true);
            double divisor = reduction == KlReduction.BatchMean ? studentLogits.shape[0] : studentLogits.shape[0] * studentLogits.shape[1];
            var loss32 = summed * (scale / divisor);
            return loss32.dtype == studentLogits.dtype ? loss32 : loss32.to_type(studentLogits.dtype);
        }

        var logStudent = F.log_softmax(ToFloat64(studentLogits) / studentTemperature, 1);
        var logTeacher = F.log_softmax(ToFloat64(teacherLogits) / teacherTemperature, 1);
        var loss = Reduce(logTeacher.exp() * (logTeacher - logStudent), reduction);
        if (scaleByTemperatureSquared) loss = loss * scale;
        return loss.to_type(studentLogits.dtype);
    }

    /// <summary>
    /// The reverse KD divergence, <c>T^2 * (1/N) * sum_n KL(softmax(z_s/T) || softmax(z_t/T))</c> (batchmean): the KL term with its
    /// arguments swapped, so the student's distribution weighs the log-ratio. Identical to
    /// <c>ReverseKl(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean, true)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not &gt; 0 and finite.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor ReverseKl(Tensor studentLogits, Tensor teacherLogits, double temperature) =>
        ReverseKl(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean, scaleByTemperatureSquared: true);

    /// <summary>
    /// The reverse KL divergence <c>[T_t^2] * KL(p_s || p_t) = [T_t^2] * sum_k p_s,k (log p_s,k - log p_t,k)</c> with
    /// <c>p_s = softmax(z_s/T_s)</c> and <c>p_t = softmax(z_t/T_t)</c>, reduced over the batch by <paramref name="reduction"/>
    /// (batchmean: the sum over classes and samples divided by N; elementwise mean: divided by N*K). Unlike the forward KL of
    /// <see cref="KlDivergence(Tensor, Tensor, double, double, KlReduction, bool)"/>, which is mean-seeking (the student is pushed to
    /// cover every class the teacher gives mass to), the reverse KL is mode-seeking: classes the student already neglects cost little.
    /// Used as the distillation objective by Gu et al., "MiniLLM: Knowledge Distillation of Large Language Models" (ICLR 2024) and
    /// compared with the forward KL and the generalised JSD by Agarwal et al., "On-Policy Distillation of Language Models: Learning
    /// from Self-Generated Mistakes" (GKD, ICLR 2024); see <c>docs/kd-methods.md</c>.
    /// </summary>
    /// <remarks>
    /// Gradients reach the student through both <c>p_s</c> and <c>log p_s</c>: per sample, the gradient of <c>KL(p_s || p_t)</c> with
    /// respect to z_s is <c>p_s ⊙ (log p_s - log p_t - KL(p_s || p_t)) / T_s</c>. Computed from log-probabilities (finite for logit gaps
    /// of 1e4 and more), in the precision <see cref="KlPrecision.Automatic"/> picks for the KL term (<see cref="KlUsesFloat32"/>).
    /// </remarks>
    /// <param name="studentLogits">z_s, [N, K].</param>
    /// <param name="teacherLogits">z_t, [N, K] (a constant: no gradient is meant to flow into it).</param>
    /// <param name="teacherTemperature">T_t &gt; 0, applied to the teacher logits.</param>
    /// <param name="studentTemperature">T_s &gt; 0, applied to the student logits (the KD term's default is T_s = T_t).</param>
    /// <param name="reduction">Batchmean (sum over classes, mean over samples) or the mean over all N*K elements.</param>
    /// <param name="scaleByTemperatureSquared">Multiply by <c>T_t^2</c>, the square of the teacher temperature, as the KL term does.</param>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not &gt; 0 and finite, or an unknown reduction.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor ReverseKl(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared) =>
        ReverseKl(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared,
            KlPrecision.Automatic);

    /// <summary>
    /// <see cref="ReverseKl(Tensor, Tensor, double, double, KlReduction, bool)"/> in a chosen precision; <see cref="KlPrecision.Automatic"/>
    /// is the KL term's policy (<see cref="KlUsesFloat32"/>).
    /// </summary>
    public static Tensor ReverseKl(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared, KlPrecision precision) =>
        TemperedDivergence(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared,
            precision, static (logStudent, logTeacher) => logStudent.exp() * (logStudent - logTeacher));

    /// <summary>
    /// The Jensen-Shannon KD divergence, <c>T^2 * (1/N) * sum_n JS(softmax(z_s/T), softmax(z_t/T))</c> (batchmean). Identical to
    /// <c>JensenShannon(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean, true)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not &gt; 0 and finite.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor JensenShannon(Tensor studentLogits, Tensor teacherLogits, double temperature) =>
        JensenShannon(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean, scaleByTemperatureSquared: true);

    /// <summary>
    /// The Jensen-Shannon divergence <c>[T_t^2] * JS(p_s, p_t)</c>, <c>JS(p_s, p_t) = 1/2 KL(p_s || m) + 1/2 KL(p_t || m)</c> with the
    /// mixture <c>m = (p_s + p_t) / 2</c>, <c>p_s = softmax(z_s/T_s)</c> and <c>p_t = softmax(z_t/T_t)</c>, reduced over the batch by
    /// <paramref name="reduction"/> (batchmean: the sum over classes and samples divided by N; elementwise mean: divided by N*K).
    /// Symmetric, and bounded: <c>0 &lt;= JS &lt;= ln 2</c> per sample (so the batchmean term is at most <c>T_t^2 ln 2</c>), with 0 exactly
    /// when the tempered distributions coincide. Defined by Lin, "Divergence Measures Based on the Shannon Entropy" (IEEE Trans.
    /// Inf. Theory, 1991); used as a distillation divergence in the LLM KD literature (the generalised JSD of Agarwal et al., GKD,
    /// ICLR 2024, at beta = 1/2; among the divergences compared by Wen et al., f-DISTILL, ACL 2023); see <c>docs/kd-methods.md</c>.
    /// </summary>
    /// <remarks>
    /// <c>log m</c> is computed stably as <c>logaddexp(log p_s, log p_t) - ln 2</c> (a log-sum-exp of the two log-probabilities), never as
    /// the log of a sum of probabilities that may both have underflowed, so logit gaps of 1e4 and more give a finite value. Gradients reach
    /// the student through <c>p_s</c>, <c>log p_s</c> and <c>m</c>: per sample, the gradient with respect to z_s is
    /// <c>p_s ⊙ (g - &lt;p_s, g&gt;) / T_s</c> with <c>g = (log p_s - log m) / 2</c>. Computed in the precision
    /// <see cref="KlPrecision.Automatic"/> picks for the KL term (<see cref="KlUsesFloat32"/>).
    /// </remarks>
    /// <param name="studentLogits">z_s, [N, K].</param>
    /// <param name="teacherLogits">z_t, [N, K] (a constant: no gradient is meant to flow into it).</param>
    /// <param name="teacherTemperature">T_t &gt; 0, applied to the teacher logits.</param>
    /// <param name="studentTemperature">T_s &gt; 0, applied to the student logits (the KD term's default is T_s = T_t).</param>
    /// <param name="reduction">Batchmean (sum over classes, mean over samples) or the mean over all N*K elements.</param>
    /// <param name="scaleByTemperatureSquared">Multiply by <c>T_t^2</c>, the square of the teacher temperature, as the KL term does.</param>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not &gt; 0 and finite, or an unknown reduction.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor JensenShannon(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared) =>
        JensenShannon(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared,
            KlPrecision.Automatic);

    /// <summary>
    /// <see cref="JensenShannon(Tensor, Tensor, double, double, KlReduction, bool)"/> in a chosen precision;
    /// <see cref="KlPrecision.Automatic"/> is the KL term's policy (<see cref="KlUsesFloat32"/>).
    /// </summary>
    public static Tensor JensenShannon(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared, KlPrecision precision) =>
        TemperedDivergence(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared,
            precision, static (logStudent, logTeacher) =>
            {
                var logMixture = logStudent.logaddexp(logTeacher) - Math.Log(2);
                return (logStudent.exp() * (logStudent - logMixture) + logTeacher.exp() * (logTeacher - logMixture)) * 0.5;
            });

    // ---- The logit-family methods (issue #18): logit standardisation, DKD, DIST and the rest of the divergence family ------

    /// <summary>What <see cref="StandardizeLogits"/> adds to the standard deviation, as the authors' code does (1e-7).</summary>
    public const double StandardizationEpsilon = 1e-7;

    /// <summary>What <see cref="Dist(Tensor, Tensor, double, double, double)"/> adds to the product of norms in each Pearson correlation, as the authors' code (1e-8).</summary>
    public const double PearsonEpsilon = 1e-8;

    /// <summary>
    /// Logit standardisation (Sun, Ren, Li, Wang, Cao, "Logit Standardization in Knowledge Distillation", CVPR 2024): each row z of
    /// the [N, K] logits becomes the z-score <c>(z - mean(z)) / (std(z) + 1e-7)</c>, with the mean and the standard deviation over the
    /// K classes; the standard deviation is the unbiased one (divided by K - 1), as <c>torch.std</c> in the authors' code. A term fed
    /// with standardised logits then applies its temperature as usual (the paper's base temperature is 2, with the T^2 factor kept).
    /// The result is invariant to adding a constant to a row or multiplying it by a positive factor, so the student is asked to match
    /// the teacher's logit relations, not their range.
    /// </summary>
    /// <remarks>
    /// A row of equal logits has standard deviation 0; it maps to zeros with a finite gradient (the variance is clamped at 1e-30
    /// before the square root, whose derivative at 0 is infinite). Differentiable; keeps the logits' dtype.
    /// </remarks>
    /// <param name="logits">z, [N, K] with K &gt;= 2.</param>
    /// <exception cref="ArgumentException">Logits that are not [N, K] with K &gt;= 2.</exception>
    public static Tensor StandardizeLogits(Tensor logits)
    {
        int classes = CheckClassifierLogits(logits, nameof(logits));
        using var scope = NewDisposeScope();
        var centred = logits - logits.sum(1, keepdim: true) / classes;
        var variance = (centred * centred).sum(1, keepdim: true) / (classes - 1);
        var standardized = centred / (variance.clamp_min(1e-30).sqrt() + StandardizationEpsilon);
        return standardized.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decoupled knowledge distillation (Zhao, Cui, Song, Qiu, Liang, "Decoupled Knowledge Distillation", CVPR 2022), as the
    /// authors' code (mdistiller's <c>dkd_loss</c>) computes it: <c>alpha * TCKD + beta * NCKD</c>, each summed over the batch,
    /// multiplied by T^2 and divided by N. With <c>p = softmax(z / T)</c> and y the true class:
    /// <c>TCKD = KL(b_t || b_s)</c> between the binary distributions <c>b = [p_y, 1 - p_y]</c> (the target class against the rest),
    /// and <c>NCKD = KL(p^_t || p^_s)</c> between the distributions over the K - 1 non-target classes renormalised,
    /// <c>p^_k = p_k / (1 - p_y)</c> for k != y. The paper decomposes the KD term as
    /// <c>KL(p_t || p_s) = TCKD + (1 - p_t,y) NCKD</c>: KD weighs NCKD by the teacher's non-target mass, DKD by a free beta.
    /// Identical to the overload with <see cref="KlPrecision.Automatic"/>.
    /// </summary>
    /// <remarks>
    /// Computed from log-probabilities: <c>log(1 - p_y)</c> is the log-sum-exp of the non-target log-probabilities (exact where
    /// <c>1 - p_y</c> rounds to 0), and <c>log p^ = log p - log(1 - p_y)</c>, so logit gaps of 1e4 give a finite value and gradient
    /// (the authors' code takes the log of a probability that may be 0, and masks the target with a finite -1000). The authors
    /// also ramp the term in linearly over the first 20 epochs (<c>min(epoch / warmup, 1)</c>); that schedule is not part of this
    /// function. Precision: the KL term's policy (<see cref="KlUsesFloat32"/>).
    /// </remarks>
    /// <param name="studentLogits">z_s, [N, K], K &gt;= 2.</param>
    /// <param name="teacherLogits">z_t, [N, K] (a constant).</param>
    /// <param name="labels">The true classes y, int64 [N].</param>
    /// <param name="temperature">T &gt; 0, applied to both (the authors use 4 on CIFAR-100, 1 on ImageNet).</param>
    /// <param name="targetClassWeight">alpha &gt;= 0 (the authors: 1).</param>
    /// <param name="nonTargetClassWeight">beta &gt;= 0 (the authors: 8 on CIFAR-100, 0.5 on ImageNet).</param>
    /// <exception cref="ArgumentOutOfRangeException">T not &gt; 0 and finite, or a weight that is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">Logits that are not [N, K] with K &gt;= 2 or differ in shape, or labels that are not int64 [N].</exception>
    public static Tensor DecoupledKd(
        Tensor studentLogits, Tensor teacherLogits, Tensor labels, double temperature, double targetClassWeight, double nonTargetClassWeight) =>
        DecoupledKd(studentLogits, teacherLogits, labels, temperature, targetClassWeight, nonTargetClassWeight, KlPrecision.Automatic);

    /// <summary><see cref="DecoupledKd(Tensor, Tensor, Tensor, double, double, double)"/> in a chosen precision.</summary>
    public static Tensor DecoupledKd(
        Tensor studentLogits, Tensor teacherLogits, Tensor labels, double temperature, double targetClassWeight, double nonTargetClassWeight,
        KlPrecision precision)
    {
        CheckTemperature(temperature, nameof(temperature));
        CheckComponentWeight(targetClassWeight, nameof(targetClassWeight));
        CheckComponentWeight(nonTargetClassWeight, nameof(nonTargetClassWeight));
        CheckPrecision(precision);
        int classes = CheckClassifierLogits(studentLogits, nameof(studentLogits));
        CheckSameShape(studentLogits, nameof(studentLogits), teacherLogits, nameof(teacherLogits));
        TeacherDistributions.CheckLabels(labels, studentLogits.shape[0], nameof(labels));

        using var scope = NewDisposeScope();
        bool float32 = UsesFloat32(precision, studentLogits, teacherLogits, temperature, temperature);
        var logStudent = TemperedLogSoftmax(studentLogits, temperature, float32);
        var logTeacher = TemperedLogSoftmax(teacherLogits, temperature, float32);
        var index = labels.unsqueeze(1);
        var isTarget = index.eq(arange(classes, dtype: ScalarType.Int64, device: labels.device).unsqueeze(0)); // [N, K]

        // log p_y, and log(1 - p_y) as the log-sum-exp of the other classes' log-probabilities (K >= 2: at least one).
        var logTargetStudent = logStudent.gather(1, index);
        var logTargetTeacher = logTeacher.gather(1, index);
        var logOtherStudent = logStudent.masked_fill(isTarget, double.NegativeInfinity).logsumexp(1, true);
        var logOtherTeacher = logTeacher.masked_fill(isTarget, double.NegativeInfinity).logsumexp(1, true);
        var tckd = (logTargetTeacher.exp() * (logTargetTeacher - logTargetStudent) + logOtherTeacher.exp() * (logOtherTeacher - logOtherStudent)).sum();

        // The renormalised non-target distributions; the target's entry is set to 0 in both, so it adds exp(0) * (0 - 0) = 0
        // (and no exp of a large log-ratio is ever taken).
        var logRestStudent = (logStudent - logOtherStudent).masked_fill(isTarget, 0);
        var logRestTeacher = (logTeacher - logOtherTeacher).masked_fill(isTarget, 0);
        var nckd = (logRestTeacher.exp() * (logRestTeacher - logRestStudent)).sum();

        var loss = (tckd * targetClassWeight + nckd * nonTargetClassWeight) * (temperature * temperature / studentLogits.shape[0]);
        return (loss.dtype == studentLogits.dtype ? loss : loss.to_type(studentLogits.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// DIST (Huang, You, Wang, Qian, Xu, "Knowledge Distillation from A Stronger Teacher", NeurIPS 2022):
    /// <c>T^2 * (beta * inter + gamma * intra)</c> with <c>p = softmax(z / T)</c> for both models,
    /// <c>inter = 1 - (1/N) sum_n pearson(p_s[n, :], p_t[n, :])</c> (the relation between the classes of each sample) and
    /// <c>intra = 1 - (1/K) sum_k pearson(p_s[:, k], p_t[:, k])</c> (the relation between the batch's samples for each class).
    /// <c>pearson(a, b) = &lt;a - mean(a), b - mean(b)&gt; / (|a - mean(a)| |b - mean(b)| + 1e-8)</c>, as the authors' code
    /// (<c>hunto/image_classification_sota</c>, <c>dist_kd.py</c>: beta = gamma = 1, tau = 1; the T^2 factor is their CIFAR code's).
    /// Identical to the overload with <see cref="KlPrecision.Automatic"/>.
    /// </summary>
    /// <remarks>
    /// The correlations ignore a shift and a positive scale of either model's probabilities, so the student matches the teacher's
    /// relations rather than its exact values. A column over a batch of one sample (or any constant row or column) has no
    /// variation: its correlation is 0 (the 1e-8 keeps it finite) and contributes a constant with no gradient. The term is 0 when
    /// the tempered probabilities coincide (up to the 1e-8: a few 1e-7 times T^2), and at most <c>2 T^2 (beta + gamma)</c>. Precision: the KL term's policy
    /// (<see cref="KlUsesFloat32"/>).
    /// </remarks>
    /// <param name="studentLogits">z_s, [N, K].</param>
    /// <param name="teacherLogits">z_t, [N, K] (a constant).</param>
    /// <param name="temperature">tau &gt; 0, applied to both.</param>
    /// <param name="interClassWeight">beta &gt;= 0.</param>
    /// <param name="intraClassWeight">gamma &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">T not &gt; 0 and finite, or a weight that is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor Dist(Tensor studentLogits, Tensor teacherLogits, double temperature, double interClassWeight, double intraClassWeight) =>
        Dist(studentLogits, teacherLogits, temperature, interClassWeight, intraClassWeight, KlPrecision.Automatic);

    /// <summary><see cref="Dist(Tensor, Tensor, double, double, double)"/> in a chosen precision.</summary>
    public static Tensor Dist(
        Tensor studentLogits, Tensor teacherLogits, double temperature, double interClassWeight, double intraClassWeight, KlPrecision precision)
    {
        CheckTemperature(temperature, nameof(temperature));
        CheckComponentWeight(interClassWeight, nameof(interClassWeight));
        CheckComponentWeight(intraClassWeight, nameof(intraClassWeight));
        CheckPrecision(precision);
        CheckLogits(studentLogits, nameof(studentLogits));
        CheckSameShape(studentLogits, nameof(studentLogits), teacherLogits, nameof(teacherLogits));

        using var scope = NewDisposeScope();
        bool float32 = UsesFloat32(precision, studentLogits, teacherLogits, temperature, temperature);
        var student = TemperedLogSoftmax(studentLogits, temperature, float32).exp();
        var teacher = TemperedLogSoftmax(teacherLogits, temperature, float32).exp();
        var inter = 1.0 - PearsonRows(student, teacher).mean();
        var intra = 1.0 - PearsonRows(student.transpose(0, 1), teacher.transpose(0, 1)).mean();
        var loss = (inter * interClassWeight + intra * intraClassWeight) * (temperature * temperature);
        return (loss.dtype == studentLogits.dtype ? loss : loss.to_type(studentLogits.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The symmetric KL (Jeffreys) divergence, <c>T^2 * (1/N) * sum_n [KL(p_t || p_s) + KL(p_s || p_t)]</c> (batchmean): the sum of
    /// <see cref="KlDivergence(Tensor, Tensor, double)"/> and <see cref="ReverseKl(Tensor, Tensor, double)"/>. Identical to
    /// <c>SymmetricKl(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean, true)</c>.
    /// </summary>
    public static Tensor SymmetricKl(Tensor studentLogits, Tensor teacherLogits, double temperature) =>
        SymmetricKl(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean, scaleByTemperatureSquared: true);

    /// <summary>
    /// The symmetric KL divergence <c>[T_t^2] * [KL(p_t || p_s) + KL(p_s || p_t)] = [T_t^2] * sum_k (p_t,k - p_s,k)(log p_t,k - log p_s,k)</c>
    /// with <c>p_s = softmax(z_s/T_s)</c> and <c>p_t = softmax(z_t/T_t)</c>, reduced by <paramref name="reduction"/>: Jeffreys'
    /// divergence ("An Invariant Form for the Prior Probability in Estimation Problems", 1946), the sum rather than the mean of the two
    /// directions, so that it equals <see cref="KlDivergence(Tensor, Tensor, double, double, KlReduction, bool)"/> plus
    /// <see cref="ReverseKl(Tensor, Tensor, double, double, KlReduction, bool)"/> with the same options (the mean is a weight of 0.5).
    /// One of the divergences DistiLLM (Ko et al., ICML 2024) and f-DISTILL (Wen et al., ACL 2023) compare. Computed from
    /// log-probabilities in the KL term's precision policy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not &gt; 0 and finite, or an unknown reduction.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor SymmetricKl(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared) =>
        SymmetricKl(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared, KlPrecision.Automatic);

    /// <summary><see cref="SymmetricKl(Tensor, Tensor, double, double, KlReduction, bool)"/> in a chosen precision.</summary>
    public static Tensor SymmetricKl(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared, KlPrecision precision) =>
        TemperedDivergence(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared,
            precision, static (logStudent, logTeacher) => (logTeacher.exp() - logStudent.exp()) * (logTeacher - logStudent));

    /// <summary>
    /// The skewed Jensen-Shannon divergence at one temperature, batchmean, scaled by T^2. Identical to
    /// <c>SkewedJensenShannon(studentLogits, teacherLogits, skew, temperature, temperature, KlReduction.BatchMean, true)</c>.
    /// </summary>
    public static Tensor SkewedJensenShannon(Tensor studentLogits, Tensor teacherLogits, double skew, double temperature) =>
        SkewedJensenShannon(studentLogits, teacherLogits, skew, temperature, temperature, KlReduction.BatchMean, scaleByTemperatureSquared: true);

    /// <summary>
    /// The skewed (generalised) Jensen-Shannon divergence of Agarwal et al., "On-Policy Distillation of Language Models: Learning from
    /// Self-Generated Mistakes" (GKD, ICLR 2024): <c>[T_t^2] * [beta KL(p_t || m) + (1 - beta) KL(p_s || m)]</c> with the mixture
    /// <c>m = beta p_t + (1 - beta) p_s</c>, beta = <paramref name="skew"/> in (0, 1), <c>p_s = softmax(z_s/T_s)</c>,
    /// <c>p_t = softmax(z_t/T_t)</c>, reduced by <paramref name="reduction"/>. At beta = 1/2 it is
    /// <see cref="JensenShannon(Tensor, Tensor, double, double, KlReduction, bool)"/>; as beta → 0 it tends to beta times the forward
    /// KL (<c>KL(p_t || p_s)</c>), as beta → 1 to (1 - beta) times the reverse KL; it is at most the binary entropy
    /// <c>-beta ln beta - (1 - beta) ln(1 - beta)</c> per sample (times the scale). DistiLLM's skew KL (Ko et al., ICML 2024) is the
    /// first part alone with the mixture skewed the other way; GKD's form is the one here.
    /// </summary>
    /// <remarks>
    /// <c>log m = logaddexp(log beta + log p_t, log(1 - beta) + log p_s)</c>, never the log of a sum of probabilities that may have
    /// underflowed, so logit gaps of 1e4 give a finite value and gradient. In the KL term's precision policy.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">beta not strictly between 0 and 1, a temperature that is not &gt; 0 and finite, or an unknown reduction.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor SkewedJensenShannon(
        Tensor studentLogits, Tensor teacherLogits, double skew, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared) =>
        SkewedJensenShannon(studentLogits, teacherLogits, skew, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared,
            KlPrecision.Automatic);

    /// <summary><see cref="SkewedJensenShannon(Tensor, Tensor, double, double, double, KlReduction, bool)"/> in a chosen precision.</summary>
    public static Tensor SkewedJensenShannon(
        Tensor studentLogits, Tensor teacherLogits, double skew, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared, KlPrecision precision)
    {
        if (!(skew > 0 && skew < 1))
            throw new ArgumentOutOfRangeException(nameof(skew), skew, "The skew must lie strictly between 0 and 1.");
        double logTeacherShare = Math.Log(skew), logStudentShare = Math.Log(1 - skew);
        return TemperedDivergence(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared,
            precision, (logStudent, logTeacher) =>
            {
                var logMixture = (logTeacher + logTeacherShare).logaddexp(logStudent + logStudentShare);
                return logTeacher.exp() * (logTeacher - logMixture) * skew + logStudent.exp() * (logStudent - logMixture) * (1 - skew);
            });
    }

    /// <summary>
    /// The total variation distance at one temperature, batchmean. Identical to
    /// <c>TotalVariation(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean)</c>.
    /// </summary>
    public static Tensor TotalVariation(Tensor studentLogits, Tensor teacherLogits, double temperature) =>
        TotalVariation(studentLogits, teacherLogits, temperature, temperature, KlReduction.BatchMean);

    /// <summary>
    /// The total variation distance <c>1/2 sum_k |p_t,k - p_s,k|</c> with <c>p_s = softmax(z_s/T_s)</c>, <c>p_t = softmax(z_t/T_t)</c>,
    /// reduced by <paramref name="reduction"/> (batchmean: summed and divided by N, so in [0, 1]; elementwise mean: divided by N*K).
    /// One of the divergences of Wen et al., "f-Divergence Minimization for Sequence-Level Knowledge Distillation" (ACL 2023) and
    /// of DistiLLM's code. There is no T^2 factor: the T^2 of the KL term compensates a gradient that shrinks as 1/T^2, while this
    /// one's shrinks as 1/T. The gradient of |x| at 0 is taken as 0. In the KL term's precision policy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not &gt; 0 and finite, or an unknown reduction.</exception>
    /// <exception cref="ArgumentException">Logits that are not 2-D or whose shapes differ.</exception>
    public static Tensor TotalVariation(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction) =>
        TotalVariation(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, KlPrecision.Automatic);

    /// <summary><see cref="TotalVariation(Tensor, Tensor, double, double, KlReduction)"/> in a chosen precision.</summary>
    public static Tensor TotalVariation(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        KlPrecision precision) =>
        TemperedDivergence(studentLogits, teacherLogits, teacherTemperature, studentTemperature, reduction, scaleByTemperatureSquared: false,
            precision, static (logStudent, logTeacher) => (logTeacher.exp() - logStudent.exp()).abs() * 0.5);

    /// <summary>
    /// Pearson's correlation between the rows of two [R, C] tensors, with the authors' 1e-8 in the denominator: [R]. The norms'
    /// squares are clamped at 1e-30 before the square root (whose derivative at 0 is infinite), so a row without variation has
    /// correlation 0 and a zero gradient; above that the clamp changes nothing the 1e-8 does not already dwarf.
    /// </summary>
    private static Tensor PearsonRows(Tensor a, Tensor b)
    {
        long columns = a.shape[1];
        var centredA = a - a.sum(1, keepdim: true) / columns;
        var centredB = b - b.sum(1, keepdim: true) / columns;
        var normA = (centredA * centredA).sum(1).clamp_min(1e-30).sqrt();
        var normB = (centredB * centredB).sum(1).clamp_min(1e-30).sqrt();
        return (centredA * centredB).sum(1) / (normA * normB + PearsonEpsilon);
    }

    private static Tensor TemperedLogSoftmax(Tensor logits, double temperature, bool float32)
    {
        var converted = float32 ? ToFloat32(logits) : ToFloat64(logits);
        return F.log_softmax(temperature == 1 ? converted : converted / temperature, 1);
    }

    private static bool UsesFloat32(KlPrecision precision, Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature) =>
        precision == KlPrecision.Float32 ||
        (precision == KlPrecision.Automatic && KlUsesFloat32(studentLogits, teacherLogits, teacherTemperature, studentTemperature));

    private static void CheckPrecision(KlPrecision precision)
    {
        if (precision is not (KlPrecision.Automatic or KlPrecision.Float32 or KlPrecision.Float64))
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown KL precision.");
    }

    private static void CheckComponentWeight(double weight, string name)
    {
        if (!(weight >= 0) || double.IsInfinity(weight))
            throw new ArgumentOutOfRangeException(name, weight, "The weight must be a finite number >= 0.");
    }

    /// <summary>
    /// Cross-entropy with a soft target, <c>mean_n H(rho_n, softmax(z_s/T_s)) = -(1/N) sum_n sum_k rho_nk log softmax(z_s/T_s)_nk</c>.
    /// This is the <c>H(rho, p_s)</c> term of Tang et al. (fed with a <see cref="TeacherDistributions"/> target) and of label
    /// smoothing; its gradient with respect to z_s is <c>(softmax(z_s/T_s) - rho) / (N T_s)</c>.
    /// </summary>
    /// <param name="studentLogits">z_s, [N, K].</param>
    /// <param name="targetProbabilities">rho, [N, K], each row a probability distribution (a constant).</param>
    /// <param name="studentTemperature">T_s &gt; 0 (default 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not &gt; 0 and finite.</exception>
    /// <exception cref="ArgumentException">Tensors that are not 2-D or whose shapes differ.</exception>
    public static Tensor SoftCrossEntropy(Tensor studentLogits, Tensor targetProbabilities, double studentTemperature = 1)
    {
        CheckTemperature(studentTemperature, nameof(studentTemperature));
        CheckLogits(studentLogits, nameof(studentLogits));
        CheckSameShape(studentLogits, nameof(studentLogits), targetProbabilities, nameof(targetProbabilities));

        var logStudent = F.log_softmax(ToFloat64(studentLogits) / studentTemperature, 1);
        var loss = -(ToFloat64(targetProbabilities) * logStudent).sum(1).mean();
        return loss.to_type(studentLogits.dtype);
    }

    /// <summary>
    /// Label smoothing (Szegedy et al.; Yuan et al. show it is KD with a uniform virtual teacher): <c>mean_n H(target_n, softmax(z_s))</c>
    /// with the target of <paramref name="form"/>: <see cref="LabelSmoothingForm.Uniform"/> <c>(1-e)*y + e/K</c> (the paper), or
    /// <see cref="LabelSmoothingForm.OffTrueClass"/> <c>1-e</c> on the true class and <c>e/(K-1)</c> elsewhere (the official Tf-KD code).
    /// With <c>e = 0</c> both equal <see cref="CrossEntropy"/>.
    /// </summary>
    /// <param name="studentLogits">z_s, [N, K], K &gt;= 2.</param>
    /// <param name="labels">True classes, int64 [N].</param>
    /// <param name="epsilon">Smoothing e in [0, 1].</param>
    /// <param name="form">Which smoothed target.</param>
    /// <exception cref="ArgumentOutOfRangeException">e outside [0, 1], or an unknown form.</exception>
    /// <exception cref="ArgumentException">Logits that are not [N, K] with K &gt;= 2, or labels that are not int64 [N].</exception>
    public static Tensor LabelSmoothing(Tensor studentLogits, Tensor labels, double epsilon, LabelSmoothingForm form)
    {
        if (!(epsilon >= 0 && epsilon <= 1))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The label-smoothing epsilon must lie in [0, 1].");
        int classes = CheckClassifierLogits(studentLogits, nameof(studentLogits));
        TeacherDistributions.CheckLabels(labels, studentLogits.shape[0], nameof(labels));

        (double onTrue, double offTrue) = form switch
        {
            LabelSmoothingForm.Uniform => (1 - epsilon + epsilon / classes, epsilon / classes),
            LabelSmoothingForm.OffTrueClass => (1 - epsilon, epsilon / (classes - 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(form), form,
                $"Unknown label-smoothing form {(int)form}; expected one of {string.Join(", ", Enum.GetNames<LabelSmoothingForm>())}."),
        };
        using var target = TeacherDistributions.TrueClassDistribution(labels, classes, onTrue, offTrue, ScalarType.Float64);
        return SoftCrossEntropy(studentLogits, target);
    }

    /// <summary>
    /// Tf-KD's regularisation term in the <b>paper</b> form (Yuan et al., CVPR 2020):
    /// <c>T^2 * (1/N) * sum_n KL(p_d,T || softmax(z_s/T))</c> (batchmean), where p_d is the hand-made virtual teacher
    /// (<see cref="TeacherDistributions.Virtual"/>: a on the true class, (1-a)/(K-1) elsewhere) and <c>p_d,T</c> is read as the virtual
    /// teacher softened like a teacher's softmax at temperature T, i.e. with <c>log p_d</c> as its logits:
    /// <c>p_d,T = softmax(log(p_d) / T)</c> (so <c>p_d,T(k)</c> is proportional to <c>p_d(k)^(1/T)</c>; a = 1 keeps it one-hot, and the
    /// term becomes <c>T^2 * mean_n -log softmax(z_s/T)_{n,c}</c>). The paper's <c>(1-alpha)*H(y,p_s)</c> part is not included: declare
    /// cross-entropy as its own weighted term.
    /// </summary>
    /// <param name="studentLogits">z_s, [N, K], K &gt;= 2.</param>
    /// <param name="labels">True classes, int64 [N].</param>
    /// <param name="targetProbability">a in [0, 1], the virtual teacher's probability of the true class (0.9 to 0.99 in the paper).</param>
    /// <param name="temperature">T &gt; 0 (20 to 40 in the paper), applied to the student and the virtual teacher alike.</param>
    /// <exception cref="ArgumentOutOfRangeException">a outside [0, 1] or T not &gt; 0 and finite.</exception>
    /// <exception cref="ArgumentException">Logits that are not [N, K] with K &gt;= 2, or labels that are not int64 [N].</exception>
    public static Tensor TfKdRegularizationPaper(Tensor studentLogits, Tensor labels, double targetProbability, double temperature)
    {
        CheckProbability(targetProbability, nameof(targetProbability));
        CheckTemperature(temperature, nameof(temperature));
        int classes = CheckClassifierLogits(studentLogits, nameof(studentLogits));
        TeacherDistributions.CheckLabels(labels, studentLogits.shape[0], nameof(labels));

        // softmax(log p_d / T) is again a "true class vs the rest" distribution: with r = (p_off / a)^(1/T),
        // q_true = 1 / (1 + (K-1) r) and q_off = r / (1 + (K-1) r). Computed in closed form so that a = 1 (log 0) and a = 0 are exact.
        double qTrue, qOff;
        if (targetProbability == 1) (qTrue, qOff) = (1, 0);
        else if (targetProbability == 0) (qTrue, qOff) = (0, 1.0 / (classes - 1));
        else
        {
            double off = (1 - targetProbability) / (classes - 1);
            double r = Math.Exp((Math.Log(off) - Math.Log(targetProbability)) / temperature);
            qTrue = 1 / (1 + (classes - 1) * r);
            qOff = r / (1 + (classes - 1) * r);
        }
        // KL(q || p) = sum q log q - sum q log p; the first sum is the same constant for every sample (0 log 0 = 0).
        double negativeEntropy = XLogX(qTrue) + (classes - 1) * XLogX(qOff);

        using var target = TeacherDistributions.TrueClassDistribution(labels, classes, qTrue, qOff, ScalarType.Float64);
        var logStudent = F.log_softmax(ToFloat64(studentLogits) / temperature, 1);
        var crossEntropy = -(target * logStudent).sum(1).mean();
        var loss = (crossEntropy + negativeEntropy) * (temperature * temperature);
        return loss.to_type(studentLogits.dtype);
    }

    /// <summary>
    /// Tf-KD's regularisation term as the <b>official code</b> computes it (<c>loss_kd_regularization</c>):
    /// <c>KL(softmax(p_d / T) || softmax(z_s))</c> with the elementwise-mean reduction (divided by N*K), no T^2 factor and the student
    /// at temperature 1. The virtual teacher's <em>probabilities</em> p_d (a on the true class, (1-a)/(K-1) elsewhere) are treated as
    /// logits, so for T of 20 to 40 the target is nearly uniform, i.e. close to label smoothing. The code's <c>(1-alpha)*CE</c> part and
    /// its optional <c>multiplier</c> are not included: declare cross-entropy as its own term and put the factors in the weights.
    /// </summary>
    /// <param name="studentLogits">z_s, [N, K], K &gt;= 2.</param>
    /// <param name="labels">True classes, int64 [N].</param>
    /// <param name="targetProbability">a in [0, 1] (the code uses 0.99).</param>
    /// <param name="temperature">T &gt; 0, dividing the virtual teacher's probabilities only.</param>
    /// <exception cref="ArgumentOutOfRangeException">a outside [0, 1] or T not &gt; 0 and finite.</exception>
    /// <exception cref="ArgumentException">Logits that are not [N, K] with K &gt;= 2, or labels that are not int64 [N].</exception>
    public static Tensor TfKdRegularizationOfficialCode(Tensor studentLogits, Tensor labels, double targetProbability, double temperature)
    {
        CheckProbability(targetProbability, nameof(targetProbability));
        CheckTemperature(temperature, nameof(temperature));
        int classes = CheckClassifierLogits(studentLogits, nameof(studentLogits));
        TeacherDistributions.CheckLabels(labels, studentLogits.shape[0], nameof(labels));

        using var virtualTeacher = TeacherDistributions.TrueClassDistribution(
            labels, classes, targetProbability, (1 - targetProbability) / (classes - 1), ScalarType.Float64);
        var logTarget = F.log_softmax(virtualTeacher / temperature, 1);
        var logStudent = F.log_softmax(ToFloat64(studentLogits), 1);
        var loss = Reduce(logTarget.exp() * (logTarget - logStudent), KlReduction.ElementwiseMean);
        return loss.to_type(studentLogits.dtype);
    }

    /// <summary>Mean squared error between logits, <c>mean_{n,k} (z_s - z_t)^2</c>.</summary>
    public static Tensor LogitMse(Tensor studentLogits, Tensor teacherLogits) => F.mse_loss(studentLogits, teacherLogits);

    /// <summary>
    /// A divergence between tempered softmax distributions, checked like the KL term and computed in its precision policy:
    /// <paramref name="pointwise"/> maps (log p_s, log p_t) [N, K] to the per-element terms, which are summed, divided by N (batchmean)
    /// or N*K (elementwise mean), scaled by T_t^2 if asked, and returned in the student logits' dtype.
    /// </summary>
    private static Tensor TemperedDivergence(
        Tensor studentLogits, Tensor teacherLogits, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared, KlPrecision precision, Func<Tensor, Tensor, Tensor> pointwise)
    {
        CheckTemperature(teacherTemperature, nameof(teacherTemperature));
        CheckTemperature(studentTemperature, nameof(studentTemperature));
        CheckReduction(reduction);
        if (precision is not (KlPrecision.Automatic or KlPrecision.Float32 or KlPrecision.Float64))
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown KL precision.");
        CheckLogits(studentLogits, nameof(studentLogits));
        CheckSameShape(studentLogits, nameof(studentLogits), teacherLogits, nameof(teacherLogits));

        double scale = scaleByTemperatureSquared ? teacherTemperature * teacherTemperature : 1;
        double divisor = reduction == KlReduction.BatchMean ? studentLogits.shape[0] : studentLogits.shape[0] * studentLogits.shape[1];
        bool float32 = precision == KlPrecision.Float32 ||
                       (precision == KlPrecision.Automatic && KlUsesFloat32(studentLogits, teacherLogits, teacherTemperature, studentTemperature));
        var student = float32 ? ToFloat32(studentLogits) : ToFloat64(studentLogits);
        var teacher = float32 ? ToFloat32(teacherLogits) : ToFloat64(teacherLogits);
        var logStudent = F.log_softmax(studentTemperature == 1 ? student : student / studentTemperature, 1);
        var logTeacher = F.log_softmax(teacherTemperature == 1 ? teacher : teacher / teacherTemperature, 1);
        var loss = pointwise(logStudent, logTeacher).sum() * (scale / divisor);
        return loss.dtype == studentLogits.dtype ? loss : loss.to_type(studentLogits.dtype);
    }

    private static Tensor ToFloat32(Tensor tensor) => tensor.dtype == ScalarType.Float32 ? tensor : tensor.to_type(ScalarType.Float32);

    private static Tensor ToFloat64(Tensor tensor) => tensor.dtype == ScalarType.Float64 ? tensor : tensor.to_type(ScalarType.Float64);

    private static Tensor Reduce(Tensor pointwise, KlReduction reduction) => reduction switch
    {
        KlReduction.BatchMean => pointwise.sum(1).mean(),
        KlReduction.ElementwiseMean => pointwise.mean(),
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown KL reduction."),
    };

    private static double XLogX(double x) => x > 0 ? x * Math.Log(x) : 0;

    private static void CheckReduction(KlReduction reduction)
    {
        if (reduction is not (KlReduction.BatchMean or KlReduction.ElementwiseMean))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction,
                $"Unknown KL reduction {(int)reduction}; expected one of {string.Join(", ", Enum.GetNames<KlReduction>())}.");
    }

    private static void CheckTemperature(double temperature, string name)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(name, temperature, "The temperature must be > 0 and finite.");
    }

    private static void CheckProbability(double probability, string name)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(name, probability, "The target probability must lie in [0, 1].");
    }

    private static void CheckLogits(Tensor logits, string name)
    {
        ArgumentNullException.ThrowIfNull(logits, name);
        if (logits.dim() != 2)
            throw new ArgumentException($"Expected a 2-D tensor [samples, classes], got shape [{string.Join(", ", logits.shape)}].", name);
    }

    private static int CheckClassifierLogits(Tensor logits, string name)
    {
        CheckLogits(logits, name);
        if (logits.shape[1] < 2)
            throw new ArgumentException($"At least 2 classes are needed, got shape [{string.Join(", ", logits.shape)}].", name);
        return checked((int)logits.shape[1]);
    }

    private static void CheckSameShape(Tensor first, string firstName, Tensor second, string secondName)
    {
        ArgumentNullException.ThrowIfNull(second, secondName);
        if (!first.shape.AsSpan().SequenceEqual(second.shape))
            throw new ArgumentException(
                $"{secondName} has shape [{string.Join(", ", second.shape)}] but {firstName} has [{string.Join(", ", first.shape)}]; they must match.",
                secondName);
    }
}
