using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Generators.Emitting;
using KdDsl.Generators.Model;
using KdDsl.Losses;
using static KdDsl.Generators.Emitting.SourceWriter;

namespace KdDsl.Generators.Catalog;

/// <summary>What a loss term reads besides the student's logits and the labels.</summary>
[Flags]
internal enum TeacherInput
{
    /// <summary>Nothing of a teacher (label smoothing, Tf-KD's regulariser).</summary>
    None = 0,

    /// <summary>The teacher's logits of the batch.</summary>
    Logits = 1,

    /// <summary>The weights of the teacher's logit layer (its last Linear).</summary>
    LogitLayer = 2,

    /// <summary>
    /// Instead of the dense <see cref="Logits"/>, the top-k teacher store can serve the term (<c>CacheOutputs = SparseTopK</c>): it has a
    /// sparse form (<see cref="LossKindEntry.SparseCall"/>) that reads each sample's top-k logits and normalisers only.
    /// </summary>
    TopKLogits = 4,
}

/// <summary>
/// One loss kind: the <c>[Loss]</c> options it accepts (besides <c>Weight</c>), what it reads of the teacher, which sweep axes may
/// act on it, and the C# expression that computes it from the step's locals <c>studentLogits</c>, <c>teacherLogits</c>,
/// <c>labels</c> and <c>teacherLogitWeights</c>.
/// </summary>
internal sealed class LossKindEntry
{
    public LossKindEntry(LossKind kind, IReadOnlyList<string> options, TeacherInput reads, Func<LossTermSpec, string> call,
        IReadOnlyList<SweepKnob>? sweepAxes = null, bool studentTemperatureFollowsTeacher = false,
        Func<LossTermSpec, string, string, string>? sweptCall = null, Func<LossTermSpec, SparseRemainder, string>? sparseCall = null)
    {
        SparseCall = sparseCall;
        if (sparseCall is not null) reads |= TeacherInput.TopKLogits;
        Kind = kind;
        Options = options;
        Reads = reads;
        Call = call;
        SweepAxes = sweepAxes ?? Array.Empty<SweepKnob>();
        StudentTemperatureFollowsTeacher = studentTemperatureFollowsTeacher;
        SweptCall = sweptCall;
    }

    /// <summary>
    /// For a kind a Temperature axis acts on (other than KlDivergence, whose swept call the sweep emitter writes): the call with
    /// the teacher's and the student's temperatures given as C# expressions (e.g. <c>trial.Temperature</c>).
    /// </summary>
    public Func<LossTermSpec, string, string, string>? SweptCall { get; }

    public LossKind Kind { get; }

    /// <summary>The options of <c>[Loss]</c> this kind reads (any other is KD0010).</summary>
    public IReadOnlyList<string> Options { get; }

    public TeacherInput Reads { get; }

    /// <summary>The sweep axes that may change what this term computes (Alpha acts on any term that reads the teacher).</summary>
    public IReadOnlyList<SweepKnob> SweepAxes { get; }

    /// <summary>Whether <c>StudentTemperature</c> defaults to the declared <c>Temperature</c> (else to the attribute's default).</summary>
    public bool StudentTemperatureFollowsTeacher { get; }

    /// <summary>The expression computing the term.</summary>
    public Func<LossTermSpec, string> Call { get; }

    /// <summary>
    /// The expression computing the term from the top-k teacher store (the step's local <c>teacherTopK</c>) with the declared
    /// remainder; null when the term needs the teacher's dense logits (then <see cref="Reads"/> lacks <see cref="TeacherInput.TopKLogits"/>).
    /// </summary>
    public Func<LossTermSpec, SparseRemainder, string>? SparseCall { get; }
}

/// <summary>
/// The catalog of loss kinds: one entry per <c>LossKind</c>. The parser's option check (KD0010) and the teacher checks
/// (KD0002, KD0017, KD0019), the sweep parser's axis checks (KD0035) and the emitted term all read it, so adding a loss kind is
/// one entry here, one <c>LossKind</c> member, one runtime function with its reference test, and its docs row. The top-k teacher
/// store's check (KD0059) reads it too: a kind that reads the teacher's logits is served by the store only with a sparse form
/// (<see cref="TeacherInput.TopKLogits"/>).
/// </summary>
internal static class LossCatalog
{
    private const string Losses = "global::KdDsl.Losses.DistillationLosses";
    private const string Distributions = "global::KdDsl.Losses.TeacherDistributions";

    private static readonly string[] Divergence =
    {
        nameof(LossAttribute.Temperature), nameof(LossAttribute.StudentTemperature), nameof(LossAttribute.Reduction),
        nameof(LossAttribute.ScaleByTemperatureSquared),
    };

