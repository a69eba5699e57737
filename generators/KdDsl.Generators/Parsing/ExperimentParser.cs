using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static KdDsl.Generators.Diagnostics.DiagnosticDescriptors;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// Turns a class marked [Distillation] into an <see cref="ExperimentSpec"/> and the diagnostics for everything wrong with it.
/// Collects every problem rather than stopping at the first, so the IDE shows them all at once.
/// </summary>
internal sealed class ExperimentParser
{
    public const string DistillationAttribute = "KdDsl.DistillationAttribute";
    private const string TeacherAttribute = "KdDsl.TeacherAttribute";
    private const string StudentAttribute = "KdDsl.StudentAttribute";
    private const string LossAttribute = "KdDsl.LossAttribute";
    private const string TrainAttribute = "KdDsl.TrainAttribute";
    private const string DatasetAttribute = "KdDsl.DatasetAttribute";
    private const string TorchModule = "TorchSharp.torch+nn+Module`2";
    private const string TorchTensor = "TorchSharp.torch+Tensor";

    private readonly List<DiagnosticInfo> diagnostics = new();
    private readonly Compilation compilation;
    private readonly CancellationToken cancellationToken;

    private ExperimentParser(Compilation compilation, CancellationToken cancellationToken)
    {
        this.compilation = compilation;
        this.cancellationToken = cancellationToken;
    }

