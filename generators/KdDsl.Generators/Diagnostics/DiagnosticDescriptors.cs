using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

/// <summary>Every diagnostic KdDsl reports. Each has a page at <c>docs/diagnostics/KDxxxx.md</c>.</summary>
internal static partial class DiagnosticDescriptors
{
    private const string Category = "KdDsl";
    private const string HelpLinkBase = "https://github.com/kddsl/KdDsl/blob/main/docs/diagnostics/";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");

    public static readonly DiagnosticDescriptor ClassMustBePartial = Error(
        "KD0001", "Experiment class must be partial",
        "Experiment class '{0}' must be declared 'partial' so KdDsl can add its generated training loop");

    public static readonly DiagnosticDescriptor MissingTeacher = Error(
        "KD0002", "Experiment has no teacher",
        "Experiment '{0}' has loss terms that read a teacher ({1}) but no [Teacher(typeof(...))] or [SelfTeacher]; declare the model to distill from");

    public static readonly DiagnosticDescriptor MissingStudent = Error(
        "KD0003", "Experiment has no student",
        "Experiment '{0}' has no [Student(typeof(...))] attribute; declare the model to train");

    public static readonly DiagnosticDescriptor NotATorchModule = Error(
        "KD0004", "Model type is not a TorchSharp module",
        "The {0} type '{1}' is not a TorchSharp module: it must derive from torch.nn.Module<Tensor, Tensor> (inputs [N, D] to logits [N, K])");

    public static readonly DiagnosticDescriptor NoUsableConstructor = Error(
        "KD0005", "Model type cannot be constructed",
        "The {0} type '{1}' {2}; it needs a public constructor taking (int inputFeatures, int classCount) or no arguments");

    public static readonly DiagnosticDescriptor NoLossTerm = Error(
        "KD0006", "Experiment has no loss term",
        "Experiment '{0}' declares no [Loss(...)] term; add at least one, e.g. [Loss(LossKind.KlDivergence, Temperature = 4)]");

    public static readonly DiagnosticDescriptor NegativeWeight = Error(
        "KD0007", "Loss weight is negative",
        "The weight of the {0} term is {1}; weights must be >= 0");

    public static readonly DiagnosticDescriptor AllWeightsZero = Error(
        "KD0008", "All loss weights are zero",
        "Every loss term of experiment '{0}' has weight 0, so the student would not learn; give at least one term a positive weight");

    public static readonly DiagnosticDescriptor NonPositiveTemperature = Error(
        "KD0009", "Temperature must be positive",
        "The {0} of the {1} term is {2}; it must be > 0 (1 leaves the logits unchanged, 2 to 20 is usual for KD)");

    public static readonly DiagnosticDescriptor OptionNotValidForLoss = Error(
        "KD0010", "Option does not apply to this loss",
        "'{0}' does not apply to the {1} term; {2}");

    public static readonly DiagnosticDescriptor DuplicateLossTerm = Error(
        "KD0011", "Loss term declared twice",
        "The {0} term is declared more than once; declare each kind once and set its Weight");

    public static readonly DiagnosticDescriptor UnknownEnumValue = Error(
        "KD0012", "Unknown option value",
        "{0} is not a known {1}; use one of: {2}");

    public static readonly DiagnosticDescriptor UnsupportedClassShape = Error(
        "KD0013", "Experiment class shape is not supported",
        "Experiment class '{0}' must be a top-level, non-generic class ({1})");

    public static readonly DiagnosticDescriptor ValueOutOfRange = Error(
        "KD0014", "Setting is out of range",
        "{0} is {1}; it must be {2}");

    public static readonly DiagnosticDescriptor ConflictingOptions = Error(
        "KD0015", "Settings conflict",
        "{0} conflicts with {1}: {2}");

    public static readonly DiagnosticDescriptor InvalidPath = Error(
        "KD0016", "Path is empty or invalid",
        "{0} must be a non-empty file system path{1}");

    public static readonly DiagnosticDescriptor TeacherUnused = Warning(
        "KD0017", "Teacher is never used",
        "Experiment '{0}' declares a teacher, but none of its loss terms reads it, so it would be trained for nothing; add a term such as KlDivergence or remove the teacher");

    public static readonly DiagnosticDescriptor NeedsValidationSplit = Error(
        "KD0018", "Setting needs a validation split",
        "{0} needs a validation split, but [Dataset] holds none out; set ValidationFraction (e.g. 0.1)");

    public static readonly DiagnosticDescriptor MissingRequirement = Error(
        "KD0019", "Setting needs something the experiment lacks",
        "{0} needs {1}");

    public static readonly DiagnosticDescriptor NotLayered = Error(
        "KD0020", "Model cannot be matched layer by layer",
        "The {0} type '{1}' cannot be matched layer by layer: {2}");

    public static readonly DiagnosticDescriptor UnknownLayerPath = Error(
        "KD0021", "Unknown layer path",
        "'{0}' is not a layer of the {1} '{2}'; its layers are {3}");

    public static readonly DiagnosticDescriptor LayerIndexOutOfRange = Error(
        "KD0022", "Layer index out of range",
        "Layer '{0}' is out of range: the {1} '{2}' has {3} layers ({4})");

    public static readonly DiagnosticDescriptor StudentDeeperThanTeacher = Error(
        "KD0023", "Student has more layers than the strategy allows",
        "LayerSelection.{0} matches each of the student's {1} layers to a different teacher layer, but the teacher has only {2}; use LayerSelection.AllToOne or an explicit map");

    public static readonly DiagnosticDescriptor WidthMismatchWithoutProjection = Error(
        "KD0024", "Hidden widths differ and projection is off",
        "The student's hidden width {0} differs from the teacher's {1}, but MatchLayers.Projection is false; allow the projection (a bias-free Linear per pair, trained with the student) or match models of the same width");

    public static readonly DiagnosticDescriptor LayerStackDisagrees = Error(
        "KD0025", "[LayerStack] disagrees with the model's source",
        "[LayerStack({0} = {1})] on '{2}' disagrees with {3}, which gives {4}; correct it, or remove {0} (the generator reads the constant from the source)");

    public static readonly DiagnosticDescriptor CannotInitializeFromTeacher = Error(
        "KD0026", "The student cannot start from the teacher's weights",
        "MatchLayers.InitializeFromTeacher copies teacher block round(i*m/n) into student block i, which needs {0}; remove InitializeFromTeacher or match models that fit");
}