    /// <summary>The divergences' options and logit standardisation (Sun et al., CVPR 2024), which the KL family accepts.</summary>
    private static readonly string[] StandardizedDivergence = Divergence.Concat(new[] { nameof(LossAttribute.StandardizeLogits) }).ToArray();

    /// <summary>The axes that act on a divergence with a teacher and a student temperature (declared before the entries that use them).</summary>
    private static readonly SweepKnob[] TemperatureAxes = { SweepKnob.Temperature, SweepKnob.StudentTemperature };

    /// <summary>Every option of <c>[Loss]</c> besides <c>Weight</c>, in the order they are checked and reported.</summary>
    public static IReadOnlyList<string> Options { get; } = new[]
    {
        nameof(LossAttribute.Temperature), nameof(LossAttribute.StudentTemperature), nameof(LossAttribute.Reduction),
        nameof(LossAttribute.ScaleByTemperatureSquared), nameof(LossAttribute.Epsilon), nameof(LossAttribute.SmoothingForm),
        nameof(LossAttribute.TargetProbability), nameof(LossAttribute.TfKdForm), nameof(LossAttribute.TopK), nameof(LossAttribute.TopKForm),
        nameof(LossAttribute.SimilarityTemperature),
        // The logit-family methods.
        nameof(LossAttribute.TargetClassWeight), nameof(LossAttribute.NonTargetClassWeight), nameof(LossAttribute.InterClassWeight),
        nameof(LossAttribute.IntraClassWeight), nameof(LossAttribute.Skew), nameof(LossAttribute.StandardizeLogits),
    };

