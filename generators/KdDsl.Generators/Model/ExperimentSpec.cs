namespace KdDsl.Generators.Model;

// Everything the emitter needs, as value-equal records: no symbols, syntax nodes or compilations, so an edit that does not
// change the experiment leaves the model equal and the generated output cached.

/// <summary>A valid experiment, ready to emit.</summary>
internal sealed record ExperimentSpec(
    string? Namespace,
    string ClassName,
    bool IsStatic,
    TeacherSpec? Teacher,
    ModelSpec Student,
    EquatableArray<LossTermSpec> Losses,
    TrainSpec Train,
    DatasetSpec? Dataset,
    CalibrationSpec? Calibration,
    MatchingSpec? Matching = null)
{
    /// <summary>Hint name of the generated file.</summary>
    public string HintName => (Namespace is null ? ClassName : Namespace + "." + ClassName) + ".g.cs";

    /// <summary>The configuration sweep declared with [Sweep] (null: none; see Emitting/SweepEmitter.cs).</summary>
    public SweepSpec? Sweep { get; init; }
}

/// <summary>A model type: fully qualified name for code, display name for messages, and which constructor to call.</summary>
internal sealed record ModelSpec(string FullyQualifiedName, string DisplayName, bool TakesShape);

/// <summary>
/// The teacher: a declared model, or the student's own architecture trained first (<see cref="IsSelf"/>, Tf-KD self).
/// <see cref="Selection"/> mirrors <c>KdDsl.TeacherSelection</c>.
/// </summary>
internal sealed record TeacherSpec(
    ModelSpec Model, bool IsSelf, string? Checkpoint, int Epochs, int Selection, double StopAtAccuracy, int Caching, string? CacheDirectory,
    double LearningRate = 0);

/// <summary>
/// One declared loss term with every option resolved to its value (defaults filled in). Enum-typed options keep the
/// runtime enum's integer value; the emitter writes them back as casts.
/// </summary>
internal sealed record LossTermSpec(
    LossKindSpec Kind,
    double Weight,
    double Temperature,
    double StudentTemperature,
    int Reduction,
    bool ScaleByTemperatureSquared,
    double Epsilon,
    int SmoothingForm,
    double TargetProbability,
    int TfKdForm,
    int TopK,
    int TopKForm,
    double SimilarityTemperature)
{
    public string Name => NameOverride ?? Kind.ToString();

    /// <summary>A name other than the kind's (a swept Distance term is named "Distance": its kind changes per trial).</summary>
    public string? NameOverride { get; init; }

    /// <summary>Whether the term reads the teacher's logits.</summary>
    public bool NeedsTeacherLogits => Kind is LossKindSpec.KlDivergence or LossKindSpec.LogitMse or LossKindSpec.KdPt
        or LossKindSpec.KdTopK or LossKindSpec.KdPtSim or LossKindSpec.HiddenStates;

    /// <summary>Whether the term reads the teacher's logit-layer weights.</summary>
    public bool NeedsTeacherWeights => Kind is LossKindSpec.KdSim or LossKindSpec.KdPtSim;

    public bool NeedsTeacher => NeedsTeacherLogits || NeedsTeacherWeights;
}

/// <summary>Mirror of <c>KdDsl.LossKind</c> (the generator cannot reference the runtime assembly).</summary>
internal enum LossKindSpec
{
    CrossEntropy = 0,
    KlDivergence = 1,
    LogitMse = 2,
    LabelSmoothing = 3,
    TfKdRegularization = 4,
    KdPt = 5,
    KdSim = 6,
    KdPtSim = 7,
    KdTopK = 8,

    /// <summary>Not a <c>LossKind</c>: the term <c>[MatchLayers]</c> adds (see Parsing/MatchingParser.cs). It runs the teacher every step.</summary>
    HiddenStates = 1000,
}

/// <summary>Mirror of <c>KdDsl.OptimizerKind</c>.</summary>
internal enum OptimizerKindSpec
{
    Adam = 0,
    AdamW = 1,
    Sgd = 2,
}

/// <summary>Mirror of <c>KdDsl.TeacherSelection</c>.</summary>
internal enum TeacherSelectionSpec
{
    LastEpoch = 0,
    BestValidationAccuracy = 1,
    LowestValidationLoss = 2,
}

/// <summary>Mirror of <c>KdDsl.Losses.KlReduction</c>.</summary>
internal enum KlReductionSpec
{
    BatchMean = 0,
    ElementwiseMean = 1,
}

/// <summary>Mirror of <c>KdDsl.Losses.LabelSmoothingForm</c>.</summary>
internal enum LabelSmoothingFormSpec
{
    Uniform = 0,
    OffTrueClass = 1,
}

/// <summary>Mirror of <c>KdDsl.TfKdForm</c>.</summary>
internal enum TfKdFormSpec
{
    Paper = 0,
    OfficialCode = 1,
}

/// <summary>Mirror of <c>KdDsl.Losses.TopKForm</c>.</summary>
internal enum TopKFormSpec
{
    SpreadRemainder = 0,
    Renormalize = 1,
}

/// <summary>Mirror of <c>KdDsl.DatasetKind</c>.</summary>
internal enum DatasetKindSpec
{
    Digits = 0,
    FashionMnist = 1,
    Mnist = 2,
    Synthetic = 3,
}

/// <summary>The <c>[Train]</c> values, defaults filled in.</summary>
internal sealed record TrainSpec(
    int Epochs,
    int BatchSize,
    double LearningRate,
    int Seed,
    OptimizerKindSpec Optimizer,
    double Momentum,
    double WeightDecay,
    bool StudentBaseline,
    int AccumulationSteps,
    double ClipGradientNorm,
    ScheduleSpec Schedule,
    int WarmupSteps,
    int StepDecayEpochs,
    double StepDecayFactor,
    string? Checkpoint)
{
    public static TrainSpec Default { get; } = new(5, 64, 1e-3, 0, OptimizerKindSpec.Adam, 0, 0, false, 1, 0, ScheduleSpec.Constant, 0, 10, 0.1, null);
}

/// <summary>Mirror of <c>KdDsl.LearningRateSchedule</c>.</summary>
internal enum ScheduleSpec
{
    Constant = 0,
    Cosine = 1,
    StepDecay = 2,
}

/// <summary>Mirror of <c>KdDsl.TeacherOutputCaching</c>.</summary>
internal enum CachingSpec
{
    None = 0,
    Memory = 1,
    Disk = 2,
}

/// <summary>The <c>[Dataset]</c> values; <see cref="Synthetic"/> is set for <see cref="DatasetKindSpec.Synthetic"/>.</summary>
internal sealed record DatasetSpec(DatasetKindSpec Kind, string? Path, int TrainLimit, int TestLimit, double ValidationFraction, SyntheticSpec? Synthetic);

/// <summary>The <c>[SyntheticData]</c> values, defaults filled in.</summary>
internal sealed record SyntheticSpec(int TrainSamples, int TestSamples, int Features, int Classes, int Groups, double ClassCorrelation, int Seed)
{
    public static SyntheticSpec Default { get; } = new(5000, 2000, 64, 10, 2, 0.5, 0);
}

/// <summary>The <c>[CalibratedTeacher]</c> values.</summary>
internal sealed record CalibrationSpec(int Bins);

/// <summary>The parser's answer for one class: the spec when valid, and every diagnostic found.</summary>
internal sealed record ExperimentParseResult(ExperimentSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
