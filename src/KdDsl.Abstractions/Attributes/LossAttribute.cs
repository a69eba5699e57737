using System;
using KdDsl.Losses;

namespace KdDsl;

/// <summary>
/// One weighted term of the distillation loss. The student minimises <c>sum_i Weight_i * term_i</c> over all declared terms.
/// Each kind may appear once.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LossAttribute : Attribute
{
    /// <summary>Declares a loss term of the given kind.</summary>
    public LossAttribute(LossKind kind) => Kind = kind;

    /// <summary>Which loss this term computes.</summary>
    public LossKind Kind { get; }

    /// <summary>Weight of this term in the total loss; must be &gt;= 0, and not all weights may be 0. Default 1.</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>The <c>[Stage]</c> this term belongs to; 0 (the default) puts it in every stage (or there are no stages).</summary>
    public int Stage { get; set; }

    /// <summary>
    /// With several teachers: the <see cref="TeacherAttribute.Name"/> of the one this term reads. Unset, a term that reads teacher
    /// logits reads the ensemble: the weighted mean of the teachers' distributions at the term's temperature
    /// (<see cref="TeacherEnsembleAttribute"/>).
    /// </summary>
    public string? Teacher { get; set; }

    /// <summary>
    /// Softmax temperature T applied to the teacher's logits (must be &gt; 0; default 1): for <see cref="LossKind.KlDivergence"/>
    /// <c>softmax(z_t/T)</c>, scaled by T^2 unless <see cref="ScaleByTemperatureSquared"/> is false; for <see cref="LossKind.KdPt"/>,
    /// <see cref="LossKind.KdTopK"/> and <see cref="LossKind.KdPtSim"/> the teacher probabilities; for
    /// <see cref="LossKind.TfKdRegularization"/> the virtual teacher's temperature (20 to 40 in the paper).
    /// </summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>
    /// Temperature of the student's softmax, when it should differ from the teacher's (Sultan et al. compare 1 with the teacher's T).
    /// Default: equal to <see cref="Temperature"/> for the divergences (<see cref="LossKind.KlDivergence"/>, <see cref="LossKind.ReverseKl"/>,
    /// <see cref="LossKind.JensenShannon"/>), 1 for the soft-target kinds.
    /// </summary>
    public double StudentTemperature { get; set; } = 1.0;

    /// <summary>How <see cref="LossKind.KlDivergence"/> averages: per sample (batchmean, default) or over every element (Tf-KD's code).</summary>
    public KlReduction Reduction { get; set; } = KlReduction.BatchMean;

    /// <summary>Multiply <see cref="LossKind.KlDivergence"/> by T^2 (default true, as Hinton et al.).</summary>
    public bool ScaleByTemperatureSquared { get; set; } = true;

    /// <summary>Smoothing mass e of <see cref="LossKind.LabelSmoothing"/>, in (0, 1). Default 0.1.</summary>
    public double Epsilon { get; set; } = 0.1;

    /// <summary>How <see cref="LossKind.LabelSmoothing"/> spreads e: over all K classes (default) or over the K-1 wrong ones (Tf-KD's code).</summary>
    public LabelSmoothingForm SmoothingForm { get; set; } = LabelSmoothingForm.Uniform;

    /// <summary>Probability a of the true class in <see cref="LossKind.TfKdRegularization"/>'s hand-made teacher, in (0, 1]. Default 0.9.</summary>
    public double TargetProbability { get; set; } = 0.9;

    /// <summary>Which Tf-KD regularisation: the paper's formula (default) or the official code's.</summary>
    public TfKdForm TfKdForm { get; set; } = TfKdForm.Paper;

    /// <summary>How many of the teacher's classes <see cref="LossKind.KdTopK"/> keeps, &gt;= 1 (and at most the class count). Default 1.</summary>
    public int TopK { get; set; } = 1;

    /// <summary>What <see cref="LossKind.KdTopK"/> does with the other classes' mass. Default: spread it uniformly over them.</summary>
    public TopKForm TopKForm { get; set; } = TopKForm.SpreadRemainder;

    /// <summary>Temperature alpha of <see cref="LossKind.KdSim"/>'s class-similarity softmax, &gt; 0. Default 1.</summary>
    public double SimilarityTemperature { get; set; } = 1.0;

    // The logit-family methods (DKD, DIST, logit standardisation, the skewed Jensen-Shannon divergence).

    /// <summary>
    /// Weight alpha of <see cref="LossKind.DecoupledKd"/>'s target-class part (TCKD), &gt;= 0. Default 1 (Zhao et al., CVPR 2022).
    /// </summary>
    public double TargetClassWeight { get; set; } = 1.0;

    /// <summary>
    /// Weight beta of <see cref="LossKind.DecoupledKd"/>'s non-target-class part (NCKD), &gt;= 0. Default 8, the authors' CIFAR-100
    /// setting (they use 0.5 on ImageNet).
    /// </summary>
    public double NonTargetClassWeight { get; set; } = 8.0;

    /// <summary>Weight beta of <see cref="LossKind.Dist"/>'s inter-class relation (per sample, over classes), &gt;= 0. Default 1.</summary>
    public double InterClassWeight { get; set; } = 1.0;

    /// <summary>Weight gamma of <see cref="LossKind.Dist"/>'s intra-class relation (per class, over the batch), &gt;= 0. Default 1.</summary>
    public double IntraClassWeight { get; set; } = 1.0;

    /// <summary>
    /// Mixing weight beta of <see cref="LossKind.SkewedJensenShannon"/>, strictly between 0 and 1: the mixture is
    /// <c>m = beta p_t + (1 - beta) p_s</c>. Near 0 the divergence behaves like beta times the forward KL, near 1 like (1 - beta)
    /// times the reverse KL; 0.5 is <see cref="LossKind.JensenShannon"/>. Default 0.1.
    /// </summary>
    public double Skew { get; set; } = 0.1;

    /// <summary>
    /// Z-score the student's and the teacher's logits per sample (subtract the mean over classes, divide by the standard deviation)
    /// before the temperature softmax (Sun et al., "Logit Standardization in Knowledge Distillation", CVPR 2024). Accepted by the
    /// KL-family kinds and <see cref="LossKind.DecoupledKd"/>. Default false.
    /// </summary>
    public bool StandardizeLogits { get; set; }
}