    /// <summary>The user-declarable kinds, in <c>LossKind</c> order.</summary>
    public static IReadOnlyList<LossKindEntry> Entries { get; } = new[]
    {
        new LossKindEntry(LossKind.CrossEntropy, Array.Empty<string>(), TeacherInput.None,
            _ => $"{Losses}.CrossEntropy(studentLogits, labels)"),
        new LossKindEntry(LossKind.KlDivergence, StandardizedDivergence, TeacherInput.Logits, l => TemperedDivergence(nameof(LossKind.KlDivergence), l),
            new[] { SweepKnob.Distance, SweepKnob.Temperature, SweepKnob.StudentTemperature }, studentTemperatureFollowsTeacher: true,
            sparseCall: SparseKlDivergence),
        new LossKindEntry(LossKind.LogitMse, Array.Empty<string>(), TeacherInput.Logits,
            _ => $"{Losses}.LogitMse(studentLogits, teacherLogits)", new[] { SweepKnob.Distance }),
        new LossKindEntry(LossKind.LabelSmoothing, new[] { nameof(LossAttribute.Epsilon), nameof(LossAttribute.SmoothingForm) }, TeacherInput.None,
            l => $"{Losses}.LabelSmoothing(studentLogits, labels, {Double(l.Epsilon)}, global::KdDsl.Losses.LabelSmoothingForm.{l.SmoothingForm})"),
        new LossKindEntry(LossKind.TfKdRegularization,
            new[] { nameof(LossAttribute.Temperature), nameof(LossAttribute.TargetProbability), nameof(LossAttribute.TfKdForm) }, TeacherInput.None,
            l => $"{Losses}.TfKdRegularization{l.TfKdForm}(studentLogits, labels, {Double(l.TargetProbability)}, {Double(l.Temperature)})"),
        new LossKindEntry(LossKind.KdPt, new[] { nameof(LossAttribute.Temperature), nameof(LossAttribute.StudentTemperature) }, TeacherInput.Logits,
            l => SoftTarget(l, $"{Distributions}.Instance({TeacherProbabilities(l)}, labels)")),
        new LossKindEntry(LossKind.KdSim, new[] { nameof(LossAttribute.StudentTemperature), nameof(LossAttribute.SimilarityTemperature) },
            TeacherInput.LogitLayer,
            l => SoftTarget(l, $"{Distributions}.ClassSimilarity(teacherLogitWeights, labels, {Double(l.SimilarityTemperature)})")),
        new LossKindEntry(LossKind.KdPtSim,
            new[] { nameof(LossAttribute.Temperature), nameof(LossAttribute.StudentTemperature), nameof(LossAttribute.SimilarityTemperature) },
            TeacherInput.Logits | TeacherInput.LogitLayer,
            l => SoftTarget(l, $"{Distributions}.InstanceAndSimilarity({TeacherProbabilities(l)}, teacherLogitWeights, labels, " +
                               $"{Double(l.SimilarityTemperature)})")),
        new LossKindEntry(LossKind.KdTopK,
            new[] { nameof(LossAttribute.Temperature), nameof(LossAttribute.StudentTemperature), nameof(LossAttribute.TopK), nameof(LossAttribute.TopKForm) },
            TeacherInput.Logits,
            l => SoftTarget(l, $"{Distributions}.TopK({TeacherProbabilities(l)}, {Int(l.TopK)}, global::KdDsl.Losses.TopKForm.{l.TopKForm})")),
        new LossKindEntry(LossKind.ReverseKl, StandardizedDivergence, TeacherInput.Logits, l => TemperedDivergence(nameof(LossKind.ReverseKl), l),
            studentTemperatureFollowsTeacher: true),
        new LossKindEntry(LossKind.JensenShannon, StandardizedDivergence, TeacherInput.Logits, l => TemperedDivergence(nameof(LossKind.JensenShannon), l),
            studentTemperatureFollowsTeacher: true),
        // The logit-family methods (DKD, DIST, the rest of the divergence family).
        new LossKindEntry(LossKind.DecoupledKd,
            new[] { nameof(LossAttribute.Temperature), nameof(LossAttribute.TargetClassWeight), nameof(LossAttribute.NonTargetClassWeight),
                nameof(LossAttribute.StandardizeLogits) }, TeacherInput.Logits,
            l => DecoupledKd(l, Double(l.Temperature)), new[] { SweepKnob.Temperature },
            sweptCall: (l, teacherTemperature, _) => DecoupledKd(l, teacherTemperature)),
        new LossKindEntry(LossKind.Dist,
            new[] { nameof(LossAttribute.Temperature), nameof(LossAttribute.InterClassWeight), nameof(LossAttribute.IntraClassWeight) }, TeacherInput.Logits,
            l => Dist(l, Double(l.Temperature)), new[] { SweepKnob.Temperature },
            sweptCall: (l, teacherTemperature, _) => Dist(l, teacherTemperature)),
        new LossKindEntry(LossKind.SymmetricKl, StandardizedDivergence, TeacherInput.Logits, l => TemperedDivergence(nameof(LossKind.SymmetricKl), l),
            TemperatureAxes, studentTemperatureFollowsTeacher: true,
            sweptCall: (l, teacher, student) => $"{Losses}.SymmetricKl({Logits(l)}, {teacher}, {student}, {Reduction(l)}, {Bool(l.ScaleByTemperatureSquared)})"),
        new LossKindEntry(LossKind.SkewedJensenShannon, StandardizedDivergence.Concat(new[] { nameof(LossAttribute.Skew) }).ToArray(), TeacherInput.Logits,
            l => l.StudentTemperature == l.Temperature && l.Reduction == KlReduction.BatchMean && l.ScaleByTemperatureSquared
                ? $"{Losses}.SkewedJensenShannon({Logits(l)}, {Double(l.Skew)}, {Double(l.Temperature)})"
                : SkewedJensenShannon(l, Double(l.Temperature), Double(l.StudentTemperature)),
            TemperatureAxes, studentTemperatureFollowsTeacher: true, sweptCall: SkewedJensenShannon),
        new LossKindEntry(LossKind.TotalVariation,
            new[] { nameof(LossAttribute.Temperature), nameof(LossAttribute.StudentTemperature), nameof(LossAttribute.Reduction),
                nameof(LossAttribute.StandardizeLogits) }, TeacherInput.Logits,
            l => l.StudentTemperature == l.Temperature && l.Reduction == KlReduction.BatchMean
                ? $"{Losses}.TotalVariation({Logits(l)}, {Double(l.Temperature)})"
                : TotalVariation(l, Double(l.Temperature), Double(l.StudentTemperature)),
            TemperatureAxes, studentTemperatureFollowsTeacher: true, sweptCall: TotalVariation),
    };

    /// <summary>
    /// The term <c>[MatchLayers]</c> adds (kind <see cref="LossTermSpec.HiddenStates"/>, not declarable with <c>[Loss]</c>): it
    /// runs the teacher every step, block by block, for the states the layer map reads.
    /// </summary>
    public static LossKindEntry HiddenStates { get; } = new(LossTermSpec.HiddenStates, Array.Empty<string>(), TeacherInput.Logits,
        _ => MatchingEmitter.Loss);

    private static readonly Dictionary<LossKind, LossKindEntry> ByKind = Entries.Concat(new[] { HiddenStates }).ToDictionary(e => e.Kind);

