using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

// The logit-family loss options (KD0047-KD0051): DKD's and DIST's part weights, the skewed Jensen-Shannon divergence's mixing
// weight, logit standardisation with a calibrated teacher, and DIST's intra-class relation over batches of one sample.
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor PartWeightOutOfRange = Error(
        "KD0047", "Weight of a loss term's part is out of range",
        "{0} of the {1} term is {2}; it must be a finite number >= 0");

    public static readonly DiagnosticDescriptor AllPartWeightsZero = Error(
        "KD0048", "Every part of a loss term has weight 0",
        "{0} and {1} of the {2} term are both 0, so the term is 0 whatever the models do; give one of them a positive weight (or remove it to use its default)");

    public static readonly DiagnosticDescriptor SkewOutOfRange = Error(
        "KD0049", "Skew is out of range",
        "Skew of the {0} term is {1}; it must lie strictly between 0 and 1 (at 0 and 1 the skewed divergence is 0 for any student; for the forward KL declare KlDivergence, for the reverse KL ReverseKl)");

    public static readonly DiagnosticDescriptor StandardizationCancelsCalibration = Warning(
        "KD0050", "Logit standardization undoes the teacher's calibration",
        "StandardizeLogits on the {0} term z-scores the teacher's logits, which cancels the temperature [CalibratedTeacher] divides them by, so this term sees the uncalibrated teacher; remove StandardizeLogits or [CalibratedTeacher]");

    public static readonly DiagnosticDescriptor IntraClassRelationNeedsBatches = Warning(
        "KD0051", "DIST's intra-class relation needs batches of two or more",
        "Train.BatchSize is 1, so each class's probabilities in the Dist term's batch are one number, whose correlation with the teacher's is undefined: the intra-class relation (IntraClassWeight = {0}) becomes a constant with no gradient; use batches of 2 or more, or set IntraClassWeight = 0");
}