    /// <summary>The transform of the incremental pipeline.</summary>
    public static ExperimentParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var parser = new ExperimentParser(context.SemanticModel.Compilation, cancellationToken);
        var spec = parser.ParseClass((ClassDeclarationSyntax)context.TargetNode, (INamedTypeSymbol)context.TargetSymbol);
        return new ExperimentParseResult(spec, new EquatableArray<DiagnosticInfo>(parser.diagnostics));
    }

    private ExperimentSpec? ParseClass(ClassDeclarationSyntax declaration, INamedTypeSymbol type)
    {
        var classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            Report(ClassMustBePartial, classLocation, type.Name);
        if (type.ContainingType is not null)
            Report(UnsupportedClassShape, classLocation, type.Name, "it is nested inside '" + type.ContainingType.Name + "'");
        else if (type.IsGenericType)
            Report(UnsupportedClassShape, classLocation, type.Name, "it has type parameters");

        AttributeArguments? teacher = null, student = null, train = null, dataset = null;
        var losses = new List<AttributeArguments>();
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var arguments = new AttributeArguments(attribute, cancellationToken);
            switch (attribute.AttributeClass?.ToDisplayString())
            {
                case TeacherAttribute: teacher = arguments; break;
                case StudentAttribute: student = arguments; break;
                case LossAttribute: losses.Add(arguments); break;
                case TrainAttribute: train = arguments; break;
                case DatasetAttribute: dataset = arguments; break;
            }
        }

        if (teacher is null) Report(MissingTeacher, classLocation, type.Name);
        if (student is null) Report(MissingStudent, classLocation, type.Name);
        var teacherModel = teacher is { } t ? ParseModel(t, "teacher") : null;
        var studentModel = student is { } s ? ParseModel(s, "student") : null;
        var teacherSource = teacher is { } ta ? ParseTeacherSource(ta) : null;
        var lossTerms = ParseLosses(losses, type.Name, classLocation);
        var trainSpec = train is { } tr ? ParseTrain(tr) : TrainSpec.Default;
        var datasetSpec = dataset is { } d ? ParseDataset(d) : null;

        if (diagnostics.Count > 0 || teacherModel is null || studentModel is null || teacherSource is null)
            return null;
        string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        return new ExperimentSpec(ns, type.Name, type.IsStatic, teacherModel, studentModel, teacherSource, lossTerms, trainSpec, datasetSpec);
    }

    private ModelSpec? ParseModel(AttributeArguments attribute, string role)
    {
        if (attribute.Positional(0)?.Value is not INamedTypeSymbol model || model.TypeKind == TypeKind.Error)
            return null; // typeof(...) that does not bind: the compiler already reports it.
        var location = attribute.PositionalLocation(0);
        string display = model.ToDisplayString();
        if (!IsTensorModule(model))
        {
            Report(NotATorchModule, location, role, display);
            return null;
        }
        if (model.IsAbstract)
        {
            Report(NoUsableConstructor, location, role, display, "is abstract");
            return null;
        }
        if (model.IsUnboundGenericType || model.TypeArguments.Any(a => a is ITypeParameterSymbol))
        {
            Report(NoUsableConstructor, location, role, display, "is an open generic type");
            return null;
        }
        var constructors = model.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        bool takesShape = constructors.Any(c =>
            c.Parameters.Length == 2 && c.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Int32 && p.RefKind == RefKind.None));
        bool parameterless = constructors.Any(c => c.Parameters.Length == 0);
        if (!takesShape && !parameterless)
        {
            Report(NoUsableConstructor, location, role, display, "has no suitable public constructor");
            return null;
        }
        return new ModelSpec(model.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), display, takesShape);
    }

    private bool IsTensorModule(INamedTypeSymbol model)
    {
        var module = compilation.GetTypeByMetadataName(TorchModule);
        var tensor = compilation.GetTypeByMetadataName(TorchTensor);
        if (module is null || tensor is null) return false;
        for (var current = model.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, module))
                return current.TypeArguments.All(a => SymbolEqualityComparer.Default.Equals(a, tensor));
        }
        return false;
    }

    private TeacherSourceSpec ParseTeacherSource(AttributeArguments teacher)
    {
        string? checkpoint = teacher.NamedOr<string?>("Checkpoint", null);
        if (teacher.Has("Checkpoint"))
            CheckPath(checkpoint, "Teacher.Checkpoint", teacher.NamedLocation("Checkpoint"), "");
        int epochs = teacher.NamedOr("Epochs", 0);
        if (epochs < 0)
            Report(ValueOutOfRange, teacher.NamedLocation("Epochs"), "Teacher.Epochs", Format(epochs), "> 0, or 0 to use Train.Epochs");
        return new TeacherSourceSpec(checkpoint, epochs);
    }

    private EquatableArray<LossTermSpec> ParseLosses(List<AttributeArguments> attributes, string className, LocationInfo? classLocation)
    {
        if (attributes.Count == 0)
        {
            Report(NoLossTerm, classLocation, className);
            return EquatableArray<LossTermSpec>.Empty;
        }
        var terms = new List<LossTermSpec>();
        var seen = new HashSet<LossKindSpec>();
        bool anyNegative = false;
        foreach (var loss in attributes)
        {
            if (loss.Positional(0)?.Value is not int kindValue) continue;
            if (!Enum.IsDefined(typeof(LossKindSpec), kindValue))
            {
                Report(UnknownEnumValue, loss.PositionalLocation(0), Format(kindValue), "LossKind", Names<LossKindSpec>());
                continue;
            }
            var kind = (LossKindSpec)kindValue;
            if (!seen.Add(kind))
                Report(DuplicateLossTerm, loss.PositionalLocation(0), kind.ToString());

            double weight = loss.NamedOr("Weight", 1.0);
            if (!(weight >= 0) || double.IsInfinity(weight))
            {
                Report(NegativeWeight, loss.NamedLocation("Weight"), kind.ToString(), Format(weight));
                anyNegative = true;
            }

            double temperature = loss.NamedOr("Temperature", 1.0);
            if (loss.Has("Temperature"))
            {
                if (kind != LossKindSpec.KlDivergence)
                    Report(OptionNotValidForLoss, loss.NamedLocation("Temperature"), "Temperature", kind.ToString(),
                        "only the KlDivergence term is computed on tempered probabilities; remove the argument");
                else if (!(temperature > 0) || double.IsInfinity(temperature))
                    Report(NonPositiveTemperature, loss.NamedLocation("Temperature"), kind.ToString(), Format(temperature));
            }
            terms.Add(new LossTermSpec(kind, weight, temperature));
        }
        if (!anyNegative && terms.Count > 0 && terms.All(term => term.Weight == 0))
            Report(AllWeightsZero, classLocation, className);
        return new EquatableArray<LossTermSpec>(terms);
    }

    private TrainSpec ParseTrain(AttributeArguments train)
    {
        var defaults = TrainSpec.Default;
        int epochs = train.NamedOr("Epochs", defaults.Epochs);
        if (epochs <= 0) Report(ValueOutOfRange, train.NamedLocation("Epochs"), "Train.Epochs", Format(epochs), "> 0");
        int batchSize = train.NamedOr("BatchSize", defaults.BatchSize);
        if (batchSize <= 0) Report(ValueOutOfRange, train.NamedLocation("BatchSize"), "Train.BatchSize", Format(batchSize), "> 0");
        double learningRate = train.NamedOr("LearningRate", defaults.LearningRate);
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            Report(ValueOutOfRange, train.NamedLocation("LearningRate"), "Train.LearningRate", Format(learningRate), "a finite number > 0");
        int seed = train.NamedOr("Seed", defaults.Seed);

        var optimizer = defaults.Optimizer;
        if (train.Named("Optimizer")?.Value is int optimizerValue)
        {
            if (Enum.IsDefined(typeof(OptimizerKindSpec), optimizerValue)) optimizer = (OptimizerKindSpec)optimizerValue;
            else Report(UnknownEnumValue, train.NamedLocation("Optimizer"), Format(optimizerValue), "OptimizerKind", Names<OptimizerKindSpec>());
        }
        double momentum = train.NamedOr("Momentum", defaults.Momentum);
        if (train.Has("Momentum"))
        {
            if (!(momentum >= 0 && momentum < 1))
                Report(ValueOutOfRange, train.NamedLocation("Momentum"), "Train.Momentum", Format(momentum), "in [0, 1)");
            else if (optimizer != OptimizerKindSpec.Sgd)
                Report(ConflictingOptions, train.NamedLocation("Momentum"), "Train.Momentum", "Optimizer = " + optimizer,
                    "momentum applies only to OptimizerKind.Sgd (Adam keeps its own moment estimates); remove Momentum or use Sgd");
        }
        double weightDecay = train.NamedOr("WeightDecay", defaults.WeightDecay);
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            Report(ValueOutOfRange, train.NamedLocation("WeightDecay"), "Train.WeightDecay", Format(weightDecay), "a finite number >= 0");
        bool baseline = train.NamedOr("StudentBaseline", defaults.StudentBaseline);
        return new TrainSpec(epochs, batchSize, learningRate, seed, optimizer, momentum, weightDecay, baseline);
    }

    private DatasetSpec? ParseDataset(AttributeArguments dataset)
    {
        if (dataset.Positional(0)?.Value is not int kindValue) return null;
        if (!Enum.IsDefined(typeof(DatasetKindSpec), kindValue))
        {
            Report(UnknownEnumValue, dataset.PositionalLocation(0), Format(kindValue), "DatasetKind", Names<DatasetKindSpec>());
            return null;
        }
        var kind = (DatasetKindSpec)kindValue;
        string? path = dataset.NamedOr<string?>("Path", null);
        if (dataset.Has("Path"))
            CheckPath(path, "Dataset.Path", dataset.NamedLocation("Path"), "");
        else if (kind == DatasetKindSpec.Mnist)
            CheckPath(null, "Dataset.Path", dataset.AttributeLocation, " (MNIST has no default location; give the folder holding its IDX files)");
        int trainLimit = dataset.NamedOr("TrainLimit", 0);
        if (trainLimit < 0)
            Report(ValueOutOfRange, dataset.NamedLocation("TrainLimit"), "Dataset.TrainLimit", Format(trainLimit), ">= 0 (0 = all samples)");
        int testLimit = dataset.NamedOr("TestLimit", 0);
        if (testLimit < 0)
            Report(ValueOutOfRange, dataset.NamedLocation("TestLimit"), "Dataset.TestLimit", Format(testLimit), ">= 0 (0 = all samples)");
        return new DatasetSpec(kind, path, trainLimit, testLimit);
    }

    private void CheckPath(string? path, string setting, LocationInfo? location, string hint)
    {
        if (string.IsNullOrWhiteSpace(path) || path!.IndexOf('\0') >= 0)
            Report(InvalidPath, location, setting, hint);
    }

    private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        diagnostics.Add(new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments)));

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames(typeof(TEnum)));
}