    /// <summary>The entry of <paramref name="kind"/> (null: not a kind of the catalog).</summary>
    public static LossKindEntry? Find(LossKind kind) => ByKind.TryGetValue(kind, out var entry) ? entry : null;

    /// <summary>The entry of <paramref name="kind"/>, which must be in the catalog.</summary>
    public static LossKindEntry Of(LossKind kind) => ByKind[kind];

    /// <summary>The kinds that accept <paramref name="option"/>, in catalog order.</summary>
    public static IEnumerable<LossKind> Accepting(string option) => Entries.Where(e => e.Options.Contains(option)).Select(e => e.Kind);

    /// <summary>The kinds a sweep axis may act on, in catalog order.</summary>
    public static IEnumerable<LossKind> ActedOnBy(SweepKnob axis) => Entries.Where(e => e.SweepAxes.Contains(axis)).Select(e => e.Kind);

    /// <summary>A divergence between tempered distributions; the short overload when every option has its default.</summary>
    private static string TemperedDivergence(string function, LossTermSpec l) =>
        l.StudentTemperature == l.Temperature && l.Reduction == KlReduction.BatchMean && l.ScaleByTemperatureSquared
            ? $"{Losses}.{function}({Logits(l)}, {Double(l.Temperature)})"
            : $"{Losses}.{function}({Logits(l)}, {Double(l.Temperature)}, {Double(l.StudentTemperature)}, " +
              $"global::KdDsl.Losses.KlReduction.{l.Reduction}, {Bool(l.ScaleByTemperatureSquared)})";

    private static string Reduction(LossTermSpec l) => $"global::KdDsl.Losses.KlReduction.{l.Reduction}";

    private static string DecoupledKd(LossTermSpec l, string temperature) =>
        $"{Losses}.DecoupledKd({Logits(l)}, labels, {temperature}, {Double(l.TargetClassWeight)}, {Double(l.NonTargetClassWeight)})";

    private static string Dist(LossTermSpec l, string temperature) =>
        $"{Losses}.Dist(studentLogits, teacherLogits, {temperature}, {Double(l.InterClassWeight)}, {Double(l.IntraClassWeight)})";

    private static string SkewedJensenShannon(LossTermSpec l, string teacher, string student) =>
        $"{Losses}.SkewedJensenShannon({Logits(l)}, {Double(l.Skew)}, {teacher}, {student}, {Reduction(l)}, {Bool(l.ScaleByTemperatureSquared)})";

    private static string TotalVariation(LossTermSpec l, string teacher, string student) =>
        $"{Losses}.TotalVariation({Logits(l)}, {teacher}, {student}, {Reduction(l)})";

    /// <summary>The student's and the teacher's logits as a term reads them: z-scored per sample with <c>StandardizeLogits</c>.</summary>
    public static string Logits(LossTermSpec l) => l.StandardizeLogits
        ? $"{Losses}.StandardizeLogits(studentLogits), {Losses}.StandardizeLogits(teacherLogits)"
        : "studentLogits, teacherLogits";

    // The top-k teacher store (issue #18): the sparse form of the KL term, reading the step's SparseTeacherLogits.
    private static string SparseKlDivergence(LossTermSpec l, SparseRemainder remainder) =>
        l.StudentTemperature == l.Temperature && l.Reduction == KlReduction.BatchMean && l.ScaleByTemperatureSquared
            ? $"global::KdDsl.Losses.SparseDistillationLosses.KlDivergence(studentLogits, teacherTopK, {Double(l.Temperature)}, " +
              $"global::KdDsl.SparseRemainder.{remainder})"
            : $"global::KdDsl.Losses.SparseDistillationLosses.KlDivergence(studentLogits, teacherTopK, {Double(l.Temperature)}, " +
              $"{Double(l.StudentTemperature)}, global::KdDsl.Losses.KlReduction.{l.Reduction}, {Bool(l.ScaleByTemperatureSquared)}, " +
              $"global::KdDsl.SparseRemainder.{remainder})";

    private static string TeacherProbabilities(LossTermSpec l) => l.Temperature == 1
        ? "global::TorchSharp.torch.nn.functional.softmax(teacherLogits, 1)"
        : $"global::TorchSharp.torch.nn.functional.softmax(teacherLogits / {Double(l.Temperature)}, 1)";

    private static string SoftTarget(LossTermSpec l, string rho) => l.StudentTemperature == 1
        ? $"{Losses}.SoftCrossEntropy(studentLogits, {rho})"
        : $"{Losses}.SoftCrossEntropy(studentLogits, {rho}, {Double(l.StudentTemperature)})";
}