/// <summary>The loss terms a distillation experiment can combine.</summary>
public enum LossKind
{
    /// <summary>Cross-entropy with the true labels: <c>H(y, p_s) = -log softmax(z_s)_c</c>, averaged over the batch.</summary>
    CrossEntropy = 0,

    /// <summary>
    /// Hinton's KD term: <c>T^2 * KL(softmax(z_t/T) || softmax(z_s/T))</c>, summed over classes and averaged over the batch (batchmean).
    /// </summary>
    KlDivergence = 1,

    /// <summary>Mean squared error between student and teacher logits, averaged over batch and classes.</summary>
    LogitMse = 2,

    /// <summary>Cross-entropy with smoothed labels <c>(1-e)*y + e*u</c> (Szegedy et al.); needs no teacher. See <see cref="LossAttribute.Epsilon"/>.</summary>
    LabelSmoothing = 3,

    /// <summary>
    /// Teacher-free KD's regulariser (Yuan et al., CVPR 2020): KL from a hand-made "virtual teacher" that puts
    /// <see cref="LossAttribute.TargetProbability"/> on the true class and spreads the rest; needs no teacher model.
    /// </summary>
    TfKdRegularization = 4,

    /// <summary>Partial KD, instance part only (Tang et al.): <c>H(rho, p_s)</c> with rho_c = p_t,c and the rest spread uniformly.</summary>
    KdPt = 5,

    /// <summary>Partial KD, domain part only (Tang et al.): <c>H(softmax(W_c . W^T / alpha), p_s)</c> from the teacher's logit-layer weights W.</summary>
    KdSim = 6,

    /// <summary>
    /// Partial KD, instance and domain parts together: the target is the average of the <see cref="KdPt"/> and <see cref="KdSim"/>
    /// targets. The paper names the two effects but gives no formula for combining them; the average is this library's choice.
    /// </summary>
    KdPtSim = 7,

    /// <summary>KD on the teacher's top-k probabilities only (Tang et al.); see <see cref="LossAttribute.TopK"/> and <see cref="LossAttribute.TopKForm"/>.</summary>
    KdTopK = 8,

    /// <summary>
    /// The reverse KL, <c>T^2 * KL(softmax(z_s/T_s) || softmax(z_t/T))</c> (batchmean): mode-seeking, the student's distribution weighs
    /// the log-ratio (Gu et al., MiniLLM, 2024; Agarwal et al., GKD, 2024). The same options as <see cref="KlDivergence"/>.
    /// </summary>
    ReverseKl = 9,

