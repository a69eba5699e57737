using KdDsl.Losses;

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
    /// <summary>
    /// Hint name of the generated file: the full name, plus <see cref="HintSuffix"/> when another experiment's full name differs
    /// from it only in case (hint names are compared case-insensitively, and some file systems do the same).
    /// </summary>
    public string HintName => (Namespace is null ? ClassName : Namespace + "." + ClassName) + HintSuffix + ".g.cs";

    /// <summary>Empty, or ".xxxxxxxx" (a hash of the exact full name) when the full name collides case-insensitively.</summary>
    public string HintSuffix { get; init; } = "";

    /// <summary>The declaration keyword of the class: "class", or "record" for a record class.</summary>
    public string TypeKeyword { get; init; } = "class";

    /// <summary>The configuration sweep declared with [Sweep] (null: none; see Emitting/SweepEmitter.cs).</summary>
    public SweepSpec? Sweep { get; init; }

    /// <summary><c>[Normalize]</c> and <c>[Augment]</c> (null: neither; see Parsing/InputsParser.cs).</summary>
    public InputsSpec? Inputs { get; init; }

    /// <summary>The <c>[Stage]</c>s in ascending order (empty: one distillation phase; see Parsing/StageParser.cs).</summary>
    public EquatableArray<StageSpec> Stages { get; init; } = EquatableArray<StageSpec>.Empty;

    /// <summary>
    /// The top-k teacher store, <c>[Teacher(CacheOutputs = TeacherOutputCaching.SparseTopK)]</c> (null: none). Kept here rather than in
    /// <see cref="TeacherSpec"/>, whose members all shape the sweep's teacher fingerprint: the store does not change the teacher.
    /// </summary>
    public TopKStoreSpec? TopKStore { get; init; }

    /// <summary>
    /// With several teachers (<c>[Teacher(..., Name = ...)]</c> repeated): every teacher in declaration order, the first being
    /// <see cref="Teacher"/>. Empty with one teacher (whose code is then exactly as before).
    /// </summary>
    public EquatableArray<NamedTeacherSpec> Teachers { get; init; } = EquatableArray<NamedTeacherSpec>.Empty;

    /// <summary>With several teachers: the ensemble's weight of each teacher, in declaration order (equal by default).</summary>
    public EquatableArray<double> EnsembleWeights { get; init; } = EquatableArray<double>.Empty;
}

/// <summary>
/// One <c>[Stage]</c>: its number, epochs and learning rate (0: <c>[Train]</c>'s) and the student parameter-name prefixes it
/// trains (empty: the whole student).
/// </summary>
internal sealed record StageSpec(int Number, int Epochs, double LearningRate, EquatableArray<string> Trains);

/// <summary>
/// The top-k teacher store: k, what the terms give the other classes, the temperatures its normalisers are kept at (the declared
/// teacher temperatures of the terms that read it) and its folder.
/// </summary>
internal sealed record TopKStoreSpec(int TopK, SparseRemainder Remainder, EquatableArray<double> Temperatures, string Directory);

/// <summary>
/// What the run does to its inputs: <see cref="Normalize"/> once to every split, <see cref="Augment"/> to every training batch.
/// <see cref="FlatImageShape"/>: [C, H, W] of a built-in image data set, whose flat samples are seen as images.
/// </summary>
internal sealed record InputsSpec(NormalizationSpec? Normalize, AugmentationSpec? Augment, EquatableArray<int> FlatImageShape);

/// <summary>The <c>[Normalize]</c> values: the declared statistics (empty when fitted), or <see cref="FromTrainingSplit"/>.</summary>
internal sealed record NormalizationSpec(EquatableArray<double> Mean, EquatableArray<double> Std, bool FromTrainingSplit);

/// <summary>The <c>[Augment]</c> values.</summary>
internal sealed record AugmentationSpec(int RandomCropPadding, bool HorizontalFlip);

