namespace KdDsl.Generators.Model;

// Everything the emitter needs, as value-equal records: no symbols, syntax nodes or compilations, so an edit that does not
// change the experiment leaves the model equal and the generated output cached.

/// <summary>A valid experiment, ready to emit.</summary>
internal sealed record ExperimentSpec(
    string? Namespace,
    string ClassName,
    bool IsStatic,
    ModelSpec Teacher,
    ModelSpec Student,
    TeacherSourceSpec TeacherSource,
    EquatableArray<LossTermSpec> Losses,
    TrainSpec Train,
    DatasetSpec? Dataset)
{
    /// <summary>Hint name of the generated file.</summary>
    public string HintName => (Namespace is null ? ClassName : Namespace + "." + ClassName) + ".g.cs";
}

/// <summary>A model type: fully qualified name for code, display name for messages, and which constructor to call.</summary>
internal sealed record ModelSpec(string FullyQualifiedName, string DisplayName, bool TakesShape);

/// <summary>Where the teacher's weights come from.</summary>
internal sealed record TeacherSourceSpec(string? Checkpoint, int Epochs);

/// <summary>One declared loss term. <see cref="Kind"/> mirrors <c>KdDsl.LossKind</c>.</summary>
internal sealed record LossTermSpec(LossKindSpec Kind, double Weight, double Temperature)
{
    public string Name => Kind.ToString();
}

/// <summary>Mirror of <c>KdDsl.LossKind</c> (the generator cannot reference the runtime assembly).</summary>
internal enum LossKindSpec
{
    CrossEntropy = 0,
    KlDivergence = 1,
    LogitMse = 2,
}

/// <summary>Mirror of <c>KdDsl.OptimizerKind</c>.</summary>
internal enum OptimizerKindSpec
{
    Adam = 0,
    AdamW = 1,
    Sgd = 2,
}

/// <summary>Mirror of <c>KdDsl.DatasetKind</c>.</summary>
internal enum DatasetKindSpec
{
    Digits = 0,
    FashionMnist = 1,
    Mnist = 2,
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
    bool StudentBaseline)
{
    public static TrainSpec Default { get; } = new(5, 64, 1e-3, 0, OptimizerKindSpec.Adam, 0, 0, false);
}

/// <summary>The <c>[Dataset]</c> values.</summary>
internal sealed record DatasetSpec(DatasetKindSpec Kind, string? Path, int TrainLimit, int TestLimit);

/// <summary>The parser's answer for one class: the spec when valid, and every diagnostic found.</summary>
internal sealed record ExperimentParseResult(ExperimentSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