    /// <summary>
    /// The Jensen-Shannon divergence, <c>T^2 * JS(softmax(z_s/T_s), softmax(z_t/T))</c> with the mixture <c>m = (p_s + p_t)/2</c>
    /// (batchmean): symmetric and bounded by <c>ln 2</c> (Lin, 1991; GKD's generalised JSD at beta = 1/2). The same options as
    /// <see cref="KlDivergence"/>.
    /// </summary>
    JensenShannon = 10,

    /// <summary>
    /// Decoupled KD (Zhao, Cui, Song, Qiu, Liang, "Decoupled Knowledge Distillation", CVPR 2022):
    /// <c>alpha * TCKD + beta * NCKD</c>, both at temperature T, scaled by T^2 and averaged over the batch, as the authors' code
    /// (mdistiller). With <c>b = [p_y, 1 - p_y]</c> the binary distribution of the true class y,
    /// <c>TCKD = KL(b_t || b_s)</c>; with <c>p^</c> the distribution over the K - 1 non-target classes renormalised,
    /// <c>NCKD = KL(p^_t || p^_s)</c>. The paper's decomposition: <c>KL(p_t || p_s) = TCKD + (1 - p_t,y) NCKD</c>.
    /// Options: <see cref="LossAttribute.Temperature"/>, <see cref="LossAttribute.TargetClassWeight"/> (alpha, 1),
    /// <see cref="LossAttribute.NonTargetClassWeight"/> (beta, 8), <see cref="LossAttribute.StandardizeLogits"/>.
    /// </summary>
    DecoupledKd = 11,

    /// <summary>
    /// DIST (Huang, You, Wang, Qian, Xu, "Knowledge Distillation from A Stronger Teacher", NeurIPS 2022):
    /// <c>T^2 * (beta * inter + gamma * intra)</c> with <c>p = softmax(z/T)</c>, <c>inter = 1 - mean_n pearson(p_s[n,:], p_t[n,:])</c>
    /// (the relation between classes within each sample) and <c>intra = 1 - mean_k pearson(p_s[:,k], p_t[:,k])</c> (the relation
    /// between the batch's samples within each class). Options: <see cref="LossAttribute.Temperature"/>,
    /// <see cref="LossAttribute.InterClassWeight"/> (beta, 1), <see cref="LossAttribute.IntraClassWeight"/> (gamma, 1).
    /// </summary>
    Dist = 12,

    /// <summary>
    /// The symmetric KL (Jeffreys divergence), <c>T^2 * [KL(p_t || p_s) + KL(p_s || p_t)]</c> (batchmean): the sum of
    /// <see cref="KlDivergence"/> and <see cref="ReverseKl"/> with the same options (their mean is <c>Weight = 0.5</c>).
    /// </summary>
    SymmetricKl = 13,

    /// <summary>
    /// The skewed (generalised) Jensen-Shannon divergence of Agarwal et al. (GKD, ICLR 2024):
    /// <c>T^2 * [beta KL(p_t || m) + (1 - beta) KL(p_s || m)]</c> with <c>m = beta p_t + (1 - beta) p_s</c> and beta =
    /// <see cref="LossAttribute.Skew"/> (0.1) in (0, 1); at 0.5 it is <see cref="JensenShannon"/>. The same options as
    /// <see cref="KlDivergence"/> besides.
    /// </summary>
    SkewedJensenShannon = 14,

    /// <summary>
    /// The total variation distance, <c>(1/N) sum_n 1/2 sum_k |p_t - p_s|</c> with tempered softmaxes (in [0, 1] per sample; one of
    /// the divergences of Wen et al., f-DISTILL, ACL 2023, and of DistiLLM). Not scaled by T^2 (its gradient shrinks as 1/T, not
    /// 1/T^2). Options: <see cref="LossAttribute.Temperature"/>, <see cref="LossAttribute.StudentTemperature"/>,
    /// <see cref="LossAttribute.Reduction"/>, <see cref="LossAttribute.StandardizeLogits"/>.
    /// </summary>
    TotalVariation = 15,
}

/// <summary>The two published forms of Tf-KD's regulariser.</summary>
public enum TfKdForm
{
    /// <summary>The paper: <c>T^2 * KL(p_d,T || p_s,T)</c> with <c>p_d,T = softmax(log(p_d)/T)</c>, batchmean.</summary>
    Paper = 0,

    /// <summary>The official code: <c>KL(softmax(p_d/T) || softmax(z_s))</c> (probabilities treated as logits), no T^2, mean over all elements.</summary>
    OfficialCode = 1,
}