/// <summary>A model type: fully qualified name for code, display name for messages, and which constructor to call.</summary>
internal sealed record ModelSpec(string FullyQualifiedName, string DisplayName, bool TakesShape)
{
    /// <summary>
    /// With <see cref="TakesShape"/>: the constructor's first parameter is named <c>inputChannels</c> (an image model such as
    /// <c>KdDsl.Models.ResNet20</c>), so it receives the data's channel count, <c>SampleShape[0]</c>, not the flat feature count.
    /// </summary>
    public bool TakesChannels { get; init; }
}

/// <summary>
/// The teacher: a declared model, or the student's own architecture trained first (<see cref="IsSelf"/>, Tf-KD self).
/// </summary>
internal sealed record TeacherSpec(
    ModelSpec Model, bool IsSelf, string? Checkpoint, int Epochs, TeacherSelection Selection, double StopAtAccuracy, TeacherOutputCaching Caching,
    string? CacheDirectory, double LearningRate = 0)
{
    /// <summary><c>[Teacher(Weights = ...)]</c>: a PyTorch state_dict or safetensors file to load instead of training.</summary>
    public string? Weights { get; init; }
}

/// <summary>One of several teachers: its declared name and its spec.</summary>
internal sealed record NamedTeacherSpec(string Name, TeacherSpec Teacher);

/// <summary>
/// One declared loss term with every option resolved to its value (defaults filled in), in the attribute's own enum types
/// (KdDsl.Abstractions). <see cref="Kind"/> is a <c>LossKind</c> or <see cref="HiddenStates"/>.
/// </summary>
internal sealed record LossTermSpec(
    LossKind Kind,
    double Weight,
    double Temperature,
    double StudentTemperature,
    KlReduction Reduction,
    bool ScaleByTemperatureSquared,
    double Epsilon,
    LabelSmoothingForm SmoothingForm,
    double TargetProbability,
    TfKdForm TfKdForm,
    int TopK,
    TopKForm TopKForm,
    double SimilarityTemperature)
{
    /// <summary>
    /// Not a <c>LossKind</c> a user can write: the kind of the term <c>[MatchLayers]</c> adds (see Parsing/MatchingParser.cs),
    /// named <see cref="Parsing.MatchingParser.TermName"/>. Generator-internal; it runs the teacher every step. The parser
    /// rejects this value in <c>[Loss(...)]</c> (it is not a defined <c>LossKind</c> member).
    /// </summary>
    public const LossKind HiddenStates = (LossKind)1000;

    public string Name => NameOverride ?? (Kind == HiddenStates ? Parsing.MatchingParser.TermName : Kind.ToString());

    /// <summary>A name other than the kind's (a swept Distance term is named "Distance": its kind changes per trial).</summary>
    public string? NameOverride { get; init; }

    // The logit-family options (see Parsing/LogitOptionsParser.cs), defaults those of the attribute.

    /// <summary>DKD's alpha (<c>TargetClassWeight</c>).</summary>
    public double TargetClassWeight { get; init; } = Parsing.AttributeDefaults.Loss.TargetClassWeight;

    /// <summary>DKD's beta (<c>NonTargetClassWeight</c>).</summary>
    public double NonTargetClassWeight { get; init; } = Parsing.AttributeDefaults.Loss.NonTargetClassWeight;

    /// <summary>DIST's beta (<c>InterClassWeight</c>).</summary>
    public double InterClassWeight { get; init; } = Parsing.AttributeDefaults.Loss.InterClassWeight;

    /// <summary>DIST's gamma (<c>IntraClassWeight</c>).</summary>
    public double IntraClassWeight { get; init; } = Parsing.AttributeDefaults.Loss.IntraClassWeight;

    /// <summary>The skewed Jensen-Shannon divergence's mixing weight beta (<c>Skew</c>).</summary>
    public double Skew { get; init; } = Parsing.AttributeDefaults.Loss.Skew;

    /// <summary>Whether both models' logits are z-scored per sample before the term (<c>StandardizeLogits</c>).</summary>
    public bool StandardizeLogits { get; init; } = Parsing.AttributeDefaults.Loss.StandardizeLogits;

    /// <summary>Whether the term reads the teacher's logits (see <see cref="Catalog.LossCatalog"/>).</summary>
    public bool NeedsTeacherLogits => (Catalog.LossCatalog.Of(Kind).Reads & Catalog.TeacherInput.Logits) != 0;

    /// <summary>Whether the term reads the teacher's logit-layer weights (see <see cref="Catalog.LossCatalog"/>).</summary>
    public bool NeedsTeacherWeights => (Catalog.LossCatalog.Of(Kind).Reads & Catalog.TeacherInput.LogitLayer) != 0;

    public bool NeedsTeacher => NeedsTeacherLogits || NeedsTeacherWeights;

    /// <summary>The <c>[Stage]</c> the term belongs to; 0: every stage (or the experiment has no stages).</summary>
    public int Stage { get; init; }

    /// <summary>
    /// With several teachers: the declaration index of the teacher this term reads (<c>Teacher = "name"</c>); -1 (the default) reads
    /// the ensemble, and with one teacher always -1.
    /// </summary>
    public int TeacherIndex { get; init; } = -1;
}

/// <summary>The <c>[Train]</c> values, defaults filled in (<see cref="Default"/>: those of <c>new TrainAttribute()</c>).</summary>
internal sealed record TrainSpec(
    int Epochs,
    int BatchSize,
    double LearningRate,
    int Seed,
    OptimizerKind Optimizer,
    double Momentum,
    double WeightDecay,
    bool StudentBaseline,
    int AccumulationSteps,
    double ClipGradientNorm,
    LearningRateSchedule Schedule,
    int WarmupSteps,
    int StepDecayEpochs,
    double StepDecayFactor,
    string? Checkpoint)
{
    public static TrainSpec Default { get; } = From(new TrainAttribute());

    /// <summary>
    /// The named arguments of <c>[Train]</c> as written, in source order, each as a C# expression: the generated
    /// <c>DeclaredSettings</c> passes exactly these to <c>TrainingSettings.From(new TrainAttribute { ... })</c>, so a new
    /// <c>[Train]</c> option reaches the run (and the teacher fingerprint) without a change here or in the emitter.
    /// </summary>
    public EquatableArray<DeclaredArgument> Arguments { get; init; } = EquatableArray<DeclaredArgument>.Empty;

    private static TrainSpec From(TrainAttribute a) => new(a.Epochs, a.BatchSize, a.LearningRate, a.Seed, a.Optimizer, a.Momentum,
        a.WeightDecay, a.StudentBaseline, a.AccumulationSteps, a.ClipGradientNorm, a.Schedule, a.WarmupSteps, a.StepDecayEpochs,
        a.StepDecayFactor, a.Checkpoint);
}

/// <summary>One named argument of an attribute as written: its name and its value as a C# expression.</summary>
internal sealed record DeclaredArgument(string Name, string Expression);

/// <summary>The <c>[Dataset]</c> values; <see cref="Synthetic"/> is set for <c>DatasetKind.Synthetic</c>.</summary>
internal sealed record DatasetSpec(DatasetKind Kind, string? Path, int TrainLimit, int TestLimit, double ValidationFraction, SyntheticSpec? Synthetic);

/// <summary>The <c>[SyntheticData]</c> values, defaults filled in (<see cref="Default"/>: those of <c>new SyntheticDataAttribute()</c>).</summary>
internal sealed record SyntheticSpec(int TrainSamples, int TestSamples, int Features, int Classes, int Groups, double ClassCorrelation, int Seed)
{
    public static SyntheticSpec Default { get; } = From(new SyntheticDataAttribute());

    private static SyntheticSpec From(SyntheticDataAttribute a) =>
        new(a.TrainSamples, a.TestSamples, a.Features, a.Classes, a.Groups, a.ClassCorrelation, a.Seed);
}

/// <summary>The <c>[CalibratedTeacher]</c> values.</summary>
internal sealed record CalibrationSpec(int Bins);

/// <summary>The parser's answer for one class: the spec when valid, and every diagnostic found.</summary>
internal sealed record ExperimentParseResult(ExperimentSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
